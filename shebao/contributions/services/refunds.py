"""Refund of an overpayment (多缴/误缴退费, SBCL006): requested by one person, approved by
another (the case's maker-checker and a database constraint), never above what was overpaid."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shebao.contributions.models import Refund, RefundStatus
from shebao.contributions.selectors import employer_balance, flexible_worker_balance
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.money import format_yuan
from shebao.core.permissions import ensure_in_scope
from shebao.registry.models import Employer, Person
from shebao.registry.services.common import open_request
from shebao.services.models import Case

ITEM_REFUND = "SBCL006"

register_rule(
    "REFUND-EXCEEDS",
    "退费金额 {amount} 元超过 {period} 的多缴金额 {available} 元。",
    "The refund of {amount} yuan is more than the {available} yuan overpaid for {period}.",
    "社会保险法 art. 90",
)
register_rule(
    "REFUND-AMOUNT",
    "退费金额必须大于零。",
    "The refund amount must be more than zero.",
)
register_rule(
    "REFUND-REASON",
    "请填写退费原因。",
    "Give the reason for the refund.",
)
register_rule(
    "REFUND-STAFF-ONLY",
    "退费须由经办人员登记。",
    "A refund must be recorded by a member of staff.",
)


def overpaid_fen(
    actor: Actor, *, employer: Employer | None, person: Person | None, period: int
) -> int:
    """Paid for the period's bills, less what they ask, less refunds already approved: the
    most a refund may return (the reconciliation's balance, turned round)."""
    if employer is not None:
        balance = employer_balance(actor, employer=employer, period=period)
    else:
        assert person is not None
        balance = flexible_worker_balance(actor, person=person, period=period)
    return max(-balance.outstanding_fen, 0)


def refund_request(
    *,
    actor: Actor,
    period: int,
    amount_fen: int,
    reason: str,
    employer: Employer | None = None,
    person: Person | None = None,
    channel: str = "counter",
) -> Refund:
    """Record a refund request and open its case; the money moves only on approval."""
    agency = employer.managing_agency if employer is not None else None
    if agency is None:
        assert person is not None
        agency = person.managing_agency
    ensure_in_scope(actor, agency)
    if actor.user is None:
        raise RuleViolation("REFUND-STAFF-ONLY")
    if amount_fen <= 0:
        raise RuleViolation("REFUND-AMOUNT")
    if not reason.strip():
        raise RuleViolation("REFUND-REASON")
    available = overpaid_fen(actor, employer=employer, person=person, period=period)
    if amount_fen > available:
        raise RuleViolation(
            "REFUND-EXCEEDS",
            amount=format_yuan(amount_fen),
            available=format_yuan(available),
            period=period,
        )
    with transaction.atomic(durable=True):
        case = open_request(
            actor=actor,
            item_code=ITEM_REFUND,
            channel=channel,
            employer=employer,
            person=None if employer is not None else person,
            data={"period": period, "amount_fen": amount_fen, "reason": reason.strip()},
        )
        refund = Refund.objects.create(
            employer=employer,
            person=None if employer is not None else person,
            period=period,
            agency=agency,
            amount_fen=amount_fen,
            reason=reason.strip(),
            case_id=case.pk,
            requested_by=actor.user,
        )
        audit_record(
            actor=actor,
            action="refund.request",
            target=refund,
            target_agency=agency,
            after={"period": period, "amount_fen": amount_fen, "case": case.receipt_no},
        )
    return refund


def apply_refund(case: Case, actor: Actor) -> Refund:
    """On approval (inside its transaction): check the overpayment again, then approve."""
    refund = Refund.objects.select_for_update().get(case_id=case.pk)
    available = overpaid_fen(
        actor, employer=refund.employer, person=refund.person, period=refund.period
    )
    if refund.amount_fen > available:
        raise RuleViolation(
            "REFUND-EXCEEDS",
            amount=format_yuan(refund.amount_fen),
            available=format_yuan(available),
            period=refund.period,
        )
    refund.status = RefundStatus.APPROVED
    refund.decided_by = actor.user
    refund.decided_at = timezone.now()
    refund.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action="refund.approve",
        target=refund,
        target_agency=refund.agency,
        before={"status": RefundStatus.REQUESTED},
        after={"status": refund.status, "amount_fen": refund.amount_fen, "case": case.receipt_no},
    )
    return refund
