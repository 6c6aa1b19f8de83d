"""Creating and executing the recomputation of the provisional awards of a year
(``shebao.benefits.recalculation``)."""

from __future__ import annotations

from shebao.benefits.recalculation import KIND
from shebao.core.actors import Actor
from shebao.core.batch import Progress, batch_run_create, batch_run_execute
from shebao.core.models import Action, Agency, BatchRun
from shebao.core.permissions import ensure_can, ensure_in_scope


def recalculation_run_create(*, actor: Actor, agency: Agency, year: int) -> BatchRun:
    """Plan the recomputation of the provisional awards that began in ``year`` for ``agency``
    and its descendants. Run it again as often as needed: an award recomputed once is no
    longer provisional, and one whose base is still unpublished waits for a later run."""
    ensure_can(actor, Action.RUN_BATCH)
    ensure_in_scope(actor, agency)
    agencies = list(
        Agency.objects.filter(path__startswith=agency.path)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return batch_run_create(
        actor=actor,
        kind=KIND,
        agency=agency,
        period=None,
        params={"year": int(year), "agencies": agencies},
    )


def recalculation_run_execute(
    run: BatchRun, *, actor: Actor, progress: Progress | None = None
) -> BatchRun:
    ensure_can(actor, Action.RUN_BATCH)
    ensure_in_scope(actor, run.agency)
    return batch_run_execute(run, actor=actor, progress=progress)
