"""``manage.py migrate_legacy --city 420300 DIR``: stage, cleanse and load one city's legacy
delivery (docs/legacy-format.md), with a progress bar; ``--resume RUN_ID`` after a crash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from shebao.core.actors import Actor
from shebao.core.batch import Progress
from shebao.core.batch_command import BatchRunCommand
from shebao.core.models import Agency, BatchRun
from shebao.migration.reading import encoding_known
from shebao.migration.services import KIND, migration_run_create, migration_run_execute


class Command(BatchRunCommand):
    help = "Migrate one city's legacy data (stage, cleanse, load, keep every raw row)."
    kind = KIND
    name = "migrate_legacy"
    run_label = "migration"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", nargs="?", help="the city's delivery")
        parser.add_argument("--city", help="city agency code, e.g. 420300")
        parser.add_argument("--encoding", help="force utf-8 or gbk for the CSV files")
        super().add_arguments(parser)

    def create_run(self, actor: Actor, options: dict[str, Any]) -> BatchRun:
        if not options["city"] or not options["directory"]:
            raise CommandError("give --city and DIR, or --resume RUN_ID")
        city = Agency.objects.filter(code=options["city"]).first()
        if city is None:
            raise CommandError(f"there is no agency {options['city']}")
        directory = Path(options["directory"])
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory")
        encoding = options["encoding"]
        if encoding and not encoding_known(encoding):
            raise CommandError("--encoding must be utf-8 or gbk")
        run = migration_run_create(actor=actor, city=city, directory=directory, encoding=encoding)
        files = ", ".join(f"{e} {f['rows']:,}" for e, f in run.params["files"].items())
        self.stdout.write(f"run #{run.pk}: migration of {city.code} {city.name}: {files}")
        return run

    def execute_run(self, run: BatchRun, actor: Actor, progress: Progress) -> BatchRun:
        return migration_run_execute(run, actor=actor, progress=progress)

    def totals_line(self, run: BatchRun) -> str:
        parts = [f"{key} {value:,}" for key, value in sorted(run.totals.items())]
        return f"run #{run.pk} {run.status}: " + ", ".join(parts)
