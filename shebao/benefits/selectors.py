"""Reads of the benefits app, narrowed to the actor's agency subtree."""

from __future__ import annotations

from django.db.models import QuerySet

from shebao.benefits.models import PayrollLine, Pension
from shebao.benefits.payroll import KIND as PAYROLL
from shebao.core.actors import Actor
from shebao.core.models import BatchRun
from shebao.core.permissions import OutOfScope, ensure_in_scope, scope_filter
from shebao.registry.models import Person

# A pension page shows the newest payments; the rest are in the payroll runs.
PAYMENT_HISTORY_LIMIT = 36


def pensions_visible(actor: Actor) -> QuerySet[Pension]:
    return scope_filter(Pension.objects.select_related("person", "agency"), actor, "agency")


def pension_of(actor: Actor, person: Person) -> Pension | None:
    """The person's pension if the actor may see it (None when there is none)."""
    pension = Pension.objects.filter(person=person).select_related("agency").first()
    if pension is not None:
        ensure_in_scope(actor, pension.agency)
    return pension


def payroll_lines_of(pension: Pension, limit: int = PAYMENT_HISTORY_LIMIT) -> list[PayrollLine]:
    """The pension's newest payroll lines, newest month first."""
    return list(
        PayrollLine.objects.filter(pension_id=pension.pk).order_by("-period", "-id")[:limit]
    )


def payroll_runs_visible(actor: Actor) -> QuerySet[BatchRun]:
    runs = BatchRun.objects.filter(kind=PAYROLL).select_related("agency")
    return scope_filter(runs, actor, "agency")


def payroll_run_get(actor: Actor, run_id: int) -> BatchRun:
    """A payroll run in the actor's subtree; out of scope when there is none."""
    run = payroll_runs_visible(actor).filter(pk=run_id).first()
    if run is None:
        raise OutOfScope()
    return run
