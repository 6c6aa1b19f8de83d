"""``manage.py pension_recalculate --year 2026 --agency 420300 [--resume RUN_ID]``: once the
year's benefit base is published, recompute the pensions awarded on a provisional base that
year; the next payroll pays or recovers the difference."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from shebao.benefits.recalculation import KIND
from shebao.benefits.services.recalculation import (
    recalculation_run_create,
    recalculation_run_execute,
)
from shebao.core.actors import Actor
from shebao.core.batch import Progress
from shebao.core.batch_command import BatchRunCommand
from shebao.core.models import Agency, BatchRun
from shebao.core.money import format_yuan


class Command(BatchRunCommand):
    help = (
        "Recompute the pensions awarded on a provisional benefit base in a year, once that "
        "year's base is published. Exit code 1 on a refusal."
    )
    kind = KIND
    name = "pension_recalculate"
    run_label = "recalculation"
    rows_label = "recalculated"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="the year the pensions began, e.g. 2026")
        parser.add_argument("--agency", help="agency code, e.g. 420300")
        super().add_arguments(parser)

    def create_run(self, actor: Actor, options: dict[str, Any]) -> BatchRun:
        if not options["year"] or not options["agency"]:
            raise CommandError("give --year and --agency, or --resume RUN_ID")
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"there is no agency {options['agency']}")
        return recalculation_run_create(actor=actor, agency=agency, year=options["year"])

    def execute_run(self, run: BatchRun, actor: Actor, progress: Progress) -> BatchRun:
        return recalculation_run_execute(run, actor=actor, progress=progress)

    def totals_line(self, run: BatchRun) -> str:
        totals = run.totals
        return (
            f"run #{run.pk} {run.status}: {totals.get('recalculated', 0)} pensions recomputed "
            f"(difference {format_yuan(int(totals.get('difference_fen', 0)))} yuan a month), "
            f"{totals.get('still_provisional', 0)} still waiting for the base"
        )
