"""Writes of cases: create, move through the transitions, attach materials, link records.

Every write locks the case row, checks the status it expects, and records a case event and an
audit entry in the same transaction; a second person acting on the same case at the same time
finds the new status and is refused, so nothing is applied twice.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone

from shebao.core.actors import Actor, system_actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import Agency
from shebao.core.permissions import (
    OutOfScope,
    PermissionRefused,
    ensure_acts_for,
    ensure_can,
    ensure_in_scope,
)
from shebao.registry.models import Employer, Person
from shebao.services.handlers import handler_for
from shebao.services.models import (
    AgentKind,
    Case,
    CaseAttachment,
    CaseChannel,
    CaseEvent,
    CaseRecord,
    CaseStatus,
    ServiceItem,
)
from shebao.services.transitions import TRANSITIONS, Transition
from shebao.services.workdays import default_calendar

register_rule(
    "CASE-TRANSITION-NOT-ALLOWED",
    "办件当前状态为“{status}”，不能执行“{action}”（可能已由他人处理）。",
    "The case is now '{status}'; '{action}' is not possible (someone may have acted on it).",
)
register_rule(
    "CASE-MAKER-CHECKER",
    "该事项须由经办人以外的另一名人员复核，您已参与受理或经办，不能复核。",
    "This item needs a second person: you accepted or prepared the case, so you cannot approve it.",
    "经办与复核分离 (社会保险经办条例 art. 37)",
)
register_rule(
    "CASE-REVIEW-NOT-NEEDED",
    "该事项无需复核，请直接办结。",
    "This item needs no review: complete it directly.",
)
register_rule(
    "CASE-REVIEW-NEEDED",
    "该事项须经复核，请提交复核。",
    "This item needs a second-person review: send it for review.",
)
register_rule(
    "CASE-REASON-REQUIRED",
    "请填写原因（将告知申请人）。",
    "Give a reason (the applicant is told).",
)
register_rule(
    "CASE-CHANNEL-NOT-ALLOWED",
    "事项“{item}”不能通过“{channel}”渠道办理。",
    "Item '{item}' cannot be handled through the '{channel}' channel.",
)
register_rule(
    "CASE-APPLICANT-REQUIRED",
    "请指定一个申请人（个人或单位）。",
    "Name one applicant: a person or an employer.",
)
register_rule(
    "CASE-APPLICANT-KIND",
    "事项“{item}”的申请人应为{kind}。",
    "The applicant of item '{item}' must be a {kind}.",
)
register_rule(
    "CASE-AGENT-INCOMPLETE",
    "代办须登记代办人姓名、身份证号码和与申请人的关系。",
    "A proxy needs the agent's name, resident ID and relation to the applicant.",
    "社会保险经办条例 (代办)",
)
register_rule("CASE-ITEM-UNKNOWN", "事项“{item}”不存在。", "There is no service item '{item}'.")
register_rule(
    "CASE-APPLICANT-UNKNOWN",
    "在您的管辖范围内找不到该申请人。",
    "No such applicant in your agency's jurisdiction.",
)
register_rule(
    "CASE-ITEM-INACTIVE",
    "事项“{item}”已停用。",
    "Item '{item}' is no longer offered.",
)
register_rule(
    "CASE-ATTACHMENT-TYPE",
    "附件只接受 PDF、JPEG 或 PNG 文件。",
    "Attachments must be PDF, JPEG or PNG files.",
)
register_rule(
    "CASE-ATTACHMENT-SIZE",
    "附件不能大于 {limit_mb} MB。",
    "An attachment may not be larger than {limit_mb} MB.",
)
register_rule(
    "CASE-CLOSED",
    "办件已办结或撤回，不能再修改。",
    "The case is finished or withdrawn and cannot change any more.",
)

# Magic numbers of the accepted attachment types: the extension alone proves nothing.
FILE_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


def _event(case: Case, actor: Actor, action: str, before: str, note: str = "") -> None:
    CaseEvent.objects.create(
        case=case,
        action=action,
        from_status=before,
        to_status=case.status,
        actor=actor.user,
        actor_label=actor.username,
        note=note,
    )


def _snapshot(case: Case) -> dict[str, Any]:
    return {
        "receipt_no": case.receipt_no,
        "item": case.item.code,
        "status": case.status,
        "due_date": case.due_date.isoformat() if case.due_date else None,
    }


def _due_date(item: ServiceItem, accepted_on: Any) -> Any:
    if item.time_limit_days is not None:
        return default_calendar().add_working_days(accepted_on, item.time_limit_days)
    if item.time_limit_calendar_days is not None:
        return accepted_on + timedelta(days=item.time_limit_calendar_days)
    return None


def _check_applicant(item: ServiceItem, person: Person | None, employer: Employer | None) -> Agency:
    if (person is None) == (employer is None):
        raise RuleViolation("CASE-APPLICANT-REQUIRED")
    kind = "person" if person is not None else "employer"
    if item.applicant_kind not in ("either", kind):
        raise RuleViolation("CASE-APPLICANT-KIND", item=item.code, kind=item.applicant_kind)
    applicant = person or employer
    assert applicant is not None
    return applicant.managing_agency


ONLINE_CHANNELS = (CaseChannel.WEB, CaseChannel.KIOSK)


def _ensure_may_open(
    actor: Actor, item: ServiceItem, channel: str, person: Person | None, employer: Employer | None
) -> Agency:
    """Staff open cases of the items they claimed for applicants of their scope; a portal or
    kiosk user opens cases only for their own record, online."""
    if actor.principal is None:
        ensure_can(actor, "accept", item_code=item.code, category=item.category)
    elif channel not in ONLINE_CHANNELS:
        raise RuleViolation("CASE-CHANNEL-NOT-ALLOWED", item=item.code, channel=channel)
    if channel not in item.channels:
        raise RuleViolation("CASE-CHANNEL-NOT-ALLOWED", item=item.code, channel=channel)
    agency = _check_applicant(item, person, employer)
    applicant = person or employer
    assert applicant is not None
    ensure_acts_for(actor, applicant)
    return agency


def case_create(
    *,
    actor: Actor,
    item: ServiceItem,
    channel: str,
    person: Person | None = None,
    employer: Employer | None = None,
    agent_kind: str = AgentKind.NONE,
    agent_name: str = "",
    agent_resident_id: str = "",
    agent_relation: str = "",
    data: dict[str, Any] | None = None,
    accept_now: bool = False,
) -> Case:
    """Open a case for an applicant of the actor's scope. At the counter the clerk usually
    accepts it on the spot (``accept_now``): one submission, one visit. A case submitted
    online waits for a clerk to accept it (网上申报, 后台受理), whatever ``accept_now`` says.

    Not durable: a registry request opens its record and its case in one transaction."""
    if not item.is_active:
        raise RuleViolation("CASE-ITEM-INACTIVE", item=item.code)
    agency = _ensure_may_open(actor, item, channel, person, employer)
    if actor.principal is not None:
        accept_now = False
    if agent_kind == AgentKind.PROXY and not (agent_name and agent_resident_id and agent_relation):
        raise RuleViolation("CASE-AGENT-INCOMPLETE")
    if agent_kind == AgentKind.PROXY:
        from shebao.core.identifiers import resident_id_check

        agent_resident_id = resident_id_check(agent_resident_id).number
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.create(
            receipt_no=f"tmp-{uuid.uuid4().hex[:24]}",  # replaced once the pk is known
            item=item,
            channel=channel,
            agency=agency,
            applicant_person=person,
            applicant_employer=employer,
            agent_kind=agent_kind,
            agent_name=agent_name,
            agent_resident_id=agent_resident_id,
            agent_relation=agent_relation,
            data=data or {},
            status=CaseStatus.SUBMITTED,
            submitted_at=now,
        )
        case.receipt_no = (
            f"{agency.code.replace('-', '')}-{timezone.localdate(now):%Y%m%d}-{case.pk:07d}"
        )
        case.save(update_fields=["receipt_no"])
        _event(case, actor, "create", CaseStatus.DRAFT)
        if accept_now:
            _accept(case, actor, now)
            _event(case, actor, "accept", CaseStatus.SUBMITTED)
        audit_record(
            actor=actor,
            action="case.create",
            target=case,
            target_agency=agency,
            after=_snapshot(case) | {"channel": channel, "agent_kind": agent_kind},
        )
    return case


def case_done_on_the_spot(
    *,
    actor: Actor,
    item: ServiceItem,
    channel: str,
    person: Person | None = None,
    employer: Employer | None = None,
    data: dict[str, Any] | None = None,
) -> Case:
    """An item done at once (即时办结: a certificate, a statement, a certification): the case
    is opened and completed in one transaction, so its handler's effect and the case stand or
    fall together. At the counter the clerk completes it; for a portal or kiosk user the
    system completes it on their behalf (the case's events say so)."""
    if item.review_required:
        raise RuleViolation("CASE-REVIEW-NEEDED")
    with transaction.atomic(durable=True):
        case = case_create(
            actor=actor,
            item=item,
            channel=channel,
            person=person,
            employer=employer,
            data=data,
            accept_now=True,
        )
        finisher = actor if actor.principal is None else system_actor(f"{channel}-self-service")
        if case.status == CaseStatus.SUBMITTED:
            case = _transition_locked(actor=finisher, case=case, action="accept", reason="")
        return _transition_locked(actor=finisher, case=case, action="complete", reason="")


def _accept(case: Case, actor: Actor, now: Any) -> None:
    case.status = CaseStatus.ACCEPTED
    case.accepted_at = now
    case.accepted_by = actor.user
    case.due_date = _due_date(case.item, timezone.localdate(now))
    case.save(update_fields=["status", "accepted_at", "accepted_by", "due_date"])


def _ensure_allowed(case: Case, actor: Actor, transition: Transition, reason: str) -> None:
    if case.status not in transition.sources:
        raise RuleViolation(
            "CASE-TRANSITION-NOT-ALLOWED",
            status=CaseStatus(case.status).label,
            action=transition.label,
        )
    if actor.principal is None:
        ensure_can(
            actor, transition.permission, item_code=case.item.code, category=case.item.category
        )
    elif transition.action not in APPLICANT_ACTIONS:
        raise PermissionRefused(transition.action, case.item.code)
    if transition.review is True and not case.item.review_required:
        raise RuleViolation("CASE-REVIEW-NOT-NEEDED")
    if transition.review is False and case.item.review_required:
        raise RuleViolation("CASE-REVIEW-NEEDED")
    if transition.needs_reason and not reason.strip():
        raise RuleViolation("CASE-REASON-REQUIRED")
    if transition.action == "approve" and actor.user is not None:
        handled = case.events.filter(
            actor=actor.user, action__in=["create", "accept", "send_for_review"]
        ).exists()
        if handled:
            raise RuleViolation("CASE-MAKER-CHECKER")


# What an applicant may do with their own case from the portal: take it back, or send it
# again once corrected after a return. Everything else is the agency's.
APPLICANT_ACTIONS = ("resubmit", "withdraw")


def case_transition(*, actor: Actor, case: Case, action: str, reason: str = "") -> Case:
    """Move a case by one action of the transition table; refuses anything else."""
    with transaction.atomic(durable=True):
        return _transition_locked(actor=actor, case=case, action=action, reason=reason)


def case_transition_within(*, actor: Actor, case: Case, action: str, reason: str = "") -> Case:
    """``case_transition`` inside the caller's transaction, for a business action whose own
    writes and the case's step must stand or fall together (a home visit recorded and its
    case completed)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("case_transition_within must run inside a transaction")
    return _transition_locked(actor=actor, case=case, action=action, reason=reason)


def _transition_locked(*, actor: Actor, case: Case, action: str, reason: str) -> Case:
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise RuleViolation(
            "CASE-TRANSITION-NOT-ALLOWED", status=CaseStatus(case.status).label, action=action
        )
    ensure_acts_for_case(actor, case)
    # Re-read under a row lock: a concurrent actor's change is seen here, not overwritten.
    locked = Case.objects.select_for_update().select_related("item", "agency").get(pk=case.pk)
    _ensure_allowed(locked, actor, transition, reason)
    before = locked.status
    now = timezone.now()
    if action == "accept":
        _accept(locked, actor, now)
    else:
        _apply(locked, actor, transition, reason, now)
    if locked.status in {CaseStatus.APPROVED, CaseStatus.DONE}:
        handler = handler_for(locked.item.code)
        if handler is not None:
            handler(locked, actor)  # the business effect, in this same transaction
    _event(locked, actor, action, before, reason.strip())
    audit_record(
        actor=actor,
        action=f"case.{action}",
        target=locked,
        target_agency=locked.agency,
        before={"status": before},
        after=_snapshot(locked) | ({"reason": reason.strip()} if reason.strip() else {}),
    )
    return locked


def ensure_acts_for_case(actor: Actor, case: Case) -> None:
    """Staff act on the cases of their scope; a portal user only on their own record's."""
    if actor.principal is None:
        ensure_in_scope(actor, case.agency)
        return
    applicant = case.applicant_person or case.applicant_employer
    if applicant is None or not actor.principal.represents(applicant):
        raise OutOfScope()


def _apply(case: Case, actor: Actor, transition: Transition, reason: str, now: Any) -> None:
    case.status = transition.target
    fields = ["status"]
    if transition.action in {"send_for_review", "complete"}:
        case.prepared_by = actor.user
        fields.append("prepared_by")
    if transition.action == "approve":
        case.reviewed_by = actor.user
        fields.append("reviewed_by")
    if transition.target in {CaseStatus.APPROVED, CaseStatus.DONE}:
        case.finished_at = now
        fields.append("finished_at")
    if transition.action == "return":
        case.return_reason = reason.strip()
        case.returned_count += 1
        fields += ["return_reason", "returned_count"]
    if transition.action == "resubmit":
        case.submitted_at = now
        fields.append("submitted_at")
    case.save(update_fields=fields)


def _file_type(head: bytes) -> str | None:
    return next((kind for magic, kind in FILE_SIGNATURES.items() if head.startswith(magic)), None)


def case_attach(*, actor: Actor, case: Case, upload: UploadedFile, material: str) -> CaseAttachment:
    """Store a material for an open case; only PDF, JPEG and PNG within the size limit. An
    applicant uploads to their own case online; staff need the item's accept permission."""
    ensure_acts_for_case(actor, case)
    if actor.principal is None:
        ensure_can(actor, "accept", item_code=case.item.code, category=case.item.category)
    if case.status in {CaseStatus.APPROVED, CaseStatus.DONE, CaseStatus.WITHDRAWN}:
        raise RuleViolation("CASE-CLOSED")
    limit = settings.CASE_ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise RuleViolation("CASE-ATTACHMENT-SIZE", limit_mb=limit // (1024 * 1024))
    upload.seek(0)
    kind = _file_type(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise RuleViolation("CASE-ATTACHMENT-TYPE")
    with transaction.atomic(durable=True):
        attachment = CaseAttachment.objects.create(
            case=case,
            file=upload,
            material=material[:100],
            content_type=kind,
            size=upload.size,
            uploaded_by=actor.user,
        )
        audit_record(
            actor=actor,
            action="case.attach",
            target=case,
            target_agency=case.agency,
            after={"attachment": attachment.pk, "material": attachment.material, "type": kind},
        )
    return attachment


def case_record_link(*, case: Case, record: models.Model, effect: str) -> CaseRecord:
    """Called by item handlers inside their transaction: the case created or changed ``record``."""
    return CaseRecord.objects.create(
        case=case,
        content_type=ContentType.objects.get_for_model(record),
        object_id=str(record.pk),
        effect=effect,
    )


__all__ = [
    "CaseChannel",
    "case_attach",
    "case_create",
    "case_done_on_the_spot",
    "case_record_link",
    "case_transition",
    "case_transition_within",
    "ensure_acts_for_case",
]
