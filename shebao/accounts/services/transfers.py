"""Inter-province transfer of the pension relation (城镇职工基本养老保险关系转移接续, SBTR001,
国办发〔2009〕66号), out of the province and into it.

Out (转出): priced at the counter for the transfer month (the month of the request): the whole
individual account with its part-year interest, credited provisionally at the latest published
rate (rules.md §2.4), and the pooled fund's 12% of the actual base of every paid month (§2.6).
On approval it is priced again on the journal as it then stands, the interest and the
transfer-out entries are posted and the pension relation ends as transferred out.

In (转入): the clerk types what the other province's transfer letter says it sends; on approval
the account part is credited. A person who works here gets their relation through a staff
addition, which is its own case.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from shebao.accounts.models import (
    AccountEntry,
    EntryKind,
    Transfer,
    TransferDirection,
    TransferStatus,
)
from shebao.accounts.services.journal import entry_post
from shebao.contributions.models import AssessmentLine
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.money import fen_to_yuan, format_yuan, yuan_to_fen
from shebao.core.periods import period_format, period_last_day, period_of
from shebao.core.permissions import ensure_in_scope
from shebao.registry.models import InsuredRelation, Person, RelationStatus, Scheme
from shebao.registry.rules import check_end_period
from shebao.registry.services.common import open_request
from shebao.registry.services.persons import ensure_person_active
from shebao.rules.calculators.interest import MonthlyCredit, account_interest
from shebao.rules.calculators.transfer import MonthlyBase, transfer_out
from shebao.rules.params import NATIONAL, ParameterSource
from shebao.rules.store import DatabaseParameters
from shebao.services.models import OPEN_STATUSES, Case
from shebao.services.services import case_record_link

ITEM_TRANSFER = "SBTR001"
_BASIS = "国办发〔2009〕66号"

register_rule(
    "TRF-NO-PENSION-RELATION",
    "该人员在本省没有正常参保的养老保险关系，不能办理转出。",
    "This person has no active pension relation in the province: there is nothing to transfer.",
    _BASIS,
)
register_rule(
    "TRF-OPEN-REQUEST",
    "该人员已有未办结的转移申请（{receipt}），请先办结。",
    "A transfer of this person is still open ({receipt}): finish it first.",
    _BASIS,
)
register_rule(
    "TRF-OTHER-SIDE",
    "请填写对方省份和社保经办机构。",
    "Give the other province and its social insurance agency.",
    _BASIS,
)
register_rule(
    "TRF-NEGATIVE-BALANCE",
    "个人账户余额为 {balance} 元，不能为负；请先办理账户更正。",
    "The account balance is {balance} yuan and may not be negative: correct the account first.",
    _BASIS,
)
register_rule(
    "TRF-IN-AMOUNTS",
    "转入金额不能为负，且个人账户、统筹基金和缴费月数至少一项大于零。",
    "Amounts transferred in may not be negative, and the account, the pooled part or the "
    "months must be more than zero.",
    _BASIS,
)
register_rule(
    "TRF-YEAR-CHANGED",
    "转移申请所属月份 {period} 已跨年度，请撤回后重新申请（利息按新年度计算）。",
    "The transfer month {period} is in a past year: withdraw the case and make a new request "
    "(interest is worked out for the new year).",
    "rules.md §2.4",
)
register_rule(
    "TRF-STAFF-ONLY",
    "转移申请须由经办人员登记。",
    "A transfer must be recorded by a member of staff.",
)
register_rule(
    "ACC-INT-PART-YEAR",
    "年度中间转移（第T月）：上年末余额计息 T − 1 个月，当年第n月记账额计息 T − n 个月，"
    "转移当月不计息",
    "Part year to a transfer in month T: the opening balance earns T − 1 months, a credit of "
    "month n earns T − n months; the transfer month earns nothing",
    "劳办发〔1997〕116号; rules.md §2.4",
    kind="calculation",
)


@dataclass(frozen=True)
class TransferPrice:
    """What a transfer out moves, worked out for the transfer month."""

    period: int
    balance_fen: int  # the journal before the part-year interest
    interest_fen: int
    rate: str
    rate_year: int
    provisional: bool
    account_fen: int  # balance + interest: the whole account
    pooled_fen: int
    months: int
    months_ignored: int
    total_fen: int
    trace: list[dict[str, Any]]
    parameters: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


# --- pricing ------------------------------------------------------------------------------------


def paid_monthly_bases(person: Person, *, through: int) -> list[MonthlyBase]:
    """The actual pension base of each paid month up to ``through``: the sum of the period's
    paid lines (an original and its differences), months netting to zero left out."""
    rows = (
        AssessmentLine.objects.filter(
            person=person, scheme=Scheme.PENSION, paid_on__isnull=False, period__lte=through
        )
        .values("period")
        .annotate(base=Sum("base_fen"))
        .order_by("period")
    )
    return [
        MonthlyBase(period=row["period"], base=fen_to_yuan(int(row["base"])))
        for row in rows
        if row["base"] > 0
    ]


def part_year_credits(
    person: Person, year: int, month: int
) -> tuple[int, int, list[MonthlyCredit]]:
    """The journal as the part-year interest sees it: the balance, the opening balance of the
    year, and the interest-bearing amounts placed so that the yearly monthly-product method
    gives the part year.

    The yearly method lets money arriving in month m earn 13 − m months, and money leaving in
    month m stop earning for the same 13 − m: the transfer month itself earns nothing. Up to a
    transfer in month T, the opening balance earns T − 1 months and a credit of month n earns
    T − n, so the opening is placed in month 14 − T and each credit 13 − T months later (a
    credit of the transfer month or later earns nothing). One rounding, at the end, as in the
    yearly crediting.
    """
    sums = (
        AccountEntry.objects.filter(person=person)
        .values("year", "month")
        .annotate(amount=Sum("amount_fen"))
        .order_by()
    )
    balance = 0
    opening = 0
    by_month: dict[int, int] = defaultdict(int)
    for row in sums:
        amount = int(row["amount"])
        balance += amount
        if row["year"] < year:
            opening += amount
        elif row["year"] == year and row["month"] < month:
            by_month[row["month"]] += amount
    shift = 13 - month
    credits = []
    if month > 1 and opening:
        credits.append(MonthlyCredit(period=year * 100 + 1 + shift, amount=fen_to_yuan(opening)))
    credits += [
        MonthlyCredit(period=year * 100 + n + shift, amount=fen_to_yuan(amount))
        for n, amount in sorted(by_month.items())
        if amount
    ]
    return balance, opening, credits


@dataclass(frozen=True)
class PartYearInterest:
    """The journal balance and the provisional interest of the year up to a month (a transfer
    or a retirement in that month)."""

    balance_fen: int  # the journal before the part-year interest
    opening_fen: int
    interest_fen: int
    rate: str
    rate_year: int
    provisional: bool
    trace: list[dict[str, Any]]
    parameters: list[dict[str, Any]]


def part_year_interest(*, person: Person, period: int, source: ParameterSource) -> PartYearInterest:
    """The balance and its part-year interest to ``period``, credited provisionally at the
    latest published rate (rules.md §2.4)."""
    year, month = divmod(period, 100)
    balance, opening, credits = part_year_credits(person, year, month)
    # The year's rate is published after the year: the latest published one, provisionally.
    rate = source.lookup("account.crediting_rate", NATIONAL, period_last_day(period))
    interest = account_interest(year=year, opening=Decimal(0), credits=credits, rate=rate)
    interest_fen = yuan_to_fen(interest.value.interest)
    part_year = {
        "rule": "ACC-INT-PART-YEAR",
        "description": f"to {period_format(period)}: opening {format_yuan(opening)} × "
        f"{month - 1} months, each credit of month n × ({month} − n) months",
        "value": format_yuan(interest_fen),
        "params": [],
    }
    steps = interest.trace_dict()
    return PartYearInterest(
        balance_fen=balance,
        opening_fen=opening,
        interest_fen=interest_fen,
        rate=format(interest.value.rate, "f"),
        rate_year=interest.value.rate_year,
        provisional=interest.value.provisional,
        trace=[part_year, *steps["trace"]],
        parameters=steps["parameters"],
    )


def transfer_out_price(
    *, person: Person, period: int, source: ParameterSource | None = None
) -> TransferPrice:
    """The amounts of a transfer out in ``period``, from the journal and the paid lines."""
    source = source or DatabaseParameters()
    interest = part_year_interest(person=person, period=period, source=source)
    if interest.balance_fen < 0:
        raise RuleViolation("TRF-NEGATIVE-BALANCE", balance=format_yuan(interest.balance_fen))
    on = period_last_day(period)
    account_fen = interest.balance_fen + interest.interest_fen
    priced = transfer_out(
        account_balance=fen_to_yuan(account_fen),
        monthly_bases=paid_monthly_bases(person, through=period),
        pooled_rate=source.lookup("transfer.pooled_rate", NATIONAL, on),
        pooled_start=source.lookup("transfer.pooled_start", NATIONAL, on),
    )
    transfer_steps = priced.trace_dict()
    outcome = priced.value
    return TransferPrice(
        period=period,
        balance_fen=interest.balance_fen,
        interest_fen=interest.interest_fen,
        rate=interest.rate,
        rate_year=interest.rate_year,
        provisional=interest.provisional,
        account_fen=account_fen,
        pooled_fen=yuan_to_fen(outcome.pooled),
        months=outcome.months_counted,
        months_ignored=outcome.months_ignored,
        total_fen=yuan_to_fen(outcome.total),
        trace=[*interest.trace, *transfer_steps["trace"]],
        parameters=[*interest.parameters, *transfer_steps["parameters"]],
    )


# --- requests -----------------------------------------------------------------------------------


def pension_relation_active(person: Person, *, lock: bool = False) -> InsuredRelation | None:
    """The person's active pension relation in the province (there is at most one)."""
    relations = InsuredRelation.objects.filter(
        person=person, scheme=Scheme.PENSION, status=RelationStatus.ACTIVE
    ).select_related("employer")
    if lock:
        relations = relations.select_for_update(of=("self",))
    return relations.first()


def open_transfer_case(person: Person, *, excluding: int | None = None) -> Case | None:
    """A transfer case of the person not finished yet, either direction."""
    cases = Case.objects.filter(
        item__code=ITEM_TRANSFER, applicant_person=person, status__in=OPEN_STATUSES
    )
    if excluding is not None:
        cases = cases.exclude(pk=excluding)
    return cases.order_by("pk").first()


def _check_request(actor: Actor, person: Person, other_region: str, other_agency: str) -> None:
    ensure_in_scope(actor, person.managing_agency)
    if actor.user is None:
        raise RuleViolation("TRF-STAFF-ONLY")
    ensure_person_active(person)
    if not other_region.strip() or not other_agency.strip():
        raise RuleViolation("TRF-OTHER-SIDE")
    pending = open_transfer_case(person)
    if pending is not None:
        raise RuleViolation("TRF-OPEN-REQUEST", receipt=pending.receipt_no)


def transfer_out_request(
    *,
    actor: Actor,
    person: Person,
    other_region: str,
    other_agency: str,
    channel: str = "counter",
    today: date | None = None,
) -> Transfer:
    """Price the transfer out for this month and open its case; nothing moves until approval."""
    _check_request(actor, person, other_region, other_agency)
    relation = pension_relation_active(person)
    if relation is None:
        raise RuleViolation("TRF-NO-PENSION-RELATION")
    period = period_of(today or timezone.localdate())
    price = transfer_out_price(person=person, period=period)
    return _transfer_open(
        actor=actor,
        person=person,
        direction=TransferDirection.OUT,
        period=period,
        other_region=other_region.strip(),
        other_agency=other_agency.strip(),
        account_fen=price.account_fen,
        interest_fen=price.interest_fen,
        pooled_fen=price.pooled_fen,
        months=price.months,
        calculation=price.as_json(),
        channel=channel,
        relation=relation,
    )


def transfer_in_request(
    *,
    actor: Actor,
    person: Person,
    other_region: str,
    other_agency: str,
    account_fen: int,
    pooled_fen: int,
    months: int,
    channel: str = "counter",
    today: date | None = None,
) -> Transfer:
    """Record what the other province's transfer letter sends and open the case."""
    _check_request(actor, person, other_region, other_agency)
    if min(account_fen, pooled_fen, months) < 0 or not (account_fen or pooled_fen or months):
        raise RuleViolation("TRF-IN-AMOUNTS")
    return _transfer_open(
        actor=actor,
        person=person,
        direction=TransferDirection.IN,
        period=period_of(today or timezone.localdate()),
        other_region=other_region.strip(),
        other_agency=other_agency.strip(),
        account_fen=account_fen,
        interest_fen=0,
        pooled_fen=pooled_fen,
        months=months,
        calculation={},
        channel=channel,
        relation=pension_relation_active(person),
    )


def _transfer_open(
    *,
    actor: Actor,
    person: Person,
    direction: str,
    period: int,
    other_region: str,
    other_agency: str,
    account_fen: int,
    interest_fen: int,
    pooled_fen: int,
    months: int,
    calculation: dict[str, Any],
    channel: str,
    relation: InsuredRelation | None,
) -> Transfer:
    employer = relation.employer if relation is not None else None
    data = {
        "direction": direction,
        "period": period,
        "other_region": other_region,
        "other_agency": other_agency,
        "account_fen": account_fen,
        "interest_fen": interest_fen,
        "pooled_fen": pooled_fen,
        "months": months,
        "relation_id": relation.pk if relation is not None else None,
        "employer": employer.name if employer is not None else "",
    }
    if calculation:
        data["price"] = calculation
    with transaction.atomic(durable=True):
        case = open_request(
            actor=actor, item_code=ITEM_TRANSFER, channel=channel, person=person, data=data
        )
        assert actor.user is not None
        transfer = Transfer.objects.create(
            person=person,
            direction=direction,
            case_id=case.pk,
            period=period,
            other_region=other_region,
            other_agency=other_agency,
            account_fen=account_fen,
            interest_fen=interest_fen,
            pooled_fen=pooled_fen,
            months=months,
            calculation=calculation,
            requested_by=actor.user,
        )
        audit_record(
            actor=actor,
            action=f"transfer.{direction}.request",
            target=transfer,
            target_agency=person.managing_agency,
            after={k: v for k, v in data.items() if k != "price"} | {"case": case.receipt_no},
        )
    return transfer


# --- applied on approval, inside the case's transaction -------------------------------------------


def apply_transfer(case: Case, actor: Actor, today: date | None = None) -> Transfer:
    """Apply an approved transfer once: a replay finds it approved and writes nothing."""
    transfer = Transfer.objects.select_for_update().get(case_id=case.pk)
    if transfer.status == TransferStatus.APPROVED:
        return transfer
    # One person's account moves at a time: a correction or another approval waits here.
    person = Person.objects.select_for_update().get(pk=transfer.person_id)
    today = today or timezone.localdate()
    if period_of(today) // 100 != transfer.period // 100:
        raise RuleViolation("TRF-YEAR-CHANGED", period=period_format(transfer.period))
    before = {
        "status": transfer.status,
        "account_fen": transfer.account_fen,
        "interest_fen": transfer.interest_fen,
        "pooled_fen": transfer.pooled_fen,
        "months": transfer.months,
    }
    if transfer.direction == TransferDirection.OUT:
        _apply_out(case, actor, transfer, person)
    else:
        _apply_in(case, actor, transfer, person)
    transfer.status = TransferStatus.APPROVED
    transfer.decided_by = actor.user
    transfer.decided_at = timezone.now()
    transfer.save()
    case_record_link(case=case, record=transfer, effect="changed")
    audit_record(
        actor=actor,
        action=f"transfer.{transfer.direction}.approve",
        target=transfer,
        target_agency=person.managing_agency,
        before=before,
        after={
            "status": transfer.status,
            "account_fen": transfer.account_fen,
            "interest_fen": transfer.interest_fen,
            "pooled_fen": transfer.pooled_fen,
            "months": transfer.months,
            "case": case.receipt_no,
        },
    )
    return transfer


def _apply_out(case: Case, actor: Actor, transfer: Transfer, person: Person) -> None:
    """Priced again on the journal as it stands now (a credit may have been posted since the
    request), then the provisional interest, the whole balance out, and the relation ended."""
    relation = pension_relation_active(person, lock=True)
    if relation is None:
        raise RuleViolation("TRF-NO-PENSION-RELATION")
    check_end_period(relation.start_period, transfer.period)
    price = transfer_out_price(person=person, period=transfer.period)
    year, month = divmod(transfer.period, 100)
    source = f"transfer:{transfer.pk}"
    if price.interest_fen:
        interest = entry_post(
            actor=actor,
            person=person,
            kind=EntryKind.INTEREST,
            amount_fen=price.interest_fen,
            year=year,
            month=month,
            source=source,
            key=f"transfer:{transfer.pk}:interest",
            rate=price.rate,
            provisional=price.provisional,
            note=f"part year to {period_format(transfer.period)}",
        )
        case_record_link(case=case, record=interest, effect="created")
    if price.account_fen:
        moved = entry_post(
            actor=actor,
            person=person,
            kind=EntryKind.TRANSFER_OUT,
            amount_fen=-price.account_fen,
            year=year,
            month=month,
            source=source,
            key=f"transfer:{transfer.pk}:out",
            note=f"{transfer.other_region} {transfer.other_agency}"[:200],
        )
        case_record_link(case=case, record=moved, effect="created")
    before = {"status": relation.status, "end_period": relation.end_period}
    relation.status = RelationStatus.TRANSFERRED_OUT
    relation.end_period = transfer.period
    relation.end_reason = "transfer_out"
    relation.save(update_fields=["status", "end_period", "end_reason"])
    case_record_link(case=case, record=relation, effect="changed")
    audit_record(
        actor=actor,
        action="relation.transfer_out",
        target=relation,
        target_agency=relation.agency,
        before=before,
        after={
            "status": relation.status,
            "end_period": relation.end_period,
            "case": case.receipt_no,
        },
    )
    transfer.account_fen = price.account_fen
    transfer.interest_fen = price.interest_fen
    transfer.pooled_fen = price.pooled_fen
    transfer.months = price.months
    transfer.calculation = price.as_json()


def _apply_in(case: Case, actor: Actor, transfer: Transfer, person: Person) -> None:
    """The account part credited; the pooled part and the months are the transfer's record.
    A relation with an employer here comes from that employer's staff addition."""
    if not transfer.account_fen:
        return
    year, month = divmod(transfer.period, 100)
    entry = entry_post(
        actor=actor,
        person=person,
        kind=EntryKind.TRANSFER_IN,
        amount_fen=transfer.account_fen,
        year=year,
        month=month,
        source=f"transfer:{transfer.pk}",
        key=f"transfer:{transfer.pk}:in",
        note=f"{transfer.other_region} {transfer.other_agency}"[:200],
    )
    case_record_link(case=case, record=entry, effect="created")
