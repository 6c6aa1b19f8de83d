from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from shebao.contributions.exchange import FORMATS, assessment_export, export_file_name
from shebao.core.actors import system_actor
from shebao.core.errors import RuleViolation
from shebao.core.models import Agency
from shebao.core.money import format_yuan


class Command(BaseCommand):
    help = (
        "Write a period's assessments (bills and lines) of an agency subtree for the tax bureau, "
        "in the layout of docs/exchange.md. The file holds full resident IDs: hand it over only "
        "through the agreed channel."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", type=int, required=True, help="YYYYMM, e.g. 202510")
        parser.add_argument("--agency", required=True, help="agency code, e.g. 420300")
        parser.add_argument("--format", choices=FORMATS, default="csv", dest="file_format")
        parser.add_argument(
            "--out", help="file to write (default: the agreed file name in this directory)"
        )
        parser.add_argument("--run", type=int, help="only the bills of this assessment run")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"no agency {options['agency']!r}")
        actor = system_actor("export_assessments")
        out = Path(
            options["out"]
            or export_file_name(agency, options["period"], options["file_format"], timezone.now())
        )
        try:
            with out.open("wb") as stream:
                export = assessment_export(
                    actor=actor,
                    period=options["period"],
                    agency=agency,
                    file_format=options["file_format"],
                    out=stream,
                    file_name=out.name,
                    run_id=options["run"],
                )
        except RuleViolation as refusal:
            out.unlink(missing_ok=True)
            raise CommandError(refusal.message_en) from refusal
        control = export.control
        self.stdout.write(
            f"{out.name}: {control.bills} bills, {control.lines} lines, "
            f"total {format_yuan(control.bill_total_fen)} yuan"
        )
