"""Stopping an unemployment benefit (失业保险金停发): a clerk's stop with a reason (SBBC008,
reviewed), the automatic stop on re-employment when a new insured relation starts after the
registration month, and the stop when a pension is awarded (失业保险条例 art. 15; 社会保险法
art. 51)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from shebao.benefits.models import Benefit, BenefitKind, BenefitStatus
from shebao.benefits.services.benefits import benefit_stop
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import Agency
from shebao.core.periods import period_add, period_format
from shebao.core.permissions import ensure_in_scope, scope_filter
from shebao.registry.models import InsuredRelation, Person, RelationKind
from shebao.registry.services.common import open_request
from shebao.services.models import OPEN_STATUSES, Case
from shebao.services.services import case_record_link

ITEM_STOP = "SBBC008"
_REGULATION = "失业保险条例"

# Why the benefit stops (失业保险条例 art. 15; 社会保险法 art. 51).
STOP_REASONS: dict[str, tuple[str, str]] = {
    "reemployment": ("重新就业", "re-employed"),
    "enlistment": ("应征服兵役", "enlisted for military service"),
    "emigration": ("移居境外", "emigrated"),
    "pension": ("享受基本养老保险待遇", "draws a pension"),
    "imprisonment": ("被判刑收监执行", "imprisoned"),
    "refused_work": (
        "无正当理由拒不接受介绍的适当工作或培训",
        "refused suitable work or training",
    ),
    "other": ("其他", "other"),
}

register_rule(
    "UNE-STOP-REASON",
    "停发原因“{reason}”不在可选范围内。",
    "'{reason}' is not a reason to stop unemployment benefit.",
    _REGULATION + " art. 15",
)
register_rule(
    "UNE-STOP-NOT-PREPARED",
    "该办件未经失业保险金停发页面受理，未指明待遇；请退回经办人重新受理。",
    "This case was not made on the stop page and names no benefit: return it so the clerk "
    "makes it there.",
)
register_rule(
    "UNE-STOP-NOT-RUNNING",
    "该失业保险金已停发或不是失业保险金。",
    "This is not an unemployment benefit in payment.",
)
register_rule(
    "UNE-STOP-PERIOD",
    "最后发放月份 {last} 须在 {earliest} 至 {latest} 之间。",
    "The last month paid {last} must fall from {earliest} to {latest}.",
)
register_rule(
    "UNE-STOP-OPEN",
    "该失业保险金已有未办结的停发申请（{receipt}）。",
    "A request to stop this benefit is still open ({receipt}).",
)


# --- stops ----------------------------------------------------------------------------------------


def unemployment_benefits_visible(actor: Actor) -> QuerySet[Benefit]:
    return scope_filter(
        Benefit.objects.filter(kind=BenefitKind.UNEMPLOYMENT).select_related("person", "agency"),
        actor,
        "agency",
    )


def open_stop_case(benefit: Benefit) -> Case | None:
    return (
        Case.objects.filter(
            item__code=ITEM_STOP, status__in=OPEN_STATUSES, data__benefit=benefit.pk
        )
        .order_by("pk")
        .first()
    )


def check_stop(benefit: Benefit, reason: str, last_period: int) -> None:
    if benefit.kind != BenefitKind.UNEMPLOYMENT or benefit.status == BenefitStatus.STOPPED:
        raise RuleViolation("UNE-STOP-NOT-RUNNING")
    if reason not in STOP_REASONS:
        raise RuleViolation("UNE-STOP-REASON", reason=reason)
    earliest = period_add(benefit.start_period, -1)  # stopped before the first month: nothing due
    latest = benefit.end_period or last_period
    if not earliest <= last_period <= latest:
        raise RuleViolation(
            "UNE-STOP-PERIOD",
            last=period_format(last_period),
            earliest=period_format(earliest),
            latest=period_format(latest),
        )


def unemployment_stop_request(
    *,
    actor: Actor,
    benefit: Benefit,
    reason: str,
    last_period: int,
    note: str = "",
    channel: str = "counter",
) -> Case:
    """Open the SBBC008 case: the benefit stops after ``last_period`` once a second person
    approves."""
    ensure_in_scope(actor, benefit.agency)
    check_stop(benefit, reason, last_period)
    with transaction.atomic(durable=True):
        locked = Benefit.objects.select_for_update().get(pk=benefit.pk)
        check_stop(locked, reason, last_period)
        pending = open_stop_case(locked)
        if pending is not None:
            raise RuleViolation("UNE-STOP-OPEN", receipt=pending.receipt_no)
        case = open_request(
            actor=actor,
            item_code=ITEM_STOP,
            channel=channel,
            person=locked.person,
            data={
                "benefit": locked.pk,
                "reason": reason,
                "last_period": last_period,
                "note": note.strip(),
                "end_period": locked.end_period,
                "monthly_fen": locked.monthly_fen,
            },
        )
        audit_record(
            actor=actor,
            action="unemployment.stop_request",
            target=case,
            target_agency=locked.agency,
            after={"benefit": locked.pk, "reason": reason, "last_period": last_period},
        )
    return case


def apply_unemployment_stop(case: Case, actor: Actor) -> Benefit:
    """Applied on approval inside the case's transaction; a benefit stopped meanwhile (by
    re-employment, a pension) stays as it was."""
    if "benefit" not in case.data:
        raise RuleViolation("UNE-STOP-NOT-PREPARED")
    benefit = Benefit.objects.select_for_update().get(pk=case.data["benefit"])
    if benefit.status == BenefitStatus.STOPPED:
        return benefit
    check_stop(benefit, case.data["reason"], case.data["last_period"])
    stopped = benefit_stop(
        actor=actor,
        benefit=benefit,
        last_period=case.data["last_period"],
        reason=case.data["reason"],
    )
    case_record_link(case=case, record=stopped, effect="changed")
    return stopped


def _stop_automatically(
    *, actor: Actor, benefit: Benefit, last_period: int, reason: str, why: dict[str, Any]
) -> Benefit:
    with transaction.atomic():
        stopped = benefit_stop(actor=actor, benefit=benefit, last_period=last_period, reason=reason)
        audit_record(
            actor=actor,
            action=f"unemployment.stop_{reason}",
            target=stopped,
            target_agency=stopped.agency,
            after={"person": stopped.person_id, "last_period": last_period, **why},
        )
    return stopped


def reemployment_stops(
    *,
    actor: Actor,
    agency: Agency | None = None,
    through_period: int | None = None,
    person: Person | None = None,
) -> list[Benefit]:
    """Stop every active unemployment benefit whose person holds an employee relation (any
    scheme, any employer) that started after the registration month: the last month due is the
    month before the relation started (失业保险条例 art. 15(1)). A benefit that runs out before
    the new work began is left to end by itself. The audit entry names the relation."""
    benefits = Benefit.objects.filter(
        kind=BenefitKind.UNEMPLOYMENT, status=BenefitStatus.ACTIVE
    ).select_related("agency")
    benefits = scope_filter(benefits, actor, "agency")
    if agency is not None:
        benefits = benefits.filter(agency__path__startswith=agency.path)
    if person is not None:
        benefits = benefits.filter(person=person)
    stopped: list[Benefit] = []
    for benefit in benefits.order_by("pk"):
        relations = InsuredRelation.objects.filter(
            person_id=benefit.person_id,
            kind=RelationKind.EMPLOYEE,
            start_period__gt=benefit.start_period,
        )
        if through_period is not None:
            relations = relations.filter(start_period__lte=through_period)
        relation = relations.order_by("start_period", "pk").first()
        if relation is None:
            continue
        last = period_add(relation.start_period, -1)
        if benefit.end_period is not None and last >= benefit.end_period:
            continue
        stopped.append(
            _stop_automatically(
                actor=actor,
                benefit=benefit,
                last_period=last,
                reason="reemployment",
                why={
                    "relation": relation.pk,
                    "scheme": relation.scheme,
                    "employer": relation.employer_id,
                    "relation_start": relation.start_period,
                },
            )
        )
    return stopped


def reemployment_check_person(*, actor: Actor, person: Person) -> list[Benefit]:
    """For the registry, after a staff addition of ``person``: stop a running benefit now."""
    return reemployment_stops(actor=actor, person=person)


def unemployment_stop_on_pension(
    *, actor: Actor, person: Person, retirement_month: int
) -> list[Benefit]:
    """A pension awarded: a running unemployment benefit is paid through the retirement month
    and stops (失业保险条例 art. 15(2)). Runs inside the award's transaction."""
    running = Benefit.objects.filter(
        person=person, kind=BenefitKind.UNEMPLOYMENT, status=BenefitStatus.ACTIVE
    ).order_by("pk")
    return [
        _stop_automatically(
            actor=actor,
            benefit=benefit,
            last_period=retirement_month,
            reason="pension",
            why={"retirement_month": retirement_month},
        )
        for benefit in running
    ]
