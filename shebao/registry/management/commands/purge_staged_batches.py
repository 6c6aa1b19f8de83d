from datetime import timedelta
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from shebao.registry.batch_staging import BATCH_FOLDER


class Command(BaseCommand):
    help = (
        "Delete uploaded batch files that were checked but never confirmed (they hold personal "
        "data). Run it daily from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than-hours", type=int, default=24)

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = timezone.now() - timedelta(hours=options["older_than_hours"])
        if not default_storage.exists(BATCH_FOLDER):
            self.stdout.write("no staged batch files")
            return
        _folders, files = default_storage.listdir(BATCH_FOLDER)
        removed = 0
        for name in files:
            path = f"{BATCH_FOLDER}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
        self.stdout.write(f"removed {removed} staged batch files older than the cut-off")
