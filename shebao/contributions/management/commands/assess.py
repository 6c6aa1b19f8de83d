"""``manage.py assess --period 202510 --agency 420300 [--resume RUN_ID]``: the monthly
assessment (月度核定) from the command line, with a progress bar and the totals at the end."""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import get_language
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shebao.contributions.jobs import KIND
from shebao.contributions.services.assessments import (
    assessment_run_create,
    assessment_run_execute,
)
from shebao.core.actors import Actor, system_actor
from shebao.core.errors import RuleViolation
from shebao.core.models import Agency, BatchRun
from shebao.core.money import format_yuan
from shebao.core.periods import period_parse


class Command(BaseCommand):
    help = (
        "Run the monthly assessment of a period for an agency and its subordinate agencies, "
        "or resume a stopped run; prints the totals. Exit code 1 on a refusal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", help="period as YYYYMM or YYYY-MM")
        parser.add_argument("--agency", help="agency code, e.g. 420300")
        parser.add_argument("--resume", type=int, metavar="RUN_ID", help="resume this run")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = system_actor("assess")
        try:
            run = self._run(actor, options)
            run = self._execute(run, actor)
        except RuleViolation as exc:
            raise CommandError(f"{exc.code}: {exc.message(get_language())}", returncode=1) from exc
        self._print_totals(run)

    def _run(self, actor: Actor, options: dict[str, Any]) -> BatchRun:
        if options["resume"] is not None:
            run = (
                BatchRun.objects.select_related("agency")
                .filter(pk=options["resume"], kind=KIND)
                .first()
            )
            if run is None:
                raise CommandError(f"there is no assessment run #{options['resume']}")
            return run
        if not options["period"] or not options["agency"]:
            raise CommandError("give --period and --agency, or --resume RUN_ID")
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"there is no agency {options['agency']}")
        period = period_parse(options["period"])
        run = assessment_run_create(actor=actor, period=period, agency=agency)
        self.stdout.write(
            f"run #{run.pk}: assessment of {period} for {agency.code} {agency.name}, "
            f"{run.chunks_total} chunks"
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
            TextColumn("chunks · {task.fields[rows]:,} lines"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as progress:
            task = progress.add_task(
                "assess",
                total=run.chunks_total or None,
                completed=run.chunks_done,
                run=run.pk,
                rows=run.rows,
            )

            def advance(current: BatchRun) -> None:
                progress.update(task, completed=current.chunks_done, rows=current.rows)

            return assessment_run_execute(run, actor=actor, progress=advance)

    def _print_totals(self, run: BatchRun) -> None:
        totals = run.totals
        yuan = {
            key: format_yuan(int(totals.get(key, 0)))
            for key in ("employer_fen", "individual_fen", "total_fen", "account_credit_fen")
        }
        self.stdout.write(
            f"run #{run.pk} {run.status}: {run.rows} lines, {totals.get('bills', 0)} bills; "
            f"employer {yuan['employer_fen']} yuan, individual {yuan['individual_fen']} yuan, "
            f"total {yuan['total_fen']} yuan (account credit {yuan['account_credit_fen']} yuan)"
        )
