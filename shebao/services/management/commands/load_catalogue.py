from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shebao.core.actors import system_actor
from shebao.services.catalogue import catalogue_load
from shebao.services.catalogue_data import CatalogueFileError


class Command(BaseCommand):
    help = "Validate the service catalogue file and bring the database in line (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = catalogue_load(actor=system_actor("load_catalogue"))
        except CatalogueFileError as exc:
            raise CommandError(f"catalogue file error: {exc}") from exc
        self.stdout.write(
            f"service items: {report.created} added, {report.updated} updated, "
            f"{report.unchanged} unchanged"
        )
