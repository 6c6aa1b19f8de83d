"""Reads behind the collection pages, narrowed to the actor's data scope (out of scope reads
as absent, 404, like the registry pages)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from shebao.contributions.models import AssessmentLine, Bill
from shebao.core.actors import Actor
from shebao.core.models import BatchRun
from shebao.core.permissions import OutOfScope, actor_scope_path, scope_filter
from shebao.registry.models import Employer


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
