"""Synthetic register for the monthly-assessment benchmark: N insured persons with employers,
insured relations and verified contribution bases, loaded with COPY on PostgreSQL.

The shape:

- employers of about 50 persons each, spread over the Shiyan district agencies, each with a
  work-injury risk class (1–8) and floating tier 100;
- every person has three employee relations (pension, unemployment, work injury) with one
  employer, active from a start period at or before the benchmark period, with no end;
- persons are numbered in their employer's order (as a batch registration leaves them), but
  one in five works for a random other employer (job changers), so a chunk of employers
  does not read one contiguous slice of the person and relation tables;
- one verified base per person per scheme for the year, source "declared": the declared
  wage follows a log-normal spread around 6,500 yuan, so about a fifth is raised to the floor
  and about one in a hundred lowered to the cap; ``base_fen`` is stored already clamped.

Resident IDs and credit codes are valid (check characters included) and distinct: person
``i`` gets sequence ``i mod 1000``, and an area code and birth date that follow injectively
from ``i div 1000``. Deterministic for a given size (fixed seed).

Rows are given explicit ids (after the largest id present) and the id sequences are reset
afterwards. On SQLite (small runs only) the same rows go in with ``executemany``.
"""

from __future__ import annotations

import io
import math
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from stdnum.cn import uscc

from shebao.contributions.models import BaseClamp, BaseSource, ContributionBase
from shebao.core.identifiers import resident_id_with_check
from shebao.core.models import Agency
from shebao.core.money import yuan_to_fen
from shebao.core.periods import period_first_day
from shebao.registry.demo_bulk import GIVEN, SURNAMES, TRADES
from shebao.registry.models import (
    Employer,
    InsuredRelation,
    Person,
    RelationKind,
    RelationStatus,
    Scheme,
)
from shebao.rules.store import DatabaseParameters

SEED = 6
PERSONS_PER_EMPLOYER = 50
MOVER_SHARE = 0.2  # persons working for an employer outside their registration block
WAGE_MEDIAN_YUAN = 6500
WAGE_SIGMA = 0.5
CODE_MARK = "BCH"  # in every bench credit code (demo data uses MAD, tests TMX)
DECLARED_BY = "bench"
AGENCY_CODES = ("420302", "420303", "420300-01", "420300-02")
# Area codes of Shiyan (the first six digits of its residents' IDs).
AREAS = ("420302", "420303", "420304", "420322", "420323", "420325", "420381", "420300")
BIRTH_FIRST = date(1966, 1, 1)
BIRTH_DAYS = (date(2004, 12, 31) - BIRTH_FIRST).days + 1
DAY_STRIDE = 7919  # prime, coprime with BIRTH_DAYS: day = t × stride mod days is injective
SCHEMES = (Scheme.PENSION, Scheme.UNEMPLOYMENT, Scheme.WORK_INJURY)
BATCH_ROWS = 100_000

EMPLOYER_COLUMNS = (
    "id", "credit_code", "name", "legal_representative", "address", "division_code", "industry",
    "risk_class", "floating_tier", "bank_name", "bank_account", "contact_name", "contact_phone",
    "status", "managing_agency_id", "created_at",
)  # fmt: skip
PERSON_COLUMNS = (
    "id", "resident_id", "name", "sex", "birth_date", "ethnicity", "hukou_type", "phone",
    "address", "bank_name", "bank_account", "status", "managing_agency_id", "created_at",
)  # fmt: skip
RELATION_COLUMNS = (
    "id", "person_id", "scheme", "employer_id", "kind", "start_period", "end_period", "status",
    "start_reason", "end_reason", "agency_id", "created_at",
)  # fmt: skip
BASE_COLUMNS = (
    "id", "person_id", "scheme", "year", "employer_id", "source", "declared_wage_fen",
    "base_fen", "clamp", "floor_fen", "cap_fen", "declared_at", "declared_by",
)  # fmt: skip


class BenchDataError(Exception):
    pass


@dataclass(frozen=True)
class BenchAgency:
    pk: int
    division_code: str
    floor_fen: int
    cap_fen: int


@dataclass(frozen=True)
class Generated:
    employers: int
    persons: int
    relations: int
    bases: int
    seconds: float


def credit_code(division: str, number: int) -> str:
    body = f"91{division}{CODE_MARK}{number:06d}"
    return body + uscc.calc_check_digit(body)


def resident_id(index: int) -> str:
    """A valid resident ID, distinct for every ``index`` below 1000 × 8 × BIRTH_DAYS."""
    sequence, block = index % 1000, index // 1000
    area, t = AREAS[block % len(AREAS)], block // len(AREAS)
    if t >= BIRTH_DAYS:
        raise BenchDataError(f"person {index} is beyond the IDs this generator can make")
    birth = BIRTH_FIRST + timedelta(days=t * DAY_STRIDE % BIRTH_DAYS)
    return resident_id_with_check(f"{area}{birth:%Y%m%d}{sequence:03d}")


def bench_agencies(period: int) -> list[BenchAgency]:
    """The district agencies the bench register lives in, with the floor and cap in force."""
    source = DatabaseParameters()
    on = period_first_day(period)
    found = {a.code: a for a in Agency.objects.filter(code__in=AGENCY_CODES)}
    missing = sorted(set(AGENCY_CODES) - set(found))
    if missing:
        raise BenchDataError(f"agencies {missing} are missing: seed the agency tree first")
    return [
        BenchAgency(
            pk=found[code].pk,
            division_code=found[code].division_code,
            floor_fen=yuan_to_fen(
                source.lookup("contribution.base.floor", found[code].division_code, on).decimal()
            ),
            cap_fen=yuan_to_fen(
                source.lookup("contribution.base.cap", found[code].division_code, on).decimal()
            ),
        )
        for code in AGENCY_CODES
    ]


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return int(cursor.fetchone()[0]) + 1


class _Writer:
    """Rows into one table: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, table: str, columns: Sequence[str]) -> None:
        self.table, self.columns = table, columns
        self.rows = 0

    def write(self, rows: Iterator[tuple[Any, ...]]) -> int:
        names = ", ".join(self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor  # the psycopg cursor under Django's wrapper
                with raw.copy(f"COPY {self.table} ({names}) FROM STDIN") as copy:
                    buffer = io.StringIO()
                    for count, row in enumerate(rows, start=1):
                        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
                        if count % BATCH_ROWS == 0:
                            copy.write(buffer.getvalue())
                            buffer = io.StringIO()
                        self.rows = count
                    copy.write(buffer.getvalue())
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                sql = f"INSERT INTO {self.table} ({names}) VALUES ({marks})"
                batch: list[tuple[Any, ...]] = []
                for row in rows:
                    batch.append(row)
                    if len(batch) == BATCH_ROWS:
                        cursor.executemany(sql, batch)
                        self.rows += len(batch)
                        batch = []
                cursor.executemany(sql, batch)
                self.rows += len(batch)
        return self.rows


def generate(*, persons: int, period: int, log: Any = print) -> Generated:
    """Add ``persons`` insured persons (and their employers, relations and bases for the
    period's year) to an empty register, in one transaction."""
    if persons < 1:
        raise BenchDataError("at least one person")
    if Person.objects.exists():
        raise BenchDataError("the register is not empty: generate into a fresh database")
    started = time.perf_counter()
    rng = random.Random(SEED)  # reproducible synthetic data, not secrets
    agencies = bench_agencies(period)
    year = period // 100
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    employer_count = math.ceil(persons / PERSONS_PER_EMPLOYER)
    first_employer = _next_id(Employer._meta.db_table)
    first_person = _next_id(Person._meta.db_table)
    first_relation = _next_id(InsuredRelation._meta.db_table)
    first_base = _next_id(ContributionBase._meta.db_table)
    # Employer number k sits in agency k mod 4; its risk class is drawn once.
    risk = [rng.randint(1, 8) for _ in range(employer_count)]

    def employers() -> Iterator[tuple[Any, ...]]:
        for k in range(employer_count):
            agency = agencies[k % len(agencies)]
            trade = TRADES[k % len(TRADES)]
            name = f"十堰{SURNAMES[k % len(SURNAMES)]}{GIVEN[k % len(GIVEN)]}{trade}有限公司{k}"
            yield (
                first_employer + k, credit_code(agency.division_code, k), name, "", "",
                agency.division_code, trade, risk[k], 100, "", "", "", "", "active", agency.pk,
                now,
            )  # fmt: skip

    # Person i's employer number: its registration block, or a random one for movers.
    employer_of = [
        rng.randrange(employer_count)
        if rng.random() < MOVER_SHARE
        else min(i // PERSONS_PER_EMPLOYER, employer_count - 1)
        for i in range(persons)
    ]

    def people() -> Iterator[tuple[Any, ...]]:
        for i in range(persons):
            number = resident_id(i)
            birth = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
            agency = agencies[employer_of[i] % len(agencies)]
            name = SURNAMES[rng.randrange(len(SURNAMES))] + GIVEN[rng.randrange(len(GIVEN))]
            if rng.random() < 0.5:
                name += GIVEN[rng.randrange(len(GIVEN))]
            yield (
                first_person + i, number, name, "M" if i % 2 else "F", birth, "汉族",
                "urban" if rng.random() < 0.6 else "rural",
                f"13{rng.randrange(10)}{rng.randrange(10_000_000, 100_000_000)}", "", "", "",
                "active", agency.pk, now,
            )  # fmt: skip

    def relations() -> Iterator[tuple[Any, ...]]:
        row_id = first_relation
        for i in range(persons):
            k = employer_of[i]
            start = rng.randint(2015, year) * 100 + 1
            for scheme in SCHEMES:
                yield (
                    row_id, first_person + i, scheme.value, first_employer + k,
                    RelationKind.EMPLOYEE.value, start, None, RelationStatus.ACTIVE.value,
                    "new_hire", "", agencies[k % len(agencies)].pk, now,
                )  # fmt: skip
                row_id += 1

    def bases() -> Iterator[tuple[Any, ...]]:
        row_id = first_base
        for i in range(persons):
            k = employer_of[i]
            agency = agencies[k % len(agencies)]
            wage_fen = round(rng.lognormvariate(math.log(WAGE_MEDIAN_YUAN), WAGE_SIGMA)) * 100
            if wage_fen < agency.floor_fen:
                base_fen, clamp = agency.floor_fen, BaseClamp.FLOOR.value
            elif wage_fen > agency.cap_fen:
                base_fen, clamp = agency.cap_fen, BaseClamp.CAP.value
            else:
                base_fen, clamp = wage_fen, BaseClamp.NONE.value
            for scheme in SCHEMES:
                yield (
                    row_id, first_person + i, scheme.value, year, first_employer + k,
                    BaseSource.DECLARED.value, wage_fen, base_fen, clamp, agency.floor_fen,
                    agency.cap_fen, now, DECLARED_BY,
                )  # fmt: skip
                row_id += 1

    counts = {}
    with transaction.atomic():
        _skip_reference_checks()
        for label, model, columns, rows in (
            ("employers", Employer, EMPLOYER_COLUMNS, employers()),
            ("persons", Person, PERSON_COLUMNS, people()),
            ("relations", InsuredRelation, RELATION_COLUMNS, relations()),
            ("bases", ContributionBase, BASE_COLUMNS, bases()),
        ):
            step = time.perf_counter()
            counts[label] = _Writer(model._meta.db_table, columns).write(rows)
            log(f"  {label}: {counts[label]:,} rows in {time.perf_counter() - step:.1f} s")
        models = [Employer, Person, InsuredRelation, ContributionBase]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
    analyze(models)
    return Generated(
        employers=counts["employers"],
        persons=counts["persons"],
        relations=counts["relations"],
        bases=counts["bases"],
        seconds=time.perf_counter() - started,
    )


def _skip_reference_checks() -> None:
    """Skip the foreign-key checks for this transaction where the role may (a superuser on
    PostgreSQL, as ``pg_restore --disable-triggers`` does): every reference the generator
    writes points at a row it wrote itself, and checking 7 million of them at commit would
    take longer than writing them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if row and row[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")


def analyze(models: Sequence[Any]) -> None:
    """Fresh statistics (and, on PostgreSQL, a vacuumed visibility map) for the planner, as a
    production database has after autovacuum."""
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")
        else:
            cursor.execute("ANALYZE")
