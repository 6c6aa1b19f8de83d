"""The shape every batch command shares: create a run (or take one to resume), execute it
with a progress bar, print its totals, and exit 1 with the rule code on a refusal."""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import get_language
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shebao.core.actors import Actor, system_actor
from shebao.core.batch import Progress as ProgressCallback
from shebao.core.errors import RuleViolation
from shebao.core.models import Agency, BatchRun
from shebao.core.periods import period_parse


class BatchRunCommand(BaseCommand):
    """Subclasses name their ``kind`` and what a row is, and say how to create, execute and
    summarise a run; ``--resume RUN_ID`` is added here."""

    kind = ""  # the batch job kind
    name = ""  # the command's name: its system actor, and the run in messages
    run_label = ""  # "there is no <run_label> run #N"
    rows_label = "rows"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--resume", type=int, metavar="RUN_ID", help="resume this run")

    def create_run(self, actor: Actor, options: dict[str, Any]) -> BatchRun:
        raise NotImplementedError

    def execute_run(self, run: BatchRun, actor: Actor, progress: ProgressCallback) -> BatchRun:
        raise NotImplementedError

    def totals_line(self, run: BatchRun) -> str:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        actor = system_actor(self.name)
        try:
            run = self._resumed(options["resume"]) or self.create_run(actor, options)
            run = self._execute(run, actor)
        except RuleViolation as exc:
            raise CommandError(f"{exc.code}: {exc.message(get_language())}", returncode=1) from exc
        self.stdout.write(self.totals_line(run))

    def _resumed(self, run_id: int | None) -> BatchRun | None:
        if run_id is None:
            return None
        run = BatchRun.objects.select_related("agency").filter(pk=run_id, kind=self.kind).first()
        if run is None:
            raise CommandError(f"there is no {self.run_label} run #{run_id}")
        return run

    def _execute(self, run: BatchRun, actor: Actor) -> BatchRun:
        # OutputWrapper is file-like (write, flush, isatty), so the bar goes where the output
        # goes: a live bar on a terminal, its final state in a log or a test.
        console = Console(file=cast(IO[str], self.stdout), soft_wrap=True)
        columns = (
            TextColumn("[bold]run #{task.fields[run]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(f"chunks · {{task.fields[rows]:,}} {self.rows_label}"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as progress:
            task = progress.add_task(
                self.kind,
                total=run.chunks_total or None,
                completed=run.chunks_done,
                run=run.pk,
                rows=run.rows,
            )

            def advance(current: BatchRun) -> None:
                progress.update(task, completed=current.chunks_done, rows=current.rows)

            return self.execute_run(run, actor, advance)


class AgencyMonthCommand(BatchRunCommand):
    """A run of one month for an agency and the agencies under it: ``--period`` and
    ``--agency`` (or ``--resume``); subclasses say how the run is created."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", help="month as YYYYMM or YYYY-MM")
        parser.add_argument("--agency", help="agency code, e.g. 420300")
        super().add_arguments(parser)

    def create_month_run(
        self, actor: Actor, period: int, agency: Agency, options: dict[str, Any]
    ) -> BatchRun:
        raise NotImplementedError

    def create_run(self, actor: Actor, options: dict[str, Any]) -> BatchRun:
        if not options["period"] or not options["agency"]:
            raise CommandError("give --period and --agency, or --resume RUN_ID")
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"there is no agency {options['agency']}")
        period = period_parse(str(options["period"]))
        run = self.create_month_run(actor, period, agency, options)
        self.stdout.write(
            f"run #{run.pk}: {self.run_label} of {period} for {agency.code} {agency.name}, "
            f"{run.chunks_total} chunks"
        )
        return run
