"""``manage.py refresh_statistics [--from YYYY-MM] [--to YYYY-MM] [--summary NAME …]``: rebuild
the statistics summaries of a range of months from the records (by default the last twelve
months), for the nightly job and after a migration. Idempotent: a rerun writes the same rows."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import get_language

from shebao.core.errors import RuleViolation
from shebao.core.periods import period_add, period_of, period_parse, period_range
from shebao.reports.refresh import SUMMARIES, summaries_refresh
from shebao.reports.services import statistics_refreshed

DEFAULT_MONTHS = 12


class Command(BaseCommand):
    help = (
        "Rebuild the statistics summaries (insured, contributions, bills, payroll, retirees) of "
        "a range of months from the records; by default the last twelve months."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", help="first month, YYYY-MM")
        parser.add_argument("--to", dest="end", help="last month, YYYY-MM (default: this month)")
        parser.add_argument(
            "--summary", action="append", choices=sorted(SUMMARIES), help="only this summary"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            end = (
                period_parse(options["end"]) if options["end"] else period_of(timezone.localdate())
            )
            start = (
                period_parse(options["start"])
                if options["start"]
                else period_add(end, 1 - DEFAULT_MONTHS)
            )
        except RuleViolation as exc:
            raise CommandError(f"{exc.code}: {exc.message(get_language())}") from exc
        periods = period_range(start, end)
        if not periods:
            raise CommandError("the first month is after the last")
        names = options["summary"] or list(SUMMARIES)
        began = time.perf_counter()
        written = summaries_refresh(periods, names)
        statistics_refreshed(start=start, end=end, written=written)
        rows = ", ".join(f"{name} {count}" for name, count in written.items())
        self.stdout.write(
            f"refreshed {len(periods)} months ({start}–{end}) in "
            f"{time.perf_counter() - began:.1f} s: {rows}"
        )
