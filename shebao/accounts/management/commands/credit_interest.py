"""``manage.py credit_interest --year 2025 [--agency 420000] [--resume RUN_ID]``: the annual
interest crediting (结息) of the individual accounts from the command line, with a progress
bar and the totals at the end."""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import get_language
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shebao.accounts.interest import KIND
from shebao.accounts.services.interest import interest_run_create, interest_run_execute
from shebao.core.actors import Actor, system_actor
from shebao.core.errors import RuleViolation
from shebao.core.models import Agency, BatchRun
from shebao.core.money import format_yuan


class Command(BaseCommand):
    help = (
        "Credit a year's interest to the individual accounts of an agency and its subordinate "
        "agencies (the whole tree by default), or resume a stopped run; prints the totals. "
        "Exit code 1 on a refusal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="the year to credit, e.g. 2025")
        parser.add_argument("--agency", help="agency code, e.g. 420300 (default: the root)")
        parser.add_argument("--resume", type=int, metavar="RUN_ID", help="resume this run")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = system_actor("credit_interest")
        try:
            run = self._run(actor, options)
            run = self._execute(run, actor)
        except RuleViolation as exc:
            raise CommandError(f"{exc.code}: {exc.message(get_language())}", returncode=1) from exc
        self._print_totals(run)

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

    def _run(self, actor: Actor, options: dict[str, Any]) -> BatchRun:
        if options["resume"] is not None:
            run = (
                BatchRun.objects.select_related("agency")
                .filter(pk=options["resume"], kind=KIND)
                .first()
            )
            if run is None:
                raise CommandError(f"there is no interest run #{options['resume']}")
            return run
        if options["year"] is None:
            raise CommandError("give --year, or --resume RUN_ID")
        agency = self._agency(options["agency"])
        run = interest_run_create(actor=actor, year=options["year"], agency=agency)
        self.stdout.write(
            f"run #{run.pk}: interest of {options['year']} at {run.params['rate']['value']} "
            f"for {agency.code} {agency.name}, {run.chunks_total} chunks"
        )
        return run

    def _execute(self, run: BatchRun, actor: Actor) -> BatchRun:
        # OutputWrapper is file-like (write, flush, isatty), so the bar goes where the output
        # goes: a live bar on a terminal, its final state in a log or a test.
        console = Console(file=cast(IO[str], self.stdout), soft_wrap=True)
        columns = (
            TextColumn("[bold]run #{task.fields[run]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("chunks · {task.fields[rows]:,} entries"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as progress:
            task = progress.add_task(
                "interest",
                total=run.chunks_total or None,
                completed=run.chunks_done,
                run=run.pk,
                rows=run.rows,
            )

            def advance(current: BatchRun) -> None:
                progress.update(task, completed=current.chunks_done, rows=current.rows)

            return interest_run_execute(run, actor=actor, progress=advance)

    def _print_totals(self, run: BatchRun) -> None:
        totals = run.totals
        self.stdout.write(
            f"run #{run.pk} {run.status}: {run.rows} interest entries, "
            f"{format_yuan(int(totals.get('interest_fen', 0)))} yuan credited for "
            f"{run.params['year']} at {run.params['rate']['value']}"
        )
