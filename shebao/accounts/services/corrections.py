"""Corrections of an individual account (缴费记录更正、补录, SBAC006): a reversing entry of one
entry, or an adjustment with its reason, written only when a second person approves the case.

The journal is never changed: a wrong entry stays and its reversal (−amount, ``reverses`` set)
sits beside it. A correction counts from the month it is approved, so the balances of closed
years, their interest and the statements already issued for them stay as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from shebao.accounts.models import AccountEntry, EntryKind
from shebao.accounts.services.journal import balance_fen, entry_post
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.money import format_yuan
from shebao.core.permissions import ensure_in_scope
from shebao.registry.models import Person
from shebao.registry.services.common import open_request
from shebao.registry.services.persons import ensure_person_active
from shebao.services.models import OPEN_STATUSES, Case
from shebao.services.services import case_record_link

ITEM_CORRECTION = "SBAC006"
_BASIS = "社会保险法 art. 14; design.md §4 (ledger)"

register_rule(
    "ACC-CORR-WHAT",
    "请选择要冲正的记账记录，或填写调整金额（二者选一）。",
    "Choose the entry to reverse or give an adjustment amount (one of the two).",
    _BASIS,
)
register_rule(
    "ACC-CORR-AMOUNT",
    "调整金额不能为零。",
    "The adjustment amount may not be zero.",
    _BASIS,
)
register_rule(
    "ACC-CORR-REASON",
    "请填写更正原因。",
    "Give the reason for the correction.",
    _BASIS,
)
register_rule(
    "ACC-CORR-ENTRY",
    "该记账记录不属于此人员。",
    "The entry is not one of this person's.",
    _BASIS,
)
register_rule(
    "ACC-CORR-REVERSED",
    "该记账记录已被冲正（{key}），不能重复冲正。",
    "The entry is already reversed ({key}); it cannot be reversed twice.",
    _BASIS,
)
register_rule(
    "ACC-CORR-PENDING",
    "该记账记录已有未办结的冲正申请（{receipt}）。",
    "A reversal of this entry is already waiting ({receipt}).",
    _BASIS,
)
register_rule(
    "ACC-CORR-REVERSAL",
    "冲正记录不能再被冲正；如需调整，请办理调整。",
    "A reversal cannot itself be reversed; make an adjustment instead.",
    _BASIS,
)
register_rule(
    "ACC-CORR-NEGATIVE",
    "更正后个人账户余额为 {balance} 元，不能为负。",
    "After the correction the account balance would be {balance} yuan; it may not be negative.",
    _BASIS,
)
register_rule(
    "ACC-CORR-STAFF-ONLY",
    "账户更正须由经办人员登记。",
    "An account correction must be recorded by a member of staff.",
)


@dataclass(frozen=True)
class CorrectionPlan:
    """What a correction would write, checked against the journal as it is now."""

    amount_fen: int
    reverses: AccountEntry | None
    reason: str
    balance_before_fen: int

    @property
    def balance_after_fen(self) -> int:
        return self.balance_before_fen + self.amount_fen

    def as_json(self) -> dict[str, Any]:
        entry = self.reverses
        return {
            "amount_fen": self.amount_fen,
            "reason": self.reason,
            "entry_id": entry.pk if entry else None,
            "entry": {
                "kind": entry.kind,
                "year": entry.year,
                "month": entry.month,
                "period": entry.period,
                "amount_fen": entry.amount_fen,
                "key": entry.key,
            }
            if entry
            else None,
            "balance_before_fen": self.balance_before_fen,
            "balance_after_fen": self.balance_after_fen,
        }


def _pending_reversal(entry: AccountEntry, excluding: int | None) -> Case | None:
    cases = Case.objects.filter(
        item__code=ITEM_CORRECTION, status__in=OPEN_STATUSES, data__entry_id=entry.pk
    )
    if excluding is not None:
        cases = cases.exclude(pk=excluding)
    return cases.order_by("pk").first()


def correction_plan(
    *,
    person: Person,
    reason: str,
    entry: AccountEntry | None = None,
    amount_fen: int | None = None,
    case_id: int | None = None,
) -> CorrectionPlan:
    """Every rule of a correction; raises the first violation. ``case_id``: the case being
    approved, which does not stand in its own way."""
    if (entry is None) == (amount_fen is None):
        raise RuleViolation("ACC-CORR-WHAT")
    if not reason.strip():
        raise RuleViolation("ACC-CORR-REASON")
    if entry is not None:
        if entry.person_id != person.pk:
            raise RuleViolation("ACC-CORR-ENTRY")
        if entry.reverses_id is not None:
            raise RuleViolation("ACC-CORR-REVERSAL")
        reversal = AccountEntry.objects.filter(reverses=entry).first()
        if reversal is not None:
            raise RuleViolation("ACC-CORR-REVERSED", key=reversal.key)
        pending = _pending_reversal(entry, case_id)
        if pending is not None:
            raise RuleViolation("ACC-CORR-PENDING", receipt=pending.receipt_no)
        amount_fen = -entry.amount_fen
    assert amount_fen is not None
    if amount_fen == 0:
        raise RuleViolation("ACC-CORR-AMOUNT")
    plan = CorrectionPlan(
        amount_fen=amount_fen,
        reverses=entry,
        reason=reason.strip(),
        balance_before_fen=balance_fen(person),
    )
    if plan.balance_after_fen < 0:
        raise RuleViolation("ACC-CORR-NEGATIVE", balance=format_yuan(plan.balance_after_fen))
    return plan


def correction_request(
    *,
    actor: Actor,
    person: Person,
    reason: str,
    entry: AccountEntry | None = None,
    amount_fen: int | None = None,
    channel: str = "counter",
) -> Case:
    """Check the correction and open its case; the entry is written on approval."""
    ensure_in_scope(actor, person.managing_agency)
    if actor.user is None:
        raise RuleViolation("ACC-CORR-STAFF-ONLY")
    ensure_person_active(person)
    plan = correction_plan(person=person, reason=reason, entry=entry, amount_fen=amount_fen)
    with transaction.atomic(durable=True):
        case = open_request(
            actor=actor,
            item_code=ITEM_CORRECTION,
            channel=channel,
            person=person,
            data=plan.as_json(),
        )
        audit_record(
            actor=actor,
            action="account.correction.request",
            target=case,
            target_agency=person.managing_agency,
            after={
                "person": person.pk,
                "amount_fen": plan.amount_fen,
                "reverses": entry.pk if entry else None,
                "case": case.receipt_no,
            },
        )
    return case


def correction_key(case: Case) -> str:
    return f"correction:case:{case.pk}"


def apply_correction(case: Case, actor: Actor, today: date | None = None) -> AccountEntry:
    """On approval: check again under the person's lock and write the one entry. A replay
    finds the entry by its key and writes nothing."""
    existing = AccountEntry.objects.filter(key=correction_key(case)).first()
    if existing is not None:
        return existing
    assert case.applicant_person_id is not None
    # Serialises the corrections and transfers of one person: the balance checked is the
    # balance written to.
    person = Person.objects.select_for_update().get(pk=case.applicant_person_id)
    entry_id = case.data.get("entry_id")
    # Not locked itself (FOR UPDATE asks for a privilege the append-only journal need not
    # grant): the person's lock already keeps a second reversal of it waiting.
    entry = AccountEntry.objects.get(pk=entry_id) if entry_id is not None else None
    plan = correction_plan(
        person=person,
        reason=str(case.data.get("reason", "")),
        entry=entry,
        amount_fen=None if entry is not None else int(case.data["amount_fen"]),
        case_id=case.pk,
    )
    today = today or timezone.localdate()
    written = entry_post(
        actor=actor,
        person=person,
        kind=EntryKind.CORRECTION,
        amount_fen=plan.amount_fen,
        year=today.year,
        month=today.month,
        period=entry.period if entry is not None else None,
        source=f"case:{case.receipt_no}"[:60],
        key=correction_key(case),
        reverses=entry,
        note=plan.reason[:200],
    )
    case_record_link(case=case, record=written, effect="created")
    return written
