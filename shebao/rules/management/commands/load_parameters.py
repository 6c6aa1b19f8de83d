from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shebao.core.actors import system_actor
from shebao.rules.params import ParameterFileError, default_parameter_dir
from shebao.rules.services import parameters_load


class Command(BaseCommand):
    help = "Validate the parameter files and bring the database store in line (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default=str(default_parameter_dir()), help="parameter folder")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = parameters_load(
                actor=system_actor("load_parameters"), root=Path(options["dir"])
            )
        except ParameterFileError as exc:
            raise CommandError(f"parameter file error: {exc}") from exc
        self.stdout.write(
            f"parameters: {report.created} values added, {report.superseded} superseded, "
            f"{report.unchanged} unchanged"
        )
