"""``manage.py detect_reemployment [--agency CODE] [--through YYYYMM]``: stop every unemployment
benefit whose claimant started a new insured relation after registering (re-employment);
prints each stop. The monthly payroll run does the same before it pays."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shebao.benefits.services.unemployment_stops import reemployment_stops
from shebao.core.actors import system_actor
from shebao.core.models import Agency
from shebao.core.periods import period_format, period_parse


class Command(BaseCommand):
    help = "Stop unemployment benefits of claimants who started a new job after registering."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", help="agency code; default: the whole province")
        parser.add_argument("--through", help="only relations starting by this month (YYYY-MM)")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"there is no agency {options['agency']}")
        through = period_parse(options["through"]) if options["through"] else None
        stopped = reemployment_stops(
            actor=system_actor("detect_reemployment"), agency=agency, through_period=through
        )
        for benefit in stopped:
            self.stdout.write(
                f"benefit #{benefit.pk} ({benefit.payee_name}): stopped, last month "
                f"{period_format(benefit.stop_period or benefit.start_period)}"
            )
        self.stdout.write(f"{len(stopped)} unemployment benefits stopped on re-employment")
