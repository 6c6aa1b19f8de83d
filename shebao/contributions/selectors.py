"""Reads of the collection app, narrowed to the actor's data scope: reconciliation of what
employers owe with what they paid (对账), arrears with their late fees (欠费), unmatched
payments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import models
from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from shebao.contributions.models import (
    AssessmentLine,
    BaseClamp,
    Bill,
    ContributionBase,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from shebao.contributions.services.bases import relations_in_year
from shebao.core.actors import Actor
from shebao.core.masking import mask_resident_id
from shebao.core.models import Action, Agency, BatchRun
from shebao.core.money import fen_to_yuan, format_yuan, yuan_to_fen
from shebao.core.periods import period_validate
from shebao.core.permissions import (
    OutOfScope,
    PermissionRefused,
    actor_can,
    actor_scope_path,
    ensure_can,
    ensure_in_scope,
    scope_filter,
)
from shebao.registry.models import Employer, InsuredRelation, Person, RelationKind, Scheme
from shebao.rules.calculators.late_fee import LateFee, late_fee
from shebao.rules.params import ParameterSource
from shebao.rules.store import DatabaseParameters
from shebao.rules.trace import Result

LATE_FEE_RATE = "collection.late_fee.daily_rate"


def ensure_fund_reader(actor: Actor) -> None:
    """Fund officers reconcile and chase arrears; agency heads and auditors follow them. The
    pages, their Excel exports and the API all read through here, after the agency's scope
    (an agency out of scope is "not found" first)."""
    if not (actor_can(actor, Action.RUN_BATCH) or actor_can(actor, Action.AUDIT)):
        raise PermissionRefused(Action.RUN_BATCH, "*")


class ReconciliationCategory(models.TextChoices):
    """Where an employer stands for a period once payments and refunds are counted."""

    NOTHING_DUE = "nothing_due", _("Nothing due")
    UNPAID = "unpaid", _("Unpaid")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")
    OVERPAID = "overpaid", _("Overpaid")


EMPLOYER, FLEXIBLE = "employer", "flexible"


@dataclass(frozen=True)
class PayerBalance:
    """One payer's account for one period (对账): an employer, or a flexible worker paying for
    themself. Due is every bill of the period (monthly, difference and back-payment bills),
    paid is every payment to those bills, refunded is every approved refund of the period."""

    payer_type: str
    payer_id: int
    payer_code: str  # credit code, or the flexible worker's full resident ID: mask to display
    name: str
    bills: int
    due_fen: int
    paid_fen: int
    refunded_fen: int
    category: str

    @property
    def outstanding_fen(self) -> int:
        """What the payer still owes; negative when the agency owes the payer."""
        return self.due_fen - (self.paid_fen - self.refunded_fen)


@dataclass(frozen=True)
class Reconciliation:
    """The reconciliation of an agency subtree for a period: counts per category, totals over
    all employers, and one page of employers (filtered by ``category`` when asked)."""

    agency: Agency
    period: int
    counts: dict[str, int]
    due_fen: int
    paid_fen: int
    refunded_fen: int
    matching: int
    rows: list[PayerBalance]


# The payer's column on bills and refunds, and the columns naming it.
_PAYERS = {
    EMPLOYER: ("employer_id", "employer__credit_code", "employer__name"),
    FLEXIBLE: ("person_id", "person__resident_id", "person__name"),
}


def _balances(
    actor: Actor,
    period: int,
    payer_type: str,
    *,
    agency: Agency | None = None,
    payer_id: int | None = None,
) -> QuerySet[Bill, Any]:
    """Per payer: bills, due, paid, refunded and category, in one grouped query over the bills
    of the period in ``agency``'s subtree (or of one payer) within the actor's scope."""
    key, code, name = _PAYERS[payer_type]
    bills = scope_filter(
        Bill.objects.filter(period=period, employer__isnull=payer_type == FLEXIBLE),
        actor,
        "agency",
    )
    if agency is not None:
        bills = bills.filter(agency__path__startswith=agency.path)
    if payer_id is not None:
        bills = bills.filter(**{key: payer_id})
    paid = (
        Payment.objects.filter(bill__in=bills.values("id"), **{f"bill__{key}": OuterRef(key)})
        .order_by()
        .values(f"bill__{key}")
        .annotate(total=Sum("amount_fen"))
        .values("total")
    )
    refunded = (
        Refund.objects.filter(
            status=RefundStatus.APPROVED,
            period=period,
            employer__isnull=payer_type == FLEXIBLE,
            **{key: OuterRef(key)},
        )
        .order_by()
        .values(key)
        .annotate(total=Sum("amount_fen"))
        .values("total")
    )
    zero = Value(0, output_field=models.BigIntegerField())
    return (
        bills.order_by()
        .values(key, code, name)
        .annotate(
            bills=Count("id"),
            due_fen=Sum("total_fen"),
            paid_fen=Coalesce(Subquery(paid), zero),
            refunded_fen=Coalesce(Subquery(refunded), zero),
        )
        .annotate(net_fen=F("paid_fen") - F("refunded_fen"))
        .annotate(
            category=Case(
                When(Q(net_fen=0, due_fen=0), then=Value(ReconciliationCategory.NOTHING_DUE)),
                When(net_fen__gt=F("due_fen"), then=Value(ReconciliationCategory.OVERPAID)),
                When(net_fen=F("due_fen"), then=Value(ReconciliationCategory.PAID)),
                When(net_fen__lte=0, then=Value(ReconciliationCategory.UNPAID)),
                default=Value(ReconciliationCategory.PARTLY_PAID),
                output_field=models.CharField(),
            )
        )
    )


def _balance(payer_type: str, row: dict[str, Any]) -> PayerBalance:
    key, code, name = _PAYERS[payer_type]
    return PayerBalance(
        payer_type=payer_type,
        payer_id=row[key],
        payer_code=row[code],
        name=row[name],
        bills=row["bills"],
        due_fen=int(row["due_fen"]),
        paid_fen=int(row["paid_fen"]),
        refunded_fen=int(row["refunded_fen"]),
        category=row["category"],
    )


def employer_reconciliation(
    actor: Actor,
    *,
    agency: Agency,
    period: int,
    category: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> Reconciliation:
    """Reconcile every employer billed for ``period`` in ``agency``'s subtree, in two queries:
    the counts per category with the totals, and one page ordered by credit code."""
    ensure_in_scope(actor, agency)
    ensure_fund_reader(actor)
    period_validate(period)
    balances = _balances(actor, period, EMPLOYER, agency=agency)
    counts = {
        f"n_{c.value}": Count("employer_id", filter=Q(category=c.value))
        for c in ReconciliationCategory
    }
    summary = balances.aggregate(
        **counts,
        total_due=Coalesce(Sum("due_fen"), 0),
        total_paid=Coalesce(Sum("paid_fen"), 0),
        total_refunded=Coalesce(Sum("refunded_fen"), 0),
    )
    selected = balances.filter(Q(category=category)) if category else balances
    by_category = {c.value: summary[f"n_{c.value}"] for c in ReconciliationCategory}
    matching = by_category.get(category, 0) if category else sum(by_category.values())
    page = selected.order_by("employer__credit_code")[offset : offset + max(limit, 0)]
    return Reconciliation(
        agency=agency,
        period=period,
        counts=by_category,
        due_fen=int(summary["total_due"]),
        paid_fen=int(summary["total_paid"]),
        refunded_fen=int(summary["total_refunded"]),
        matching=matching,
        rows=[_balance(EMPLOYER, row) for row in page] if limit > 0 else [],
    )


def _one_balance(
    actor: Actor, period: int, payer_type: str, payer: Employer | Person, code: str
) -> PayerBalance:
    period_validate(period)
    rows = list(_balances(actor, period, payer_type, payer_id=payer.pk)[:1])
    if rows:
        return _balance(payer_type, rows[0])
    return PayerBalance(
        payer_type=payer_type,
        payer_id=payer.pk,
        payer_code=code,
        name=payer.name,
        bills=0,
        due_fen=0,
        paid_fen=0,
        refunded_fen=0,
        category=ReconciliationCategory.NOTHING_DUE,
    )


def employer_balance(actor: Actor, *, employer: Employer, period: int) -> PayerBalance:
    """One employer's reconciliation for a period (no bills: nothing due, nothing paid); what
    a refund of the period may at most return is ``-outstanding_fen``."""
    ensure_in_scope(actor, employer.managing_agency)
    return _one_balance(actor, period, EMPLOYER, employer, employer.credit_code)


def flexible_worker_balance(actor: Actor, *, person: Person, period: int) -> PayerBalance:
    """A flexible worker's own reconciliation for a period (their bills without employer)."""
    ensure_in_scope(actor, person.managing_agency)
    return _one_balance(actor, period, FLEXIBLE, person, person.resident_id)


# --- arrears and late fees --------------------------------------------------------------------


@dataclass(frozen=True)
class Arrear:
    """A bill past its due date with an amount outstanding (欠费), and its late fee (滞纳金)
    to the day asked for."""

    bill: Bill
    outstanding_fen: int
    days_late: int
    late_fee_fen: int
    late_fee: Result[LateFee]


def bills_in_arrears(actor: Actor, *, agency: Agency, on: date) -> QuerySet[Bill]:
    """Bills of ``agency``'s subtree due before ``on`` and not fully paid, oldest first."""
    ensure_in_scope(actor, agency)
    ensure_fund_reader(actor)
    return scope_filter(
        Bill.objects.filter(
            agency__path__startswith=agency.path, due_date__lt=on, total_fen__gt=F("paid_fen")
        ),
        actor,
        "agency",
    ).order_by("due_date", "number")


def bill_late_fee(bill: Bill, *, on: date, source: ParameterSource) -> Result[LateFee]:
    """The late fee on what the bill still owes, from the day after its due date to ``on``
    inclusive (the calculator counts ``on − due_date`` days: due 31 Oct, on 30 Nov is 30 days),
    at the daily rate in force on the due date in the bill's region."""
    rate = source.lookup(LATE_FEE_RATE, bill.agency.division_code, bill.due_date)
    amount = fen_to_yuan(bill.outstanding_fen)
    return late_fee(amount=amount, due=bill.due_date, paid=max(on, bill.due_date), daily_rate=rate)


def arrears_list(
    actor: Actor,
    *,
    agency: Agency,
    on: date,
    offset: int = 0,
    limit: int = 100,
    source: ParameterSource | None = None,
) -> list[Arrear]:
    """One page of arrears with late fees to ``on`` (two queries and the parameter store).

    The fee is on the amount outstanding on ``on``; what was paid late but is paid by now
    carries a fee of its own, which this list does not show.
    """
    bills = bills_in_arrears(actor, agency=agency, on=on).select_related(
        "agency", "employer", "person"
    )[offset : offset + max(limit, 0)]
    rows = list(bills)
    if not rows:
        return []
    source = source or DatabaseParameters()
    arrears = []
    for bill in rows:
        result = bill_late_fee(bill, on=on, source=source)
        arrears.append(
            Arrear(
                bill=bill,
                outstanding_fen=bill.outstanding_fen,
                days_late=result.value.days,
                late_fee_fen=yuan_to_fen(result.value.late_fee),
                late_fee=result,
            )
        )
    return arrears


def arrears_totals(actor: Actor, *, agency: Agency, on: date) -> dict[str, int]:
    """How many bills are in arrears on ``on`` and how much they owe (without late fees)."""
    totals = bills_in_arrears(actor, agency=agency, on=on).aggregate(
        bills=Count("id"),
        outstanding_fen=Coalesce(Sum(F("total_fen") - F("paid_fen")), 0),
    )
    return {"bills": int(totals["bills"]), "outstanding_fen": int(totals["outstanding_fen"])}


def employer_unsettled(employer: Employer) -> tuple[int, int]:
    """How many of the employer's bills are not fully paid, due yet or not, and what they still
    ask in fen: an employer owing anything cannot deregister (经办条例 art. 10)."""
    owed = Bill.objects.filter(
        employer=employer, payment_status__in=(PaymentStatus.UNPAID, PaymentStatus.PARTLY_PAID)
    ).aggregate(bills=Count("id"), fen=Sum(F("total_fen") - F("paid_fen")))
    return int(owed["bills"]), int(owed["fen"] or 0)


# --- payments ---------------------------------------------------------------------------------


def payments_unmatched(actor: Actor) -> QuerySet[Payment]:
    """Payments recorded without a bill, waiting to be matched by hand (fund officers only:
    an unmatched payment has no agency to scope it by)."""
    ensure_can(actor, Action.RUN_BATCH)
    return (
        Payment.objects.filter(bill__isnull=True)
        .select_related("source")
        .order_by("paid_on", "reference")
    )


# --- runs, bills and their lines, as the pages read them (out of scope reads as absent) ---


def runs_in_scope(actor: Actor) -> QuerySet[BatchRun]:
    return scope_filter(BatchRun.objects.select_related("agency"), actor, "agency")


def run_get(actor: Actor, run_id: int) -> BatchRun:
    run = runs_in_scope(actor).filter(pk=run_id).first()
    if run is None:
        raise OutOfScope()
    return run


def bills_of_run(run: BatchRun) -> QuerySet[Bill]:
    return Bill.objects.filter(run=run).select_related("employer", "person").order_by("number")


def bills_of_employer(employer: Employer, *, year: int | None = None) -> QuerySet[Bill]:
    """Newest first: by period, then the later run's bill (a difference) before the earlier."""
    bills = Bill.objects.filter(employer=employer)
    if year is not None:
        bills = bills.filter(period__gte=year * 100 + 1, period__lte=year * 100 + 12)
    return bills.order_by("-period", "-issued_at", "-id")


def bill_years(employer: Employer) -> list[int]:
    periods = Bill.objects.filter(employer=employer).values_list("period", flat=True).distinct()
    return sorted({period // 100 for period in periods}, reverse=True)


def bills_in_scope(actor: Actor) -> QuerySet[Bill]:
    """Bills the actor's agency issued, or whose payer it manages now (an employer transferred
    in brings its earlier bills along)."""
    bills = Bill.objects.select_related("employer", "person", "agency", "employer__managing_agency")
    prefix = actor_scope_path(actor)
    if prefix is None:
        return bills.none()
    if prefix == "/":
        return bills
    return bills.filter(
        Q(agency__path__startswith=prefix)
        | Q(employer__managing_agency__path__startswith=prefix)
        | Q(employer__isnull=True, person__managing_agency__path__startswith=prefix)
    )


def bill_get(actor: Actor, number: str) -> Bill:
    bill = bills_in_scope(actor).filter(number=number).first()
    if bill is None:
        raise OutOfScope()
    return bill


def lines_of_bill(bill: Bill) -> QuerySet[AssessmentLine]:
    """The run's lines of the bill's payer: the employer's, or the flexible worker's own."""
    lines = AssessmentLine.objects.filter(run_id=bill.run_id)
    if bill.employer_id is not None:
        lines = lines.filter(employer_id=bill.employer_id)
    elif bill.person_id is not None:
        lines = lines.filter(employer_id__isnull=True, person_id=bill.person_id)
    else:  # a bill always has a payer (constraint contributions_bill_has_payer)
        lines = lines.none()
    return lines.select_related("person").order_by("person__name", "person_id", "scheme", "id")


# --- the staff of a base declaration ----------------------------------------------------------


@dataclass(frozen=True)
class BaseStaffMember:
    """An employee insured with the employer in the year, with the base already verified
    (the base declaration form, at the counter and on the portal)."""

    person_id: int
    resident_id: str  # for the service only; the page shows ``masked_id``
    name: str
    masked_id: str
    schemes: list[str]
    base: str
    clamp: str


def base_staff_of_year(employer: Employer, year: int) -> list[BaseStaffMember]:
    """The employees insured with ``employer`` for at least a month of ``year``, by name, with
    the verified base of the year (the pension one when the schemes differ): two queries."""
    in_year = InsuredRelation.objects.filter(
        relations_in_year(year), employer=employer, kind=RelationKind.EMPLOYEE
    )
    relations = in_year.values_list(
        "person_id", "person__resident_id", "person__name", "scheme"
    ).order_by("person__name", "person_id", "scheme")
    people: dict[int, tuple[str, str, list[str]]] = {}
    for person_id, resident_id, name, scheme in relations:
        _rid, _name, schemes = people.setdefault(person_id, (resident_id, name, []))
        if scheme not in schemes:
            schemes.append(scheme)
    bases: dict[int, tuple[int, str]] = {}
    verified = ContributionBase.objects.filter(
        year=year, person__in=in_year.values("person_id")
    ).values_list("person_id", "scheme", "base_fen", "clamp")
    for person_id, scheme, base_fen, clamp in verified:
        if person_id not in bases or scheme == Scheme.PENSION:
            bases[person_id] = (base_fen, clamp)
    staff = []
    for person_id, (resident_id, name, schemes) in people.items():
        base = bases.get(person_id)
        staff.append(
            BaseStaffMember(
                person_id=person_id,
                resident_id=resident_id,
                name=name,
                masked_id=mask_resident_id(resident_id),
                schemes=[str(Scheme(s).label) for s in schemes],
                base=format_yuan(base[0]) if base else "",
                clamp=str(BaseClamp(base[1]).label) if base and base[1] else "",
            )
        )
    return staff
