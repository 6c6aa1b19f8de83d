"""Inheritance of a deceased participant's individual account (个人账户继承, item SBBN008,
reviewed; 社会保险法 art. 14, rules.md §2.5).

What is inherited:

- a working participant: the journal balance at the death plus the part-year interest of the
  death's year to the month of death, credited provisionally at the latest published rate as a
  transfer or a retirement does (nothing more when the yearly run has already credited that
  year);
- a retiree: what the account pension has not yet used up. The award fixed the account at
  retirement and pays ``account_fen`` a month out of it; the journal never recorded those
  monthly payouts, so the remainder is the journal balance (with the retirement year's
  part-year interest the award counted, when the yearly run has not credited that year since)
  less the account pension of every month from the first paid month to the month of death,
  never below zero.

The heirs' shares are fractions that sum to exactly 1; each heir receives the share of the
amount rounded down to the fen, and the fen left over go to the first heir listed. The
approval works the amount out again (a difference refuses it), records the ``Inheritance``,
closes the account in the journal in the month of death (part-year interest, the retiree's
payouts, then the ``inheritance`` entry that empties it, each keyed so a replay writes
nothing) and opens one one-time ``inheritance`` benefit per heir for the monthly payroll.
A death must be registered and no pension may still run (the account funds it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils import timezone

from shebao.accounts.models import AccountEntry, EntryKind
from shebao.accounts.services.journal import balance_fen, entry_post
from shebao.accounts.services.transfers import part_year_interest
from shebao.benefits.models import (
    Benefit,
    BenefitKind,
    Inheritance,
    Pension,
    PensionAward,
    PensionStatus,
)
from shebao.benefits.services.benefits import Payee, benefit_open
from shebao.benefits.services.death_benefits import death_of, paying_agency
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.identifiers import resident_id_check
from shebao.core.models import Channel
from shebao.core.money import format_yuan
from shebao.core.periods import period_format, period_of, period_range
from shebao.core.permissions import ensure_in_scope
from shebao.registry.models import Person, Scheme
from shebao.registry.services.common import open_request
from shebao.rules.params import ParameterSource
from shebao.rules.store import DatabaseParameters
from shebao.services.models import OPEN_STATUSES, Case
from shebao.services.services import case_record_link

ITEM_INHERITANCE = "SBBN008"
_BASIS = "社会保险法 art. 14"

register_rule(
    "INH-PENSION-RUNNING",
    "该人员的养老金仍在发放，个人账户用于支付养老金，不能继承。",
    "This person's pension still runs: the account pays it and cannot be inherited.",
    _BASIS,
)
register_rule(
    "INH-ALREADY",
    "该人员的个人账户已于办件 {case} 继承。",
    "This person's account was already inherited (case {case}).",
    _BASIS,
)
register_rule(
    "INH-OPEN-REQUEST",
    "该人员已有未办结的个人账户继承申请（{receipt}）。",
    "An open request to inherit this account exists ({receipt}).",
    _BASIS,
)
register_rule(
    "INH-NEGATIVE-BALANCE",
    "个人账户余额为 {balance} 元，不能为负；请先办理账户更正。",
    "The account balance is {balance} yuan and may not be negative: correct the account first.",
    _BASIS,
)
register_rule(
    "INH-NOTHING",
    "个人账户没有可继承的余额。",
    "The account holds nothing to inherit.",
    _BASIS,
)
register_rule(
    "INH-NO-HEIRS",
    "请至少登记一名继承人。",
    "Give at least one heir.",
    _BASIS,
)
register_rule(
    "INH-HEIR-INCOMPLETE",
    "第 {n} 名继承人的姓名、与死者关系、继承份额、开户银行和银行账号须填写完整。",
    "Heir {n}: give the name, relation to the deceased, share, bank and bank account.",
    _BASIS,
)
register_rule(
    "INH-HEIR-TWICE",
    "继承人 {name} 登记了两次。",
    "Heir {name} is listed twice.",
    _BASIS,
)
register_rule(
    "INH-HEIR-IS-DECEASED",
    "继承人不能是死者本人。",
    "An heir cannot be the deceased.",
    _BASIS,
)
register_rule(
    "INH-SHARE-FORMAT",
    "继承份额“{share}”应为大于0且不超过1的分数或小数，如 1/2、1/3、0.25。",
    "Share '{share}' must be a fraction or decimal above 0 and at most 1, like 1/2, 1/3, 0.25.",
    _BASIS,
)
register_rule(
    "INH-SHARES-SUM",
    "各继承人份额之和为 {total}，应恰好等于 1。",
    "The heirs' shares add up to {total}; they must add up to exactly 1.",
    _BASIS,
)
register_rule(
    "INH-FIGURES-CHANGED",
    "可继承金额已变化（受理时 {before} 元，现为 {after} 元），请撤回后重新申请。",
    "The amount to inherit changed ({before} yuan at the request, {after} yuan now): withdraw "
    "the case and make a new request.",
    _BASIS,
)
register_rule(
    "INH-BALANCE",
    "可继承金额：在职人员 = 死亡时账户余额 + 当年至死亡月的利息；退休人员 = 账户余额 − 已领取的"
    "个人账户养老金（不低于0）",
    "Amount inherited: a working member = the balance at death + the year's interest to the "
    "month of death; a retiree = the balance − the account pension drawn (at least 0)",
    _BASIS + "; 国发〔2005〕38号",
    kind="calculation",
)
register_rule(
    "INH-SPLIT",
    "各继承人金额 = 可继承金额 × 份额，舍去分以下；余下的分计入第一名继承人",
    "Each heir's amount = the amount × the share, rounded down to the fen; the fen left over "
    "go to the first heir",
    _BASIS,
    kind="calculation",
)


@dataclass(frozen=True)
class Heir:
    name: str
    resident_id: str
    relation: str
    share: Fraction
    bank_name: str
    bank_account: str

    def as_json(self, amount_fen: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = asdict(self) | {"share": str(self.share)}
        if amount_fen is not None:
            body["amount_fen"] = amount_fen
        return body

    @property
    def payee(self) -> Payee:
        return Payee(self.name, self.resident_id, self.relation, self.bank_name, self.bank_account)


@dataclass(frozen=True)
class InheritanceFigures:
    """What the account leaves to the heirs, and the journal entries that close it."""

    person_id: int
    status: str  # working / retired
    death_month: int
    balance_fen: int  # the journal now
    interest_fen: int  # part-year interest posted at the closing (provisional)
    interest_rate: str
    interest_provisional: bool
    drawn_months: int
    account_pension_fen: int
    payout_fen: int  # the retiree's account pension drawn, closed out of the journal
    amount_fen: int  # what the heirs share
    trace: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def share_parse(text: str) -> Fraction:
    """``1/2``, ``0.25`` or ``1`` → an exact fraction in (0, 1]."""
    raw = text.strip()
    try:
        share = Fraction(raw)
    except (ValueError, ZeroDivisionError) as exc:
        raise RuleViolation("INH-SHARE-FORMAT", share=raw) from exc
    if not 0 < share <= 1:
        raise RuleViolation("INH-SHARE-FORMAT", share=raw)
    return share


def heirs_check(person: Person, rows: list[dict[str, str]]) -> list[Heir]:
    """The heirs as entered (blank rows skipped), checked: complete, valid and distinct
    resident IDs, not the deceased, shares summing to exactly 1."""
    heirs: list[Heir] = []
    seen: set[str] = set()
    filled = [row for row in rows if any(str(v).strip() for v in row.values())]
    if not filled:
        raise RuleViolation("INH-NO-HEIRS")
    for n, row in enumerate(filled, start=1):
        values = {k: str(row.get(k, "")).strip() for k in Heir.__dataclass_fields__}
        if not all(values.values()):
            raise RuleViolation("INH-HEIR-INCOMPLETE", n=n)
        number = resident_id_check(values["resident_id"]).number
        if number == person.resident_id:
            raise RuleViolation("INH-HEIR-IS-DECEASED")
        if number in seen:
            raise RuleViolation("INH-HEIR-TWICE", name=values["name"])
        seen.add(number)
        heirs.append(
            Heir(
                name=values["name"][:50],
                resident_id=number,
                relation=values["relation"][:20],
                share=share_parse(values["share"]),
                bank_name=values["bank_name"][:50],
                bank_account=values["bank_account"][:30],
            )
        )
    total = sum((h.share for h in heirs), Fraction(0))
    if total != 1:
        raise RuleViolation("INH-SHARES-SUM", total=str(total))
    return heirs


def inheritance_split(amount_fen: int, shares: list[Fraction]) -> list[int]:
    """Each share of ``amount_fen`` rounded down to the fen; the remainder to the first."""
    parts = [int(amount_fen * share) for share in shares]  # int() of a Fraction ≥ 0 floors
    parts[0] += amount_fen - sum(parts)
    return parts


def _year_credited(person: Person, year: int) -> bool:
    """The yearly run has credited ``year`` (a final, not provisional, interest entry)."""
    return AccountEntry.objects.filter(
        person=person, kind=EntryKind.INTEREST, year__gte=year, provisional=False
    ).exists()


def _step(description: str, value: int) -> dict[str, Any]:
    return {
        "rule": "INH-BALANCE",
        "description": description,
        "value": format_yuan(value),
        "params": [],
    }


def inheritance_assess(
    *, person: Person, source: ParameterSource | None = None
) -> InheritanceFigures:
    """The amount the heirs share and how the account closes. Writes nothing."""
    death = death_of(person)
    death_month = period_of(death.died_on)
    existing = Inheritance.objects.filter(person=person).first()
    if existing is not None:
        raise RuleViolation("INH-ALREADY", case=existing.case_id or "—")
    pension = Pension.objects.filter(person=person).first()
    if pension is not None and pension.status != PensionStatus.STOPPED:
        raise RuleViolation("INH-PENSION-RUNNING")
    source = source or DatabaseParameters()
    balance = balance_fen(person)
    if balance < 0:
        raise RuleViolation("INH-NEGATIVE-BALANCE", balance=format_yuan(balance))
    if pension is None:
        figures = _working(person, death_month, balance, source)
    else:
        figures = _retired(person, pension, death_month, balance)
    if figures.amount_fen <= 0:
        raise RuleViolation("INH-NOTHING")
    return figures


def _working(
    person: Person, death_month: int, balance: int, source: ParameterSource
) -> InheritanceFigures:
    interest = part_year_interest(person=person, period=death_month, source=source)
    credited = _year_credited(person, death_month // 100)
    interest_fen = 0 if credited else interest.interest_fen
    amount = balance + interest_fen
    note = " (the year is already credited)" if credited else f" at {interest.rate}"
    trace = ([] if credited else interest.trace) + [
        _step(
            f"working: balance {format_yuan(balance)} + interest to "
            f"{period_format(death_month)} {format_yuan(interest_fen)}{note}",
            amount,
        )
    ]
    return InheritanceFigures(
        person_id=person.pk,
        status="working",
        death_month=death_month,
        balance_fen=balance,
        interest_fen=interest_fen,
        interest_rate=interest.rate,
        interest_provisional=interest.provisional and not credited,
        drawn_months=0,
        account_pension_fen=0,
        payout_fen=0,
        amount_fen=amount,
        trace=trace,
    )


def _retired(
    person: Person, pension: Pension, death_month: int, balance: int
) -> InheritanceFigures:
    award = PensionAward.objects.filter(pension=pension).order_by("-id").first()
    account_pension = award.account_fen if award is not None else 0
    drawn_months = len(period_range(pension.start_period, pension.end_period or death_month))
    # The retirement year's part-year interest the award counted in the account, unless the
    # yearly run has credited that year since (then the journal holds it already).
    retirement_year = pension.retirement_month // 100
    unposted = 0
    if award is not None and not _year_credited(person, retirement_year):
        unposted = int((award.calculation.get("account") or {}).get("interest_fen") or 0)
    drawn = account_pension * drawn_months
    available = balance + unposted
    amount = max(0, available - drawn)
    trace = [
        _step(
            f"retired: balance {format_yuan(balance)} + retirement-year interest "
            f"{format_yuan(unposted)} − account pension {format_yuan(account_pension)} × "
            f"{drawn_months} months drawn",
            amount,
        )
    ]
    return InheritanceFigures(
        person_id=person.pk,
        status="retired",
        death_month=death_month,
        balance_fen=balance,
        interest_fen=unposted,
        interest_rate="",
        interest_provisional=True,
        drawn_months=drawn_months,
        account_pension_fen=account_pension,
        payout_fen=min(drawn, available),
        amount_fen=amount,
        trace=trace,
    )


def inheritance_preview(
    *, person: Person, heirs: list[Heir], source: ParameterSource | None = None
) -> dict[str, Any]:
    """The figures and each heir's amount, as the case stores them."""
    figures = inheritance_assess(person=person, source=source)
    parts = inheritance_split(figures.amount_fen, [h.share for h in heirs])
    floors = sum(int(figures.amount_fen * h.share) for h in heirs)
    trace = [
        *figures.trace,
        {
            "rule": "INH-SPLIT",
            "description": " + ".join(f"{h.name} {h.share}" for h in heirs)
            + f"; {format_yuan(figures.amount_fen - floors)} left over to the first heir",
            "value": " / ".join(format_yuan(p) for p in parts),
            "params": [],
        },
    ]
    return {
        "figures": figures.as_json() | {"trace": trace},
        "heirs": [h.as_json(part) for h, part in zip(heirs, parts, strict=True)],
    }


def open_inheritance_case(person: Person) -> Case | None:
    return Case.objects.filter(
        item__code=ITEM_INHERITANCE, applicant_person=person, status__in=OPEN_STATUSES
    ).first()


def inheritance_request(*, actor: Actor, person: Person, heirs: list[Heir]) -> Case:
    """Open the reviewed inheritance case with the heirs, their shares and amounts."""
    ensure_in_scope(actor, paying_agency(person))
    preview = inheritance_preview(person=person, heirs=heirs)
    with transaction.atomic(durable=True):
        pending = open_inheritance_case(person)
        if pending is not None:
            raise RuleViolation("INH-OPEN-REQUEST", receipt=pending.receipt_no)
        case = open_request(
            actor=actor,
            item_code=ITEM_INHERITANCE,
            channel=Channel.COUNTER,
            person=person,
            data=preview,
        )
        audit_record(
            actor=actor,
            action="inheritance.request",
            target=case,
            target_agency=case.agency,
            after={
                "person": person.pk,
                "amount_fen": preview["figures"]["amount_fen"],
                "heirs": [(h["name"], h["share"], h["amount_fen"]) for h in preview["heirs"]],
            },
        )
    return case


def _heirs_of(case: Case) -> list[Heir]:
    return [
        Heir(
            name=h["name"],
            resident_id=h["resident_id"],
            relation=h["relation"],
            share=Fraction(h["share"]),
            bank_name=h["bank_name"],
            bank_account=h["bank_account"],
        )
        for h in case.data["heirs"]
    ]


def inheritance_case_approved(case: Case, actor: Actor) -> Inheritance:
    """The SBBN008 handler: the amount again, the Inheritance, the journal closed, one
    one-time benefit per heir. Any refusal refuses the approval: nothing is written."""
    person = case.applicant_person
    if person is None or "heirs" not in case.data:
        raise RuleViolation("INH-NO-HEIRS")
    Person.objects.select_for_update().get(pk=person.pk)
    heirs = _heirs_of(case)
    preview = inheritance_preview(person=person, heirs=heirs)
    figures = preview["figures"]
    if [h["amount_fen"] for h in preview["heirs"]] != [h["amount_fen"] for h in case.data["heirs"]]:
        raise RuleViolation(
            "INH-FIGURES-CHANGED",
            before=format_yuan(int(case.data["figures"]["amount_fen"])),
            after=format_yuan(int(figures["amount_fen"])),
        )
    inheritance = Inheritance.objects.create(
        person=person, case_id=case.pk, balance_fen=figures["amount_fen"], heirs=preview["heirs"]
    )
    case_record_link(case=case, record=inheritance, effect="created")
    year, month = divmod(int(figures["death_month"]), 100)
    entries = []
    if figures["interest_fen"]:
        entries.append(
            entry_post(
                actor=actor,
                person=person,
                kind=EntryKind.INTEREST,
                amount_fen=figures["interest_fen"],
                year=year,
                month=month,
                source=f"inheritance:{inheritance.pk}",
                key=f"inheritance:{person.pk}:interest",
                rate=figures["interest_rate"],
                provisional=True,
                note="part-year interest to the month of death"
                if figures["status"] == "working"
                else "retirement-year interest counted by the award",
            )
        )
    if figures["payout_fen"]:
        entries.append(
            entry_post(
                actor=actor,
                person=person,
                kind=EntryKind.PAYOUT,
                amount_fen=-figures["payout_fen"],
                year=year,
                month=month,
                source=f"inheritance:{inheritance.pk}",
                key=f"inheritance:{person.pk}:payout",
                note=f"account pension drawn: {figures['drawn_months']} months",
            )
        )
    entries.append(
        entry_post(
            actor=actor,
            person=person,
            kind=EntryKind.INHERITANCE,
            amount_fen=-figures["amount_fen"],
            year=year,
            month=month,
            source=f"inheritance:{inheritance.pk}",
            key=f"inheritance:{person.pk}:out",
            note=f"{len(heirs)} heirs, case {case.receipt_no}"[:200],
        )
    )
    for entry in entries:
        case_record_link(case=case, record=entry, effect="created")
    agency = paying_agency(person)
    month_paid = period_of(timezone.localdate())
    benefits: list[Benefit] = []
    for heir in preview["heirs"]:
        benefit = benefit_open(
            actor=actor,
            person=person,
            scheme=Scheme.PENSION,
            kind=BenefitKind.INHERITANCE,
            payee=Payee(
                heir["name"],
                heir["resident_id"],
                heir["relation"],
                heir["bank_name"],
                heir["bank_account"],
            ),
            agency=agency,
            start_period=month_paid,
            monthly_fen=heir["amount_fen"],
            case_id=case.pk,
            source=f"inheritance:{inheritance.pk}",
            calculation={"share": heir["share"], "amount_fen": figures["amount_fen"]},
        )
        case_record_link(case=case, record=benefit, effect="created")
        benefits.append(benefit)
    audit_record(
        actor=actor,
        action="inheritance.approve",
        target=inheritance,
        target_agency=agency,
        after={
            "case": case.receipt_no,
            "amount_fen": figures["amount_fen"],
            "entries": [e.pk for e in entries],
            "benefits": [b.pk for b in benefits],
            "balance_after_fen": balance_fen(person),
        },
    )
    return inheritance
