"""Home-service visits (上门服务) for people who cannot come to the hall: a case of SBCT014
with the visit's details; the agency schedules it, a staff member visits and records the
outcome, which completes the case. What is handled during the visit (a certification, a
claim) is a case of its own item, opened by the visiting clerk."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import Action, Staff, User
from shebao.core.permissions import ensure_acts_for, ensure_can, ensure_in_scope, in_scope
from shebao.hall.models import HomeVisit, VisitReason, VisitStatus
from shebao.registry.models import Person
from shebao.services.models import CaseStatus, ServiceItem
from shebao.services.services import case_create, case_transition_within

ITEM_HOME_VISIT = "SBCT014"

register_rule(
    "HALL-VISIT-REASON",
    "上门服务原因“{reason}”无效。",
    "Home-visit reason '{reason}' is not valid.",
)
register_rule(
    "HALL-VISIT-ADDRESS",
    "请填写上门地址和联系电话。",
    "Give the address to visit and a contact phone.",
)
register_rule(
    "HALL-VISIT-STATE",
    "上门服务当前状态为“{status}”，不能执行该操作。",
    "The home visit is '{status}': that is not possible now.",
)
register_rule(
    "HALL-VISIT-STAFF",
    "上门人员须为您所在经办机构（或下级机构）的工作人员。",
    "The visiting staff member must belong to your agency or one under it.",
)
register_rule(
    "HALL-VISIT-DATE",
    "上门时间不能早于现在。",
    "The visit cannot be scheduled in the past.",
)
register_rule(
    "HALL-VISIT-OUTCOME",
    "请填写上门办理情况。",
    "Say what was done during the visit.",
)


def _audit(actor: Actor, action: str, visit: HomeVisit, before: str) -> None:
    audit_record(
        actor=actor,
        action=f"hall.{action}",
        target=visit,
        target_agency=visit.case.agency,
        before={"status": before} if before else None,
        after={
            "case": visit.case.receipt_no,
            "status": visit.status,
            "scheduled_for": visit.scheduled_for,
            "assigned_to": visit.assigned_to.username if visit.assigned_to else None,
        },
    )


def home_visit_request(
    *,
    actor: Actor,
    person: Person,
    address: str,
    phone: str,
    reason: str,
    needed_items: list[str],
    channel: str,
    preferred_date: date | None = None,
    note: str = "",
) -> HomeVisit:
    """Ask for a home visit: online by the person (the case waits for a clerk) or at the
    counter for them (a relative phoned or came; the clerk accepts on the spot)."""
    ensure_acts_for(actor, person)
    if reason not in VisitReason.values:
        raise RuleViolation("HALL-VISIT-REASON", reason=reason)
    if not address.strip() or not phone.strip():
        raise RuleViolation("HALL-VISIT-ADDRESS")
    item = ServiceItem.objects.get(code=ITEM_HOME_VISIT)
    known = set(ServiceItem.objects.filter(code__in=needed_items).values_list("code", flat=True))
    with transaction.atomic(durable=True):
        case = case_create(
            actor=actor,
            item=item,
            channel=channel,
            person=person,
            data={"reason": reason, "needed_items": sorted(known)},
            accept_now=True,
        )
        visit = HomeVisit.objects.create(
            case=case,
            person=person,
            address=address.strip()[:200],
            phone=phone.strip()[:20],
            reason=reason,
            needed_items=sorted(known),
            note=note.strip()[:300],
            preferred_date=preferred_date,
        )
        _audit(actor, "visit_request", visit, "")
    return visit


def _locked(visit: HomeVisit, expected: tuple[str, ...]) -> HomeVisit:
    locked = (
        HomeVisit.objects.select_for_update(of=("self",))
        .select_related("case__agency", "case__item", "assigned_to")
        .get(pk=visit.pk)
    )
    if locked.status not in expected:
        raise RuleViolation("HALL-VISIT-STATE", status=locked.get_status_display())
    return locked


def home_visit_schedule(
    *, actor: Actor, visit: HomeVisit, when: datetime, staff: User
) -> HomeVisit:
    """Fix the visit's time and who goes (accepting the case if it came online)."""
    ensure_in_scope(actor, visit.case.agency)
    ensure_can(actor, Action.ACCEPT, item_code=ITEM_HOME_VISIT, category="certificate")
    member = Staff.objects.select_related("agency").filter(user=staff).first()
    if member is None or not in_scope(actor, member.agency):
        raise RuleViolation("HALL-VISIT-STAFF")
    if when < timezone.now():
        raise RuleViolation("HALL-VISIT-DATE")
    with transaction.atomic(durable=True):
        locked = _locked(visit, (VisitStatus.REQUESTED, VisitStatus.SCHEDULED))
        before = locked.status
        if locked.case.status == CaseStatus.SUBMITTED:
            case_transition_within(actor=actor, case=locked.case, action="accept")
        locked.scheduled_for = when
        locked.assigned_to = staff
        locked.status = VisitStatus.SCHEDULED
        locked.save(update_fields=["scheduled_for", "assigned_to", "status", "updated_at"])
        _audit(actor, "visit_schedule", locked, before)
    return locked


def home_visit_record(*, actor: Actor, visit: HomeVisit, outcome: str) -> HomeVisit:
    """The visit took place: its outcome recorded and the case completed, together."""
    ensure_in_scope(actor, visit.case.agency)
    if not outcome.strip():
        raise RuleViolation("HALL-VISIT-OUTCOME")
    with transaction.atomic(durable=True):
        locked = _locked(visit, (VisitStatus.SCHEDULED,))
        locked.status = VisitStatus.VISITED
        locked.outcome = outcome.strip()[:500]
        locked.save(update_fields=["status", "outcome", "updated_at"])
        case_transition_within(actor=actor, case=locked.case, action="complete")
        _audit(actor, "visit_record", locked, VisitStatus.SCHEDULED)
    return locked


def home_visit_cancel(*, actor: Actor, visit: HomeVisit, reason: str) -> HomeVisit:
    """Call the visit off: by the person online, or by the agency; the case is withdrawn."""
    if actor.principal is not None:
        ensure_acts_for(actor, visit.person)
    else:
        ensure_in_scope(actor, visit.case.agency)
    if not reason.strip():
        raise RuleViolation("CASE-REASON-REQUIRED")
    with transaction.atomic(durable=True):
        locked = _locked(visit, (VisitStatus.REQUESTED, VisitStatus.SCHEDULED))
        before = locked.status
        locked.status = VisitStatus.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        case_transition_within(actor=actor, case=locked.case, action="withdraw", reason=reason)
        _audit(actor, "visit_cancel", locked, before)
    return locked
