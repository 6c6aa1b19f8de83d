import sys
from typing import Any

from django.core.management.base import BaseCommand

from shebao.core.audit import audit_chain_verify


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain; exit 1 naming the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_chain_verify()
        if report.intact:
            self.stdout.write(
                f"audit chain intact: {report.checked} entries checked; "
                f"last hash {report.last_hash}"
            )
            return
        assert report.first_break is not None
        self.stderr.write(
            f"audit chain BROKEN at entry #{report.first_break.entry_id}: "
            f"{report.first_break.reason} ({report.checked} entries checked)"
        )
        sys.exit(1)
