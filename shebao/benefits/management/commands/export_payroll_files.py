"""``manage.py export_payroll_files RUN_ID DIR``: save a payroll run's bank payment files
(rebuilt from their lines and checked against their sha256) into a directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import get_language

from shebao.benefits.models import PayrollFile
from shebao.benefits.payroll import KIND
from shebao.benefits.services.payroll import payroll_file_download, payroll_file_name
from shebao.core.actors import system_actor
from shebao.core.errors import RuleViolation
from shebao.core.models import BatchRun


class Command(BaseCommand):
    help = "Save the bank payment files of a payroll run into DIR. Exit code 1 on a refusal."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run", type=int, help="payroll run id")
        parser.add_argument("directory", help="where to write the files")

    def handle(self, *args: Any, **options: Any) -> None:
        run = BatchRun.objects.filter(pk=options["run"], kind=KIND).first()
        if run is None:
            raise CommandError(f"there is no payroll run #{options['run']}")
        directory = Path(options["directory"])
        directory.mkdir(parents=True, exist_ok=True)
        actor = system_actor("export_payroll_files")
        files = list(PayrollFile.objects.filter(run=run).exclude(sha256="").order_by("seq"))
        if not files:
            raise CommandError(f"payroll run #{run.pk} has no bank files (is it finished?)")
        for payroll_file in files:
            try:
                content = payroll_file_download(actor=actor, payroll_file=payroll_file)
            except RuleViolation as exc:
                raise CommandError(
                    f"{exc.code}: {exc.message(get_language())}", returncode=1
                ) from exc
            path = directory / payroll_file_name(payroll_file, run.period)
            path.write_bytes(content)
            self.stdout.write(
                f"{path}: {payroll_file.bank_name}, {payroll_file.line_count} lines, "
                f"sha256 {payroll_file.sha256}"
            )
