"""Starting and executing the monthly assessment (月度核定) of a period for an agency subtree."""

from __future__ import annotations

from django.db.models import Q

from shebao.contributions.jobs import KIND
from shebao.contributions.rates import rate_card_build
from shebao.core.actors import Actor
from shebao.core.batch import Progress, batch_run_create, batch_run_execute
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import Action, Agency, BatchRun, BatchStatus
from shebao.core.periods import period_add, period_first_day, period_last_day, period_validate
from shebao.core.permissions import ensure_can, ensure_in_scope
from shebao.rules.params import ParameterSource
from shebao.rules.store import DatabaseParameters

register_rule(
    "ASSESS-RUN-OPEN",
    "{period} 的核定批次 #{run} 尚未完成（范围重叠），请先续跑该批次。",
    "Assessment run #{run} for {period} is not finished and overlaps this one: resume it first.",
    "design.md §7",
)

CHUNK_ROWS = 50_000


def open_runs_overlapping(agency: Agency, period: int) -> BatchRun | None:
    """An unfinished assessment of the period whose subtree contains or lies inside ``agency``."""
    runs = BatchRun.objects.filter(kind=KIND, period=period).exclude(status=BatchStatus.DONE)
    for run in runs.select_related("agency"):
        if run.agency.contains(agency) or agency.contains(run.agency):
            return run
    return None


def assessment_run_create(
    *,
    actor: Actor,
    period: int,
    agency: Agency,
    source: ParameterSource | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> BatchRun:
    """Plan the assessment of ``period`` for ``agency`` and its descendants.

    The rate card is built now, from the parameters in force on the first day of the period in
    each agency's region, and frozen into the run.
    """
    ensure_can(actor, Action.RUN_BATCH)
    ensure_in_scope(actor, agency)
    period_validate(period)
    open_run = open_runs_overlapping(agency, period)
    if open_run is not None:
        raise RuleViolation("ASSESS-RUN-OPEN", period=period, run=open_run.pk)
    source = source or DatabaseParameters()
    agencies = list(Agency.objects.filter(Q(path__startswith=agency.path)).order_by("path"))
    on = period_first_day(period)
    months_after = source.lookup(
        "collection.due.months_after_period", agency.division_code, on
    ).integer()
    card = rate_card_build(
        source=source,
        agencies=agencies,
        on=on,
        region=agency.division_code,
        due_date=period_last_day(period_add(period, months_after)),
    )
    return batch_run_create(
        actor=actor,
        kind=KIND,
        agency=agency,
        period=period,
        params={"rates": card, "chunk_rows": chunk_rows},
    )


def assessment_run_execute(
    run: BatchRun, *, actor: Actor, progress: Progress | None = None
) -> BatchRun:
    """Execute (or resume) a run; see ``batch_run_execute``."""
    ensure_can(actor, Action.RUN_BATCH)
    ensure_in_scope(actor, run.agency)
    return batch_run_execute(run, actor=actor, progress=progress)
