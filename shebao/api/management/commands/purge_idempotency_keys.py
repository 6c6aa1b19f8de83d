from typing import Any

from django.core.management.base import BaseCommand

from shebao.api.idempotency import purge_expired


class Command(BaseCommand):
    help = "Forget API idempotency keys older than API_IDEMPOTENCY_HOURS (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{purge_expired()} expired idempotency keys removed")
