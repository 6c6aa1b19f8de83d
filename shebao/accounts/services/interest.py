"""Starting and executing the annual interest crediting (结息) of a year for an agency subtree
(rules.md §2.2–2.4; the job itself is ``shebao.accounts.interest``)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from shebao.accounts.interest import CHUNK_PERSONS, KIND
from shebao.contributions.rates import param_json, rate_e8
from shebao.core.actors import Actor
from shebao.core.batch import Progress, batch_run_create, batch_run_execute
from shebao.core.errors import RuleViolation
from shebao.core.models import Action, Agency, BatchRun, BatchStatus
from shebao.core.permissions import ensure_can, ensure_in_scope
from shebao.rules.params import NATIONAL, ParameterSource
from shebao.rules.store import DatabaseParameters

RATE_KEY = "account.crediting_rate"


def period_of_year(year: int) -> int:
    """A run's period: December of its year, the month its interest entries count in."""
    return year * 100 + 12


def open_runs_overlapping(agency: Agency, year: int) -> BatchRun | None:
    """An unfinished interest run of the year whose subtree contains or lies inside ``agency``:
    two runs crediting the same person at once would each write the whole difference."""
    runs = BatchRun.objects.filter(kind=KIND, period=period_of_year(year))
    for run in runs.exclude(status=BatchStatus.DONE).select_related("agency"):
        if run.agency.contains(agency) or agency.contains(run.agency):
            return run
    return None


def interest_run_create(
    *,
    actor: Actor,
    year: int,
    agency: Agency,
    source: ParameterSource | None = None,
    chunk_persons: int = CHUNK_PERSONS,
) -> BatchRun:
    """Plan the interest crediting of ``year`` for the persons ``agency`` and its descendants
    manage.

    The year must have ended and its own crediting rate must be published: the rate in force
    at the end of the year is frozen into the run with its reference. A year still on an
    earlier year's rate is refused; persons who leave meanwhile are credited provisionally
    at their event, and this run trues them up once the rate appears.
    """
    ensure_can(actor, Action.RUN_BATCH)
    ensure_in_scope(actor, agency)
    if year >= timezone.localdate().year:
        raise RuleViolation("ACC-INT-YEAR-OPEN", year=year)
    source = source or DatabaseParameters()
    rate = source.lookup(RATE_KEY, NATIONAL, date(year, 12, 31))
    if rate.effective_from.year != year:
        raise RuleViolation("ACC-INT-RATE-UNPUBLISHED", year=year, latest=rate.effective_from.year)
    open_run = open_runs_overlapping(agency, year)
    if open_run is not None:
        raise RuleViolation("ACC-INT-RUN-OPEN", year=year, run=open_run.pk)
    agencies = list(
        Agency.objects.filter(path__startswith=agency.path)
        .order_by("path")
        .values_list("pk", flat=True)
    )
    return batch_run_create(
        actor=actor,
        kind=KIND,
        agency=agency,
        period=period_of_year(year),
        params={
            "year": year,
            "rate": param_json(rate),
            "rate_e8": rate_e8(rate),
            "agencies": agencies,
            # The whole tree: every person is in it, so the chunks need not read persons.
            "every_agency": len(agencies) == Agency.objects.count(),
            "chunk_persons": chunk_persons,
        },
    )


def interest_run_execute(
    run: BatchRun, *, actor: Actor, progress: Progress | None = None
) -> BatchRun:
    """Execute (or resume) a run; see ``batch_run_execute``."""
    ensure_can(actor, Action.RUN_BATCH)
    ensure_in_scope(actor, run.agency)
    return batch_run_execute(run, actor=actor, progress=progress)
