from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shebao.core.actors import system_actor
from shebao.core.audit_retention import audit_prune, retention_days


class Command(BaseCommand):
    help = (
        "Remove audit entries older than AUDIT_RETENTION_DAYS (never fewer than 183 days), "
        "leaving a chain anchor so that audit_verify still proves the rest unbroken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would be removed, change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        plan = audit_prune(actor=system_actor("audit_prune"), dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        window = f"retention {retention_days()} days, cutoff {plan.cutoff.isoformat()}"
        if plan.count == 0:
            self.stdout.write(f"audit prune: nothing to remove ({window})")
            return
        assert plan.oldest_at is not None
        assert plan.newest_at is not None
        self.stdout.write(
            f"audit prune: {verb} {plan.count} entries #{plan.first_id}-#{plan.last_id} "
            f"from {plan.oldest_at.isoformat()} to {plan.newest_at.isoformat()} ({window}); "
            f"last removed hash {plan.last_hash}"
        )
