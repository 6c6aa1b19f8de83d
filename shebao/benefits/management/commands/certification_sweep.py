"""``manage.py certification_sweep --period 202611 --agency 420300 [--as-of 2026-11-01]
[--resume RUN_ID]``: suspend the pensions whose qualification certification is overdue, from
the payroll month about to run, with a notice each. Run it before the payroll."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import CommandParser

from shebao.benefits.certification import KIND
from shebao.benefits.services.certification import (
    certification_sweep_create,
    certification_sweep_execute,
)
from shebao.core.actors import Actor
from shebao.core.batch import Progress
from shebao.core.batch_command import AgencyMonthCommand
from shebao.core.models import Agency, BatchRun


class Command(AgencyMonthCommand):
    help = (
        "Suspend the active pensions of an agency subtree not certified in the last 12 months, "
        "from the given payroll month; prints how many. Exit code 1 on a refusal."
    )
    kind = KIND
    name = "certification_sweep"
    run_label = "certification sweep"
    rows_label = "suspended"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=date.fromisoformat, help="overdue on (default today)")
        super().add_arguments(parser)

    def create_month_run(
        self, actor: Actor, period: int, agency: Agency, options: dict[str, Any]
    ) -> BatchRun:
        return certification_sweep_create(
            actor=actor, agency=agency, period=period, as_of=options["as_of"]
        )

    def execute_run(self, run: BatchRun, actor: Actor, progress: Progress) -> BatchRun:
        return certification_sweep_execute(run, actor=actor, progress=progress)

    def totals_line(self, run: BatchRun) -> str:
        return (
            f"run #{run.pk} {run.status}: {run.totals.get('suspended', 0)} pensions suspended "
            f"from {run.period} (certified before {run.params['cutoff']})"
        )
