"""Benchmark of the annual interest crediting (结息) against a floor, on PostgreSQL.

Builds N synthetic insured persons with the assessment benchmark's generator
(``bench.assessment_data``), then loads their individual accounts with COPY: for each person
a balance migrated from a city system at the end of Y−1 and twelve monthly contribution
credits in Y (8% of a log-normal base between the floor and the cap, 13 entries a person).
Then, for the year Y (default 2025, at its published rate):

1. the FLOOR: one hand-written ``INSERT … SELECT`` that writes the same interest entries into
   the journal itself (Σ amount × 12 before Y, Σ amount × (13 − month) in Y, × rate, rounded;
   no chunks, no agency subtree, no difference to interest already credited, no negative
   balances), timed inside a transaction that is then rolled back: the journal refuses DELETE,
   and a TEMP table would be cheaper to write than the journal the job writes to. The rolled
   back rows are vacuumed away before the job starts;
2. the JOB: ``interest_run_create`` + ``interest_run_execute`` for the whole province (agency
   420000), timed from creation to the reconciled end (planning, entries, reconciliation and
   audit included);
3. a check that the run wrote what the floor wrote (entries and their sum, to the fen), and a
   rerun, which must write nothing. Either failing fails the benchmark.

The job's entries cannot be removed, so there is one round per database. It prints::

    BENCH job=interest persons=N seconds=S persons_per_s=R floor_seconds=F ratio=S/F

Without DATABASE_URL it (re)creates a database of its own, ``shebao_bench_interest``, on the
server BENCH_PG (default ``postgres://postgres@127.0.0.1:5432``). With DATABASE_URL it uses
that database, which must hold no register yet.

    .venv/bin/python -m bench.interest [--persons N] [--year 2025]
"""

from __future__ import annotations

import argparse
import io
import math
import os
import random
import sys
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

from bench.common import log, prepare_database

BENCH_DB = "shebao_bench_interest"
SEED = 7
OPENING_MEDIAN_YUAN = 60_000
OPENING_SIGMA = 0.8
BASE_MEDIAN_YUAN = 6_500
BASE_SIGMA = 0.5
FLOOR_FEN, CAP_FEN = 429_900, 2_167_800  # Shiyan's 2025 floor and cap
CREDIT_RATE_E4 = 800  # 8% of the base
COPY_LINES = 100_000
ENTRY_COLUMNS = (
    "id", "person_id", "kind", "amount_fen", "year", "month", "period", "rate", "provisional",
    "source", "key", "note", "created_at", "created_by", "reverses_id",
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--persons", type=int, default=int(os.environ.get("BENCH_PERSONS", "1000000"))
    )
    parser.add_argument("--year", type=int, default=int(os.environ.get("BENCH_YEAR", "2025")))
    args = parser.parse_args()
    prepare_database(BENCH_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    sys.exit(0 if run_bench(persons=args.persons, year=args.year) else 1)


def run_bench(*, persons: int, year: int) -> bool:
    from django.core.management import call_command
    from django.db import connection

    from bench.assessment_data import generate
    from shebao.core.actors import system_actor
    from shebao.core.demo import seed_agencies
    from shebao.core.models import Agency
    from shebao.registry.models import Person
    from shebao.rules.params import default_parameter_dir
    from shebao.rules.services import parameters_load

    if connection.vendor != "postgresql":
        raise SystemExit("the interest benchmark needs PostgreSQL (COPY, a rolled-back floor)")
    log(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0, interactive=False)
    seed_agencies()
    parameters_load(actor=system_actor("bench"), root=default_parameter_dir())
    if Person.objects.exists():
        raise SystemExit("the register is not empty: use a fresh database")
    started = time.perf_counter()
    log(f"register: generating {persons:,} persons")
    made = generate(persons=persons, period=year * 100 + 1, log=log)
    log(f"register: {made.persons:,} persons in {made.seconds:.1f} s")
    entries, seconds = load_accounts(year)
    log(f"accounts: {entries:,} entries in {seconds:.1f} s")
    log(f"data ready in {time.perf_counter() - started:.1f} s")

    province = Agency.objects.get(code="420000")
    ok = True
    floor_seconds, floor_totals = _floor(year)
    log(f"floor: {floor_seconds:.2f} s, {floor_totals[0]:,} entries, {floor_totals[1]:,} fen")
    seconds, run, created = _job(province, year)
    totals = [int(run.totals.get("entries", 0)), int(run.totals.get("interest_fen", 0))]
    log(
        f"job: {seconds:.2f} s (planned in {created:.2f} s), run #{run.pk}, "
        f"{run.chunks_total} chunks, {totals[0]:,} entries, {totals[1]:,} fen"
    )
    if totals != floor_totals:
        log(f"MISMATCH: the run wrote {totals}, the floor {floor_totals}")
        ok = False
    rerun_seconds, rerun, _created = _job(province, year)
    log(f"rerun with nothing changed: {rerun_seconds:.2f} s, {rerun.rows} entries written")
    if rerun.rows != 0:
        log(f"MISMATCH: the rerun wrote {rerun.rows} entries; it must write none")
        ok = False
    log(
        f"BENCH job=interest persons={persons} seconds={seconds:.2f} "
        f"persons_per_s={persons / seconds:.0f} floor_seconds={floor_seconds:.2f} "
        f"ratio={seconds / floor_seconds:.2f}"
    )
    if not ok:
        log("FAILED: see the mismatches above")
    return ok


def load_accounts(year: int) -> tuple[int, float]:
    """COPY each person's migrated opening balance (December of Y−1) and twelve monthly
    contribution credits of Y into the journal, in one transaction; deterministic."""
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.assessment_data import analyze
    from shebao.accounts.models import AccountEntry, EntryKind
    from shebao.registry.models import Person

    started = time.perf_counter()
    table = AccountEntry._meta.db_table
    rng = random.Random(SEED)  # reproducible synthetic data, not secrets
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    person_ids = list(Person.objects.order_by("id").values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        first_id = int(cursor.fetchone()[0]) + 1
    migrated, contribution = EntryKind.MIGRATED.value, EntryKind.CONTRIBUTION.value

    def lines() -> Iterator[str]:
        row_id = first_id
        for pid in person_ids:
            opening = round(rng.lognormvariate(math.log(OPENING_MEDIAN_YUAN), OPENING_SIGMA) * 100)
            yield (
                f"{row_id}\t{pid}\t{migrated}\t{opening}\t{year - 1}\t12\t\\N\t\tf\tbench\t"
                f"bench:m:{pid}\t\t{now}\tbench\t\\N\n"
            )
            row_id += 1
            base = round(rng.lognormvariate(math.log(BASE_MEDIAN_YUAN), BASE_SIGMA) * 100)
            base = min(max(base, FLOOR_FEN), CAP_FEN)
            credit = (base * CREDIT_RATE_E4 + 5_000) // 10_000
            for month in range(1, 13):
                yield (
                    f"{row_id}\t{pid}\t{contribution}\t{credit}\t{year}\t{month}\t"
                    f"{year * 100 + month}\t\tf\tbench\tbench:c:{pid}:{month}\t\t{now}\tbench\t"
                    "\\N\n"
                )
                row_id += 1

    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({', '.join(ENTRY_COLUMNS)}) FROM STDIN") as copy:
            buffer = io.StringIO()
            for count, line in enumerate(lines(), start=1):
                buffer.write(line)
                if count % COPY_LINES == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        for sql in connection.ops.sequence_reset_sql(no_style(), [AccountEntry]):
            cursor.execute(sql)
    analyze([AccountEntry])
    return count, time.perf_counter() - started


def floor_sql(year: int, rate_e8: int) -> str:
    """The floor: every person's interest entry in one plain statement.

    It knows what the bench data guarantees (no interest credited in Y yet, no negative
    balance, every person in the province) and so skips what the job must handle: the agency
    subtree, the difference to earlier interest, rounding below zero, the range guard,
    and chunking. Like the job it inserts in person order, which keeps the journal's indexes
    from being written at random.
    """
    from shebao.accounts.models import AccountEntry

    table = AccountEntry._meta.db_table
    divisor = 12 * 100_000_000
    return f"""
INSERT INTO {table} (person_id, kind, amount_fen, year, month, period, rate, provisional,
                     source, key, note, created_at, created_by)
SELECT person_id, 'interest', (base * {rate_e8} + {divisor // 2}) / {divisor}, {year}, 12,
       NULL, %(rate)s, false, 'floor', 'floor:' || CAST(person_id AS TEXT), '', now(), 'bench'
FROM (
  SELECT person_id,
         CAST(SUM(CASE WHEN year < {year} THEN amount_fen * 12
                       ELSE amount_fen * (13 - month) END) AS BIGINT) AS base
  FROM {table}
  WHERE year <= {year}
  GROUP BY person_id
) s
ORDER BY person_id"""


# The floor's session: the job's memory for hashes and sorts; the planner otherwise as
# configured.
FLOOR_SETTINGS = ("SET LOCAL work_mem = '64MB'",)


def _floor(year: int) -> tuple[float, list[int]]:
    """Time the floor inside a transaction, read its totals, roll it back, vacuum."""
    from django.db import connection, transaction

    from shebao.accounts.models import AccountEntry
    from shebao.contributions.rates import rate_e8
    from shebao.rules.params import NATIONAL
    from shebao.rules.store import DatabaseParameters

    rate = DatabaseParameters().lookup("account.crediting_rate", NATIONAL, date(year, 12, 31))
    sql = floor_sql(year, rate_e8(rate))
    table = AccountEntry._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in FLOOR_SETTINGS:
            cursor.execute(setting)
        started = time.perf_counter()
        cursor.execute(sql, {"rate": str(rate.value)})
        seconds = time.perf_counter() - started
        cursor.execute(
            f"SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM {table} WHERE source = 'floor'"
        )
        totals = [int(v) for v in cursor.fetchone()]
        transaction.set_rollback(True)
    _settle()
    return seconds, totals


def _settle() -> None:
    """Vacuum the floor's rolled-back rows out of the journal and its indexes, refresh the
    statistics, and checkpoint so the job does not pay for the WAL of what ran before it
    (skipped where the role may not checkpoint)."""
    from django.db import DatabaseError, connection, transaction

    from shebao.accounts.models import AccountEntry

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {AccountEntry._meta.db_table}")
        try:
            with transaction.atomic():
                cursor.execute("CHECKPOINT")
        except DatabaseError:
            pass


def _job(province: Any, year: int) -> tuple[float, Any, float]:
    """Time a whole run; returns the seconds, the run and the seconds its planning took."""
    from shebao.accounts.services.interest import interest_run_create, interest_run_execute
    from shebao.core.actors import system_actor

    actor = system_actor("bench")
    started = time.perf_counter()
    run = interest_run_create(actor=actor, year=year, agency=province)
    created = time.perf_counter() - started
    run = interest_run_execute(run, actor=actor)
    return time.perf_counter() - started, run, created


if __name__ == "__main__":
    main()
