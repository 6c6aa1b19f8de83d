import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shebao.core.errors import RuleViolation
from shebao.rules.api import calc_error
from shebao.rules.calc import load_calculators, run_calc
from shebao.rules.store import DatabaseParameters

EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = (
        "Run a calculator: JSON in (--input TEXT, or --input - for standard input), one JSON "
        'object out. Exit 2 with {"error": {"code", "message"}} on invalid input.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="calculator: " + ", ".join(sorted(load_calculators())))
        parser.add_argument("--input", required=True, help="a JSON object, or - for stdin")

    def handle(self, *args: Any, **options: Any) -> None:
        text = sys.stdin.read() if options["input"] == "-" else options["input"]
        try:
            try:
                payload = json.loads(text)
            except json.JSONDecodeError as exc:
                raise RuleViolation("CALC-INPUT-JSON", problem=str(exc)) from exc
            output = run_calc(options["name"], payload, DatabaseParameters())
        except RuleViolation as exc:
            self.stdout.write(json.dumps(calc_error(exc), ensure_ascii=False))
            sys.exit(EXIT_BAD_INPUT)
        self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))
