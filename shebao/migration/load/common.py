"""What every entity's load shares: the run's context, the staged-file record, the maps from
the city's legacy numbers to the province's records, and a fast bulk insert."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from django.db import connection

from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.models import Agency, BatchRun
from shebao.migration.models import KEPT, LegacyEmployer, LegacyFile, LegacyPerson, Outcome
from shebao.migration.reading import Delivered

COPY_BATCH = 5000


@dataclass
class LoadContext:
    """One entity's load within a run: the city, who runs it, the file delivered."""

    run: BatchRun
    city: Agency
    actor: Actor
    delivered: Delivered
    file: LegacyFile | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """The provenance written on the province's records."""
        return f"legacy:{self.city.code}"

    @cached_property
    def agencies(self) -> dict[str, Agency]:
        """The city's agencies by division code (the first by code when several share one)."""
        found: dict[str, Agency] = {}
        for agency in Agency.objects.filter(path__startswith=self.city.path).order_by("code"):
            found.setdefault(agency.division_code, agency)
        return found

    def agency_for(self, division_code: str | None) -> Agency:
        return self.agencies.get(division_code or "", self.city)

    def count(self, outcome: str, n: int = 1) -> None:
        key = f"{self.delivered.entity}_{outcome}"
        self.counts[key] = self.counts.get(key, 0) + n

    def audit(self, action: str, after: dict[str, Any]) -> None:
        assert self.file is not None
        audit_record(
            actor=self.actor,
            action=f"migration.{action}",
            target=self.file,
            target_agency=self.city,
            after={"file": self.delivered.name, "sha256": self.delivered.sha256, **after},
        )


def file_open(context: LoadContext, rows: int) -> LegacyFile | None:
    """Record the file as staged; None when this city already staged these exact bytes."""
    delivered = context.delivered
    if LegacyFile.objects.filter(
        city=context.city, entity=delivered.entity, sha256=delivered.sha256
    ).exists():
        return None
    context.file = LegacyFile.objects.create(
        city=context.city,
        entity=delivered.entity,
        name=delivered.name,
        sha256=delivered.sha256,
        encoding=delivered.encoding,
        rows=rows,
        run=context.run,
    )
    return context.file


def delivered_of(run: BatchRun, entity: str) -> Delivered:
    spec = run.params["files"][entity]
    return Delivered(entity, Path(spec["path"]), spec["sha256"], spec["encoding"])


def employer_map(city: Agency) -> dict[str, int]:
    """The city's employer numbers → the province's employer ids (rows kept only)."""
    rows = LegacyEmployer.objects.filter(
        city=city, outcome__in=KEPT, target_id__isnull=False
    ).values_list("legacy_id", "target_id")
    return {legacy: int(target or 0) for legacy, target in rows}


@dataclass(frozen=True)
class PersonRef:
    person_id: int
    agency_id: int | None
    death_period: int | None  # the month of death the city recorded, if any
    matched: bool  # the province held the person before this city's migration


def person_map(city: Agency) -> dict[str, PersonRef]:
    """The city's person numbers → the province's person ids (rows kept only)."""
    rows = LegacyPerson.objects.filter(
        city=city, outcome__in=KEPT, target_id__isnull=False
    ).values_list("legacy_id", "target_id", "agency_id", "died_on", "matched")
    return {
        legacy: PersonRef(
            int(target or 0), agency, died.year * 100 + died.month if died else None, matched
        )
        for legacy, target, agency, died, matched in rows
    }


def bulk_insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Rows into a table: COPY on PostgreSQL, batched executemany elsewhere.

    The rows must not query the database while they are produced: during a COPY the
    connection is busy and such a query would wait on it for ever."""
    names = ", ".join(columns)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - names only
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == COPY_BATCH:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def outcome_counts(model: type, file: LegacyFile) -> dict[str, int]:
    from django.db.models import Count

    rows = (
        model.objects.filter(file=file)  # type: ignore[attr-defined]
        .values_list("outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {f"{file.entity}_{outcome}": n for outcome, n in rows}


__all__ = [
    "KEPT",
    "LoadContext",
    "Outcome",
    "PersonRef",
    "bulk_insert",
    "delivered_of",
    "employer_map",
    "file_open",
    "outcome_counts",
    "person_map",
]
