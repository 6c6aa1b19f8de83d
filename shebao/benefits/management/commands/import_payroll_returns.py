"""``manage.py import_payroll_returns RUN_ID FILE``: import a bank's return file for a payroll
run (reference,result,reason); a malformed file is refused whole with its rule code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import get_language

from shebao.benefits.payroll import KIND
from shebao.benefits.services.payroll import payroll_return_import
from shebao.core.actors import system_actor
from shebao.core.errors import RuleViolation
from shebao.core.models import BatchRun
from shebao.core.money import format_yuan


class Command(BaseCommand):
    help = "Import a bank's return file for a payroll run. Exit code 1 on a refusal."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run", type=int, help="payroll run id")
        parser.add_argument("file", help="the return file (CSV)")

    def handle(self, *args: Any, **options: Any) -> None:
        run = BatchRun.objects.select_related("agency").filter(pk=options["run"], kind=KIND).first()
        if run is None:
            raise CommandError(f"there is no payroll run #{options['run']}")
        path = Path(options["file"])
        try:
            imported = payroll_return_import(
                actor=system_actor("import_payroll_returns"),
                run=run,
                file_name=path.name,
                content=path.read_bytes(),
            )
        except RuleViolation as exc:
            raise CommandError(f"{exc.code}: {exc.message(get_language())}", returncode=1) from exc
        self.stdout.write(
            f"run #{run.pk}: {imported.rows} rows, {imported.paid} paid, {imported.failed} "
            f"returned ({format_yuan(imported.failed_fen)} yuan)"
        )
