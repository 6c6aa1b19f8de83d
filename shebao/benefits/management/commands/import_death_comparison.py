"""``manage.py import_death_comparison FILE.csv``: import a death-data comparison file
(``resident_id,result,date,source``): alive → a certification of channel data, deceased → the
death is registered and the pension stops. All rows or none; exit code 1 on a refusal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import get_language

from shebao.benefits.services.death import comparison_import
from shebao.core.actors import system_actor
from shebao.core.errors import RuleViolation
from shebao.core.money import format_yuan


class Command(BaseCommand):
    help = "Import a death-data comparison file (CSV); prints what it recorded."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"there is no file {path}")
        try:
            report = comparison_import(
                actor=system_actor("import_death_comparison"),
                content=path.read_bytes(),
                file_name=path.name,
            )
        except RuleViolation as exc:
            raise CommandError(f"{exc.code}: {exc.message(get_language())}", returncode=1) from exc
        self.stdout.write(
            f"{report.rows} rows: {report.certified} certified ({report.resumed} resumed), "
            f"{report.deaths} deaths registered, {report.unchanged} already on record; "
            f"{format_yuan(report.overpaid_fen)} yuan overpaid to recover"
        )
