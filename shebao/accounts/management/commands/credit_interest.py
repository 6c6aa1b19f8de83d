"""``manage.py credit_interest --year 2025 [--agency 420000] [--resume RUN_ID]``: the annual
interest crediting (结息) of the individual accounts from the command line, with a progress
bar and the totals at the end."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from shebao.accounts.interest import KIND
from shebao.accounts.services.interest import interest_run_create, interest_run_execute
from shebao.core.actors import Actor
from shebao.core.batch import Progress
from shebao.core.batch_command import BatchRunCommand
from shebao.core.models import Agency, BatchRun
from shebao.core.money import format_yuan


class Command(BatchRunCommand):
    help = (
        "Credit a year's interest to the individual accounts of an agency and its subordinate "
        "agencies (the whole tree by default), or resume a stopped run; prints the totals. "
        "Exit code 1 on a refusal."
    )
    kind = KIND
    name = "credit_interest"
    run_label = "interest"
    rows_label = "entries"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="the year to credit, e.g. 2025")
        parser.add_argument("--agency", help="agency code, e.g. 420300 (default: the root)")
        super().add_arguments(parser)

    def _agency(self, code: str | None) -> Agency:
        if code:
            agency = Agency.objects.filter(code=code).first()
            if agency is None:
                raise CommandError(f"there is no agency {code}")
            return agency
        roots = list(Agency.objects.filter(parent__isnull=True)[:2])
        if len(roots) != 1:
            raise CommandError("give --agency: the agency tree has no single root")
        return roots[0]

    def create_run(self, actor: Actor, options: dict[str, Any]) -> BatchRun:
        if options["year"] is None:
            raise CommandError("give --year, or --resume RUN_ID")
        agency = self._agency(options["agency"])
        run = interest_run_create(actor=actor, year=options["year"], agency=agency)
        self.stdout.write(
            f"run #{run.pk}: interest of {options['year']} at {run.params['rate']['value']} "
            f"for {agency.code} {agency.name}, {run.chunks_total} chunks"
        )
        return run

    def execute_run(self, run: BatchRun, actor: Actor, progress: Progress) -> BatchRun:
        return interest_run_execute(run, actor=actor, progress=progress)

    def totals_line(self, run: BatchRun) -> str:
        return (
            f"run #{run.pk} {run.status}: {run.rows} interest entries, "
            f"{format_yuan(int(run.totals.get('interest_fen', 0)))} yuan credited for "
            f"{run.params['year']} at {run.params['rate']['value']}"
        )
