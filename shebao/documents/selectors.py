"""Reads of the documents app: the rows each document's facts are assembled from, the issued
documents a staff member may see, and the public lookup by code."""

from __future__ import annotations

from datetime import date

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Max, Min, Q, QuerySet, Sum

from shebao.contributions.models import AssessmentLine, Bill, HistoricalContribution
from shebao.contributions.selectors import lines_of_bill
from shebao.core.actors import Actor
from shebao.core.periods import period_add, period_of
from shebao.core.permissions import OutOfScope, acts_for, in_scope, scope_filter
from shebao.documents.codes import code_check_passes, code_fold
from shebao.documents.facts.employer import (
    PERIODS_SHOWN,
    BillLine,
    OpenBill,
    PeriodBills,
    PeriodLines,
)
from shebao.documents.facts.personal import HistoryMonth, LineSum, RelationRow
from shebao.documents.models import IssuedDocument
from shebao.registry.models import Employer, InsuredRelation, Person, RelationStatus, Scheme

# --- the rows of the facts --------------------------------------------------------------------


def person_relation_rows(person: Person) -> list[RelationRow]:
    return [
        RelationRow(
            scheme=row["scheme"],
            employer_name=row["employer__name"],
            start_period=row["start_period"],
            end_period=row["end_period"],
            status=row["status"],
        )
        for row in InsuredRelation.objects.filter(person=person)
        .order_by("scheme", "start_period", "pk")
        .values("scheme", "employer__name", "start_period", "end_period", "status")
    ]


def person_line_sums(person: Person) -> list[LineSum]:
    """The person's assessment lines added up per scheme, period, payer and paid or not, in
    one grouped query on the (person, period) index."""
    rows = (
        AssessmentLine.objects.filter(person=person)
        .annotate(is_paid=ExpressionWrapper(Q(paid_on__isnull=False), output_field=BooleanField()))
        .values("scheme", "period", "employer__name", "is_paid")
        .annotate(base=Sum("base_fen"), er=Sum("employer_fen"), ind=Sum("individual_fen"))
        .order_by("scheme", "period", "employer__name", "is_paid")
    )
    return [
        LineSum(
            scheme=row["scheme"],
            period=row["period"],
            employer_name=row["employer__name"],
            paid=bool(row["is_paid"]),
            base_fen=int(row["base"]),
            employer_fen=int(row["er"]),
            individual_fen=int(row["ind"]),
        )
        for row in rows
    ]


def person_history_months(person: Person) -> list[HistoryMonth]:
    return [
        HistoryMonth(scheme=scheme, period=period, base_fen=base_fen)
        for scheme, period, base_fen in HistoricalContribution.objects.filter(person_id=person.pk)
        .order_by("scheme", "period")
        .values_list("scheme", "period", "base_fen")
    ]


def employer_headcount(employer: Employer) -> dict[str, int]:
    return dict(
        InsuredRelation.objects.filter(employer=employer, status=RelationStatus.ACTIVE)
        .values("scheme")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
        .values_list("scheme", "n")
    )


def employer_first_period(employer: Employer) -> int | None:
    first = InsuredRelation.objects.filter(employer=employer).aggregate(p=Min("start_period"))
    return first["p"]


def employer_period_lines(employer: Employer, *, as_of: date) -> list[PeriodLines]:
    """The employer's last ``PERIODS_SHOWN`` assessed periods up to the issue month, each
    added up in one grouped query (bills find the last period, lines the sums)."""
    last = Bill.objects.filter(employer=employer, period__lte=period_of(as_of)).aggregate(
        p=Max("period")
    )["p"]
    if last is None:
        return []
    first = period_add(last, -(PERIODS_SHOWN - 1))
    rows = (
        AssessmentLine.objects.filter(period__gte=first, period__lte=last, employer_id=employer.pk)
        .values("period")
        .annotate(
            persons=Count("person_id", distinct=True),
            base=Sum("base_fen", filter=Q(scheme=Scheme.PENSION)),
            er=Sum("employer_fen"),
            ind=Sum("individual_fen"),
        )
        .order_by("period")
    )
    return [
        PeriodLines(
            period=row["period"],
            persons=row["persons"],
            pension_base_fen=int(row["base"] or 0),
            employer_fen=int(row["er"]),
            individual_fen=int(row["ind"]),
        )
        for row in rows
    ]


def employer_period_bills(employer: Employer, periods: list[int]) -> list[PeriodBills]:
    rows = (
        Bill.objects.filter(employer=employer, period__in=periods)
        .values("period")
        .annotate(bills=Count("id"), due=Sum("total_fen"), paid=Sum("paid_fen"))
        .order_by("period")
    )
    return [
        PeriodBills(
            period=row["period"],
            bills=row["bills"],
            due_fen=int(row["due"]),
            paid_fen=int(row["paid"]),
        )
        for row in rows
    ]


def employer_open_bills(employer: Employer) -> list[OpenBill]:
    """Every bill of the employer not fully paid, due yet or not."""
    return [
        OpenBill(number=number, period=period, due_date=due, outstanding_fen=int(outstanding))
        for number, period, due, outstanding in Bill.objects.filter(
            employer=employer, total_fen__gt=F("paid_fen")
        )
        .annotate(outstanding=F("total_fen") - F("paid_fen"))
        .order_by("due_date", "number")
        .values_list("number", "period", "due_date", "outstanding")
    ]


def bill_line_rows(bill: Bill) -> list[BillLine]:
    return [
        BillLine(
            person_id=line.person_id,
            name=line.person.name,
            resident_id=line.person.resident_id,
            scheme=line.scheme,
            base_fen=line.base_fen,
            employer_fen=line.employer_fen,
            individual_fen=line.individual_fen,
        )
        for line in lines_of_bill(bill)
    ]


# --- issued documents -------------------------------------------------------------------------


def documents_visible(actor: Actor) -> QuerySet[IssuedDocument]:
    """The documents issued by the actor's agency subtree, newest first."""
    return scope_filter(
        IssuedDocument.objects.select_related("person", "employer", "agency", "case"),
        actor,
        "agency",
    ).order_by("-issued_at", "-id")


def documents_search(actor: Actor, text: str) -> QuerySet[IssuedDocument]:
    """By verification code (typed any way), bill number, statement year or case receipt."""
    documents = documents_visible(actor)
    query = text.strip()
    if not query:
        return documents
    folded = code_fold(query)
    if code_check_passes(folded):
        return documents.filter(code=folded)
    return documents.filter(Q(reference=query) | Q(case__receipt_no=query))


def document_get(actor: Actor, code: str) -> IssuedDocument:
    """A document the actor may see: staff within their agency subtree, a portal user only
    their own person's or employer's. Anything else is "not found"."""
    document = (
        IssuedDocument.objects.select_related("person", "employer", "agency", "case")
        .filter(code=code_fold(code))
        .first()
    )
    if document is None or not document_visible_to(actor, document):
        raise OutOfScope()
    return document


def document_visible_to(actor: Actor, document: IssuedDocument) -> bool:
    if actor.principal is not None:
        subjects = [s for s in (document.person, document.employer) if s is not None]
        return any(acts_for(actor, subject) for subject in subjects)
    return in_scope(actor, document.agency)


def document_of_code(folded: str) -> IssuedDocument | None:
    """The public lookup (no scope): a well-formed code's document, if it exists."""
    return IssuedDocument.objects.select_related("agency").filter(code=folded).first()
