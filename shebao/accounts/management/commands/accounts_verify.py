"""``manage.py accounts_verify [--agency CODE]``: every pension account recomputed from its
journal and from the contribution history; the accounts that differ are listed (masked resident
ID, the balance expected and found, the first year a figure differs) and the exit code is 1."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import get_language

from shebao.accounts.verify import accounts_verify
from shebao.core.errors import RuleViolation
from shebao.core.models import Agency


class Command(BaseCommand):
    help = (
        "Recompute every pension account from its journal entries and from the paid "
        "contribution history (credits per period, interest per year); list the accounts that "
        "differ and exit 1, or print how many were checked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--agency", help="agency code: only the persons it and its subordinates manage"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"there is no agency {options['agency']}")
        try:
            report = accounts_verify(agency=agency)
        except RuleViolation as exc:  # no parameters loaded, say
            raise CommandError(f"{exc.code}: {exc.message(get_language())}") from exc
        scope = f" of {agency.code}" if agency else ""
        if report.waiting_postings:
            self.stdout.write(
                f"note: {report.waiting_postings} paid credits still wait in the posting queue "
                "(post_account_credits posts them); they show as missing contributions"
            )
        if report.clean:
            self.stdout.write(f"accounts consistent: {report.checked} accounts{scope} checked")
            return
        for discrepancy in report.discrepancies:
            self.stdout.write(discrepancy.describe())
        self.stderr.write(
            f"{len(report.discrepancies)} of {report.checked} accounts{scope} differ from "
            "their history"
        )
        sys.exit(1)
