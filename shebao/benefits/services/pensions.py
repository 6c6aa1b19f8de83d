"""The pension record every benefit service shares: opening a pension (award or migration),
adding a rate, asking the next payroll to compare owed with paid, and reading the comparison.

The writers here run inside their caller's transaction (an approval, a batch chunk) and lock
the pension row; the caller writes the audit entry of its own business action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Sum

from shebao.benefits.ledger import MonthDifference, Rate, Terms, differences
from shebao.benefits.models import (
    AwardKind,
    LineStatus,
    PayrollLine,
    Pension,
    PensionAward,
    PensionRate,
    RateReason,
)
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.models import Agency
from shebao.core.periods import period_add
from shebao.registry.models import Person


@dataclass(frozen=True)
class AwardFigures:
    """The computed parts of a pension (from the pension calculator) and their inputs."""

    benefit_base_fen: int
    benefit_base_year: int
    provisional: bool
    average_index: str
    contribution_months: int
    deemed_months: int
    account_balance_fen: int
    retirement_age_months: int
    basic_fen: int
    account_fen: int
    transitional_fen: int
    total_fen: int
    calculation: dict[str, Any]


def pension_open(
    *,
    actor: Actor,
    person: Person,
    agency: Agency,
    group: str,
    retirement_month: int,
    figures: AwardFigures,
    kind: str = AwardKind.AWARD,
    case_id: int | None = None,
    settled_through: int | None = None,
    certified_on: date | None = None,
) -> Pension:
    """Create the pension of a new retiree with its award and first rate, paid from the month
    after the retirement month. Runs inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("pension_open must run inside the caller's transaction")
    start = period_add(retirement_month, 1)
    pension = Pension.objects.create(
        person=person,
        agency=agency,
        award_case_id=case_id,
        group=group,
        retirement_month=retirement_month,
        start_period=start,
        monthly_fen=figures.total_fen,
        contribution_months=figures.contribution_months,
        settled_through=settled_through,
        # A pension shebao pays from its first month: the first payroll pays every month owed.
        recheck_from=None if settled_through is not None else start,
        bank_name=person.bank_name,
        bank_account=person.bank_account,
        certified_on=certified_on,
    )
    PensionAward.objects.create(
        pension=pension,
        kind=kind,
        case_id=case_id,
        effective_period=start,
        benefit_base_fen=figures.benefit_base_fen,
        benefit_base_year=figures.benefit_base_year,
        provisional=figures.provisional,
        average_index=figures.average_index,
        contribution_months=figures.contribution_months,
        deemed_months=figures.deemed_months,
        account_balance_fen=figures.account_balance_fen,
        retirement_age_months=figures.retirement_age_months,
        basic_fen=figures.basic_fen,
        account_fen=figures.account_fen,
        transitional_fen=figures.transitional_fen,
        total_fen=figures.total_fen,
        calculation=figures.calculation,
        created_by=actor.username,
    )
    reason = RateReason.MIGRATED if kind == AwardKind.MIGRATED else RateReason.AWARD
    PensionRate.objects.create(
        pension=pension,
        effective_period=start,
        monthly_fen=figures.total_fen,
        reason=reason,
        source=f"case:{case_id}" if case_id else kind,
    )
    audit_record(
        actor=actor,
        action=f"pension.{kind}",
        target=pension,
        target_agency=agency,
        after={
            "person": person.pk,
            "group": group,
            "retirement_month": retirement_month,
            "start_period": start,
            "monthly_fen": figures.total_fen,
            "basic_fen": figures.basic_fen,
            "account_fen": figures.account_fen,
            "transitional_fen": figures.transitional_fen,
            "settled_through": settled_through,
            "case": case_id,
        },
    )
    return pension


def rate_add(
    *, pension: Pension, effective_period: int, monthly_fen: int, reason: str, source: str
) -> PensionRate:
    """A new amount from ``effective_period`` on. The pension keeps the newest amount and the
    next payroll compares owed with paid from that month (back pay or an overpayment)."""
    rate = PensionRate.objects.create(
        pension=pension,
        effective_period=effective_period,
        monthly_fen=monthly_fen,
        reason=reason,
        source=source,
    )
    newest = (
        PensionRate.objects.filter(pension=pension)
        .order_by("-effective_period", "-id")
        .values_list("monthly_fen", flat=True)
        .first()
    )
    pension.monthly_fen = int(newest) if newest is not None else monthly_fen
    recheck_mark(pension, effective_period)
    pension.save(update_fields=["monthly_fen", "recheck_from", "updated_at"])
    return rate


def recheck_mark(pension: Pension, period: int) -> None:
    """Ask the next payroll to compare owed with paid from ``period`` (the caller saves)."""
    if pension.recheck_from is None or period < pension.recheck_from:
        pension.recheck_from = period


def pension_terms(pension: Pension) -> Terms:
    return Terms(
        start_period=pension.start_period,
        end_period=pension.end_period,
        settled_through=pension.settled_through,
    )


def pension_rates(pension: Pension) -> list[Rate]:
    return [
        Rate(effective_period=row[0], monthly_fen=row[1], seq=row[2])
        for row in PensionRate.objects.filter(pension=pension).values_list(
            "effective_period", "monthly_fen", "id"
        )
    ]


def paid_by_month(pension: Pension, first: int, last: int) -> dict[int, int]:
    """What the payroll lines paid for each month from ``first`` to ``last`` (returned
    payments do not count)."""
    rows = (
        PayrollLine.objects.filter(pension_id=pension.pk, period__gte=first, period__lte=last)
        .exclude(status=LineStatus.FAILED)
        .values("period")
        .annotate(amount=Sum("amount_fen"))
        .order_by()
    )
    return {row["period"]: int(row["amount"]) for row in rows}


def pension_differences(pension: Pension, *, first: int, last: int) -> list[MonthDifference]:
    """The months from ``first`` to ``last`` where what the pension is owed and what was paid
    differ (positive: to pay; negative: overpaid)."""
    return differences(
        terms=pension_terms(pension),
        rates=pension_rates(pension),
        paid=paid_by_month(pension, first, last),
        first=first,
        last=last,
    )
