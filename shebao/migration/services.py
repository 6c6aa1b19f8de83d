"""Starting and running a city's migration as a batch run (design.md §7): one chunk per file,
in load order, each one transaction that stages, cleanses and loads its file — so a killed
run resumes at the first file not done, and a file already staged is never staged again."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shebao.core.actors import Actor, system_actor
from shebao.core.batch import (
    ChunkOutcome,
    ChunkPlan,
    Progress,
    batch_run_create,
    batch_run_execute,
    register_batch_job,
)
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import Agency, AgencyLevel, BatchChunk, BatchRun
from shebao.migration.load.accounts import load_accounts
from shebao.migration.load.common import LoadContext, delivered_of, file_open, outcome_counts
from shebao.migration.load.history import load_contributions
from shebao.migration.load.registry import load_employers, load_persons, load_relations
from shebao.migration.load.retirees import load_retirees
from shebao.migration.models import STAGED_MODELS, Entity
from shebao.migration.reading import LOAD_ORDER, check_files, find_files

KIND = "legacy_migration"

register_rule(
    "MIG-CITY",
    "“{code}”不是市级经办机构，迁移按市进行。",
    "'{code}' is not a city agency: a migration is one city's.",
    "docs/legacy-format.md",
)
register_rule(
    "MIG-FILE-CHANGED",
    "{name}在检查之后被改动过（SHA-256不同），请重新开始迁移。",
    "{name} changed after it was checked (its SHA-256 differs): start the migration again.",
    "docs/legacy-format.md",
)

LOADERS: dict[str, Callable[[LoadContext], None]] = {
    Entity.EMPLOYERS: load_employers,
    Entity.PERSONS: load_persons,
    Entity.RELATIONS: load_relations,
    Entity.CONTRIBUTIONS: load_contributions,
    Entity.ACCOUNTS: load_accounts,
    Entity.RETIREES: load_retirees,
}


def migration_run_create(
    *, actor: Actor, city: Agency, directory: Path, encoding: str | None = None
) -> BatchRun:
    """Check every file of the delivery to its last row, then plan the run. A malformed file
    raises its ``MIG-FILE-*`` rule here, before anything is written."""
    if city.level != AgencyLevel.CITY:
        raise RuleViolation("MIG-CITY", code=city.code)
    files = find_files(directory, encoding=encoding)
    rows = check_files(files)
    params = {
        "city": city.code,
        "directory": str(directory),
        "files": {
            f.entity: {
                "path": str(f.path),
                "sha256": f.sha256,
                "encoding": f.encoding,
                "rows": rows[f.entity],
            }
            for f in files
        },
    }
    return batch_run_create(actor=actor, kind=KIND, agency=city, period=None, params=params)


def migration_run_execute(
    run: BatchRun,
    *,
    actor: Actor,
    progress: Progress | None = None,
    chunk_hook: Callable[[int], None] | None = None,
) -> BatchRun:
    return batch_run_execute(run, actor=actor, progress=progress, chunk_hook=chunk_hook)


class LegacyMigrationJob:
    kind = KIND
    label = _("Legacy migration")

    def plan(self, run: BatchRun) -> Iterable[ChunkPlan]:
        for index, entity in enumerate(LOAD_ORDER):
            if entity in run.params["files"]:
                yield ChunkPlan(segment=entity, lo=index, hi=index)

    def execute(self, run: BatchRun, chunk: BatchChunk) -> ChunkOutcome:
        entity = chunk.segment
        spec = run.params["files"][entity]
        delivered = delivered_of(run, entity)
        if hashlib.sha256(delivered.path.read_bytes()).hexdigest() != delivered.sha256:
            raise RuleViolation("MIG-FILE-CHANGED", name=delivered.name)
        context = LoadContext(
            run=run,
            city=run.agency,
            actor=system_actor(run.actor_label.removeprefix("system:") or "migrate_legacy"),
            delivered=delivered,
        )
        legacy_file = file_open(context, rows=int(spec["rows"]))
        if legacy_file is None:
            return ChunkOutcome(rows=0, totals={f"{entity}_already_staged": int(spec["rows"])})
        LOADERS[entity](context)
        return ChunkOutcome(
            rows=int(spec["rows"]), totals=outcome_counts(STAGED_MODELS[entity], legacy_file)
        )

    def finish(self, run: BatchRun) -> None:
        return None

    def detail_url(self, run: BatchRun) -> str:
        return reverse("migration:report", args=[run.agency.code])


register_batch_job(LegacyMigrationJob())
