"""Opening and stopping the benefits other than the pension (``Benefit``), shared by
unemployment, work injury and death. The writers run inside their caller's transaction (a case
approval) and the caller audits its business action; these add their own audit entry of the
benefit itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from shebao.benefits.models import Benefit, BenefitKind, BenefitPayer, BenefitStatus
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import Action, Agency
from shebao.core.money import format_yuan
from shebao.core.periods import period_format
from shebao.core.permissions import ensure_can, ensure_in_scope
from shebao.registry.models import Person

register_rule(
    "BEN-FUNERAL-ONCE",
    "{name} 的丧葬补助金已由 {source} 发给，同一人只能领取一次丧葬补助金。",
    "The funeral subsidy for {name} was already granted ({source}): one person's funeral "
    "subsidy is paid once, under one scheme only.",
    "社会保险法 art. 49",
)
register_rule(
    "BEN-BANK-ACCOUNT",
    "请填写开户银行和银行账号（账号只含数字）。",
    "Give the bank and the account number (digits only).",
)
register_rule(
    "BEN-END-BEFORE-START",
    "待遇的最后月份 {end} 早于首月 {start}。",
    "The benefit's last month {end} is before its first month {start}.",
)

ONE_TIME_KINDS = frozenset(
    {
        BenefitKind.DISABILITY_LUMP_SUM,
        BenefitKind.MEDICAL_REIMBURSEMENT,
        BenefitKind.FUNERAL_GRANT,
        BenefitKind.DEATH_LUMP_SUM,
        BenefitKind.SURVIVOR_PAYMENT,
        BenefitKind.INHERITANCE,
    }
)


@dataclass(frozen=True)
class Payee:
    """Who receives the money: the person themself, or a survivor or heir."""

    name: str
    resident_id: str
    relation: str = "self"
    bank_name: str = ""
    bank_account: str = ""

    @classmethod
    def of(cls, person: Person) -> Payee:
        return cls(person.name, person.resident_id, "self", person.bank_name, person.bank_account)


def funeral_grant_of(person: Person) -> Benefit | None:
    """The funeral subsidy already granted for ``person``, under whichever scheme."""
    return Benefit.objects.filter(person=person, kind=BenefitKind.FUNERAL_GRANT).first()


def benefit_open(
    *,
    actor: Actor,
    person: Person,
    scheme: str,
    kind: str,
    payee: Payee,
    agency: Agency,
    start_period: int,
    monthly_fen: int,
    end_period: int | None = None,
    payer: str = BenefitPayer.FUND,
    medical_fen: int = 0,
    case_id: int | None = None,
    source: str = "",
    calculation: dict[str, Any] | None = None,
) -> Benefit:
    """Open a benefit: monthly from ``start_period`` (to ``end_period``, or until stopped), or
    one-time when ``kind`` is a lump sum (paid once, in the first payroll from its month).
    A second funeral subsidy for the same person is refused (``BEN-FUNERAL-ONCE``)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("benefit_open must run inside the caller's transaction")
    if kind in ONE_TIME_KINDS:
        end_period = start_period
    if end_period is not None and end_period < start_period:
        raise RuleViolation(
            "BEN-END-BEFORE-START", start=period_format(start_period), end=period_format(end_period)
        )
    if kind == BenefitKind.FUNERAL_GRANT:
        _ensure_no_funeral_grant(person)
    try:
        with transaction.atomic():
            benefit = Benefit.objects.create(
                person=person,
                scheme=scheme,
                kind=kind,
                payer=payer,
                payee_name=payee.name,
                payee_resident_id=payee.resident_id,
                payee_relation=payee.relation,
                agency=agency,
                case_id=case_id,
                source=source,
                start_period=start_period,
                end_period=end_period,
                monthly_fen=monthly_fen,
                medical_fen=medical_fen,
                bank_name=payee.bank_name,
                bank_account=payee.bank_account,
                calculation=calculation or {},
                created_by=actor.username,
            )
    except IntegrityError:
        if kind == BenefitKind.FUNERAL_GRANT:  # granted at the same moment by another case
            _ensure_no_funeral_grant(person)
        raise
    audit_record(
        actor=actor,
        action="benefit.open",
        target=benefit,
        target_agency=agency,
        after={
            "person": person.pk,
            "scheme": scheme,
            "kind": kind,
            "payer": payer,
            "payee": payee.name,
            "start_period": start_period,
            "end_period": end_period,
            "monthly_fen": monthly_fen,
            "medical_fen": medical_fen,
            "case": case_id,
            "source": source,
        },
    )
    return benefit


def _ensure_no_funeral_grant(person: Person) -> None:
    granted = funeral_grant_of(person)
    if granted is not None:
        raise RuleViolation(
            "BEN-FUNERAL-ONCE",
            name=person.name,
            source=f"{granted.scheme} #{granted.pk} ({format_yuan(granted.monthly_fen)})",
        )


def benefit_stop(*, actor: Actor, benefit: Benefit, last_period: int, reason: str) -> Benefit:
    """Stop a benefit after ``last_period`` (the last month still due). Runs inside the
    caller's transaction; a stopped benefit stays stopped."""
    locked = Benefit.objects.select_for_update().get(pk=benefit.pk)
    if locked.status == BenefitStatus.STOPPED:
        return locked
    before = {"status": locked.status, "stop_period": locked.stop_period}
    # The last month due is the earlier of end_period and stop_period; a stop before the
    # first month leaves nothing due at all.
    locked.status = BenefitStatus.STOPPED
    locked.stop_reason = reason
    locked.stop_period = last_period
    locked.save(update_fields=["status", "stop_reason", "stop_period"])
    audit_record(
        actor=actor,
        action="benefit.stop",
        target=locked,
        target_agency=locked.agency,
        before=before,
        after={"status": locked.status, "stop_period": last_period, "reason": reason},
    )
    return locked


def benefits_stop_all(*, actor: Actor, person: Person, last_period: int, reason: str) -> int:
    """Stop every monthly benefit arising from ``person`` after ``last_period`` (a death);
    returns how many were stopped. One-time benefits already granted are kept."""
    running = (
        Benefit.objects.filter(person=person)
        .exclude(status=BenefitStatus.STOPPED)
        .exclude(kind__in=ONE_TIME_KINDS)
        .order_by("pk")
    )
    count = 0
    for benefit in running:
        benefit_stop(actor=actor, benefit=benefit, last_period=last_period, reason=reason)
        count += 1
    return count


def benefit_bank_account_change(
    *, actor: Actor, benefit: Benefit, bank_name: str, bank_account: str
) -> Benefit:
    """Record the payee's corrected account; a benefit suspended because the bank returned
    its payment is in payment again, and the next payroll pays the returned months."""
    ensure_can(actor, Action.ACCEPT)
    ensure_in_scope(actor, benefit.agency)
    if not bank_name.strip() or not bank_account.strip().isdigit():
        raise RuleViolation("BEN-BANK-ACCOUNT")
    with transaction.atomic(durable=True):
        locked = Benefit.objects.select_for_update().get(pk=benefit.pk)
        before = {
            "bank_name": locked.bank_name,
            "bank_account": locked.bank_account,
            "status": locked.status,
        }
        locked.bank_name, locked.bank_account = bank_name.strip(), bank_account.strip()
        if locked.status == BenefitStatus.SUSPENDED and locked.stop_reason == "bank":
            locked.status, locked.stop_reason = BenefitStatus.ACTIVE, ""
        locked.save(update_fields=["bank_name", "bank_account", "status", "stop_reason"])
        audit_record(
            actor=actor,
            action="benefit.bank_change",
            target=locked,
            target_agency=locked.agency,
            before=before,
            after={
                "bank_name": locked.bank_name,
                "bank_account": locked.bank_account,
                "status": locked.status,
            },
        )
    return locked
