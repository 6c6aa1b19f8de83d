"""Retirees and the pension in payment (离退休人员待遇): each becomes a pension with a migrated
award and rate, settled outside shebao through the last month the city paid, so the first
payroll pays from the month after."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from shebao.benefits.models import (
    AwardKind,
    Pension,
    PensionAward,
    PensionGroup,
    PensionRate,
    RateReason,
)
from shebao.core.money import format_yuan
from shebao.core.periods import period_add
from shebao.migration import rules as r
from shebao.migration.load.common import LoadContext, PersonRef, person_map
from shebao.migration.models import LegacyRetiree, Outcome
from shebao.migration.notes import N_PERSON, note
from shebao.migration.reading import read_rows
from shebao.registry.models import Person


def load_retirees(context: LoadContext) -> None:
    persons = person_map(context.city)
    paid = set(
        Pension.objects.filter(
            person_id__in=[ref.person_id for ref in persons.values()]
        ).values_list("person_id", flat=True)
    )
    staged = [
        _retiree_row(context, row.line, row.raw, row.values, persons, paid)
        for row in read_rows(context.delivered)
    ]
    keep = [s for s in staged if s.outcome != Outcome.REJECTED]
    births = dict(
        Person.objects.filter(pk__in=[s.person_id for s in keep]).values_list("pk", "birth_date")
    )
    agency_of = {ref.person_id: ref.agency_id or context.city.pk for ref in persons.values()}
    pensions = [
        Pension(
            person_id=s.person_id or 0,
            agency_id=agency_of[s.person_id or 0],
            group=PensionGroup(s.group),
            retirement_month=s.retirement_month,
            start_period=period_add(s.retirement_month, 1),
            monthly_fen=s.monthly_fen,
            contribution_months=s.contribution_months,
            settled_through=s.paid_through,
            bank_name=s.bank_name,
            bank_account=s.bank_account,
        )
        for s in keep
    ]
    Pension.objects.bulk_create(pensions, batch_size=2000)
    PensionAward.objects.bulk_create(
        (
            _award(context, s, p, births[s.person_id or 0])
            for s, p in zip(keep, pensions, strict=True)
        ),
        batch_size=2000,
    )
    PensionRate.objects.bulk_create(
        (
            PensionRate(
                pension=p,
                effective_period=p.start_period,
                monthly_fen=p.monthly_fen,
                reason=RateReason.MIGRATED,
                source=context.source,
            )
            for p in pensions
        ),
        batch_size=2000,
    )
    for s, pension in zip(keep, pensions, strict=True):
        s.target_id = pension.pk
    LegacyRetiree.objects.bulk_create(staged, batch_size=2000)
    context.audit(
        "retirees",
        {
            "rows": len(staged),
            "pensions": len(pensions),
            "monthly_fen": sum(p.monthly_fen for p in pensions),
        },
    )


def _retiree_row(
    context: LoadContext,
    line: int,
    raw: list[str],
    v: dict[str, Any],
    persons: dict[str, PersonRef],
    paid: set[int],
) -> LegacyRetiree:
    findings = r.Findings()
    person = persons.get(v["person_id"])
    if person is None:
        findings.add(r.PERSON_MISSING, note(N_PERSON, person=v["person_id"]))
    elif person.person_id in paid:
        findings.add(r.RETIREE_DUPLICATE, note(gettext_noop("already draws a pension")))
    parts = v["basic_pension"] + v["account_pension"] + v["transitional_pension"]
    if parts != v["monthly_pension"]:
        findings.add(
            r.RETIREE_PARTS,
            note(
                gettext_noop("parts {parts} ≠ monthly {monthly}"),
                parts=format_yuan(parts),
                monthly=format_yuan(v["monthly_pension"]),
            ),
        )
    if v["paid_through"] < v["retirement_month"]:
        findings.add(
            r.RETIREE_MONTHS, note(gettext_noop("paid through {period}"), period=v["paid_through"])
        )
    if person is not None and not findings.rejected:
        paid.add(person.person_id)  # a second row for the person is a duplicate
    return LegacyRetiree(
        file=context.file,
        city=context.city,
        line=line,
        raw=raw,
        outcome=findings.outcome,
        rules=findings.rules,
        note=findings.note,
        person_ref=v["person_id"],
        group=v["group"],
        retirement_month=v["retirement_month"],
        monthly_fen=v["monthly_pension"],
        basic_fen=v["basic_pension"],
        account_fen=v["account_pension"],
        transitional_fen=v["transitional_pension"],
        contribution_months=v["contribution_months"],
        paid_through=v["paid_through"],
        bank_name=v["bank_name"] or "",
        bank_account=v["bank_account"] or "",
        person_id=person.person_id if person else None,
    )


def _award(context: LoadContext, s: LegacyRetiree, pension: Pension, birth: Any) -> PensionAward:
    """The parts as the city system held them; what it did not hand over is zero, and the
    calculation says so."""
    age_months = (s.retirement_month // 100 - birth.year) * 12 + (
        s.retirement_month % 100 - birth.month
    )
    return PensionAward(
        pension=pension,
        kind=AwardKind.MIGRATED,
        effective_period=pension.start_period,
        benefit_base_fen=0,
        benefit_base_year=s.retirement_month // 100,
        average_index="",
        contribution_months=s.contribution_months,
        deemed_months=0,
        account_balance_fen=0,
        retirement_age_months=age_months,
        basic_fen=s.basic_fen,
        account_fen=s.account_fen,
        transitional_fen=s.transitional_fen,
        total_fen=s.monthly_fen,
        calculation={
            "source": context.source,
            "note": "figures as the city system held them at migration; the benefit base, "
            "index and account balance at retirement were not handed over",
            "settled_through": s.paid_through,
            "line": s.line,
        },
        created_by=context.actor.username,
    )
