from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from shebao.contributions.services.payments import payment_file_import
from shebao.core.actors import system_actor
from shebao.core.errors import RuleViolation
from shebao.core.money import format_yuan


class Command(BaseCommand):
    help = (
        "Import a payment file from the tax bureau (layout in docs/exchange.md). Importing the "
        "same file again changes nothing; a bad row refuses the whole file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the payment file (CSV, UTF-8)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path.name}: {error.strerror}") from error
        try:
            result = payment_file_import(
                actor=system_actor("import_payments"), content=content, file_name=path.name
            )
        except RuleViolation as refusal:
            raise CommandError(f"[{refusal.code}] {refusal.message_en}") from refusal
        record = result.payment_import
        if result.replayed:
            when = timezone.localtime(record.imported_at)
            self.stdout.write(
                f"{path.name}: already imported on {when:%Y-%m-%d %H:%M} "
                f"(import #{record.pk}); nothing changed"
            )
        self.stdout.write(
            f"{record.rows} rows: {record.new_payments} new payments "
            f"({format_yuan(record.amount_fen)} yuan), {record.duplicates} already recorded, "
            f"{record.unmatched} without a bill"
        )
        if not result.replayed:
            self.stdout.write(
                f"{result.bills_settled} bills updated, {result.postings_created} account "
                f"postings queued"
            )
        for unmatched in result.unmatched:
            self.stdout.write(
                f"  unmatched {unmatched.reference}: bill {unmatched.bill_number}, "
                f"{format_yuan(unmatched.amount_fen)} yuan ({unmatched.reason})"
            )
        for reference in result.conflicting_references:
            self.stdout.write(f"  {reference} was recorded before with other content: check it")
