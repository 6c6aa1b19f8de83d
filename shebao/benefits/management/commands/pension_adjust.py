"""``manage.py pension_adjust --year 2026 --agency 420300 [--effective 202601] [--resume RUN_ID]``:
compute the yearly pension adjustment (养老金调整) of an agency subtree with a progress bar. The
run ends awaiting a second person's approval on the run page; nothing is paid before."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from shebao.benefits.adjustment import KIND
from shebao.benefits.services.adjustment import (
    adjustment_run_create,
    adjustment_run_execute,
    run_summary,
)
from shebao.core.actors import Actor
from shebao.core.batch import Progress
from shebao.core.batch_command import BatchRunCommand
from shebao.core.models import Agency, BatchRun
from shebao.core.money import format_yuan


class Command(BatchRunCommand):
    help = (
        "Compute a year's pension adjustment for an agency and its subordinate agencies, or "
        "resume a stopped run; prints the totals. Exit code 1 on a refusal (an unpublished "
        "year, say)."
    )
    kind = KIND
    name = "pension_adjust"
    run_label = "adjustment"
    rows_label = "retirees"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="the adjustment year, e.g. 2026")
        parser.add_argument("--agency", help="agency code, e.g. 420300")
        parser.add_argument("--effective", type=int, help="effective month (default: January)")
        super().add_arguments(parser)

    def create_run(self, actor: Actor, options: dict[str, Any]) -> BatchRun:
        if options["year"] is None or not options["agency"]:
            raise CommandError("give --year and --agency, or --resume RUN_ID")
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"there is no agency {options['agency']}")
        run = adjustment_run_create(
            actor=actor,
            year=options["year"],
            agency=agency,
            effective_period=options["effective"],
        )
        self.stdout.write(
            f"run #{run.pk}: adjustment {options['year']} from {run.period} for {agency.code} "
            f"{agency.name}, {run.chunks_total} chunks"
        )
        return run

    def execute_run(self, run: BatchRun, actor: Actor, progress: Progress) -> BatchRun:
        return adjustment_run_execute(run, actor=actor, progress=progress)

    def totals_line(self, run: BatchRun) -> str:
        summary = run_summary(run)
        return (
            f"run #{run.pk} {run.status}: {summary['persons']} retirees, before "
            f"{format_yuan(summary['before_fen'])}, increase {format_yuan(summary['increase_fen'])}"
            f", after {format_yuan(summary['after_fen'])} yuan a month; average increase "
            f"{format_yuan(summary['average_increase_fen'])}; awaiting approval"
        )
