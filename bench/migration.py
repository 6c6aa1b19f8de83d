"""Benchmark of the legacy migration (数据迁移) against a floor, on PostgreSQL.

Generates a synthetic delivery for Shiyan (420300) with the migration's own generator
(``shebao.migration.synthetic``, default defect rates) large enough for at least
BENCH_MIGRATION_ROWS contribution months (default 1,000,000; about 194 a person), plus the
small neighbour city (420100) whose persons overlap, which is migrated first and not timed.
Then:

1. the FLOOR: what a hand-written SQL migration of the contribution file would have to do at
   least — ``COPY`` the CSV as it is into a temporary table, then one ``INSERT … SELECT`` into
   the history table joining the staged persons by their legacy number (no checks, no rules,
   no staging of raw rows, no duplicates or months already held, no other file) — timed inside
   a transaction that is rolled back;
2. the JOB: ``migration_run_create`` (the pre-flight that reads every file to its end) and
   ``migration_run_execute`` for every file, timed from the first to the last;
3. checks: the reconciliation balances (before = after + rejected for every count and total),
   every defect of the manifest is found on its lines, and a second migration of the same
   delivery adds nothing (timed too). Any failing fails the benchmark.

It prints::

    BENCH job=migration rows=N seconds=S rows_per_s=R floor_seconds=F ratio=S/F

Without DATABASE_URL it (re)creates a database of its own, ``shebao_bench_migration``, on
BENCH_PG (default ``postgres://postgres@127.0.0.1:5432``).

    .venv/bin/python -m bench.migration [--rows 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import log, prepare_database

BENCH_DB = "shebao_bench_migration"
ROWS_PER_PERSON = 194  # what the generator gives on average (months × schemes)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, default=int(os.environ.get("BENCH_MIGRATION_ROWS", "1000000"))
    )
    parser.add_argument("--keep", type=Path, help="write the delivery here and keep it")
    args = parser.parse_args()
    prepare_database(BENCH_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    with tempfile.TemporaryDirectory(prefix="shebao-legacy-") as scratch:
        root = args.keep or Path(scratch)
        sys.exit(0 if run_bench(rows=args.rows, root=root) else 1)


def run_bench(*, rows: int, root: Path) -> bool:
    from django.core.management import call_command
    from django.db import connection

    from shebao.core.actors import system_actor
    from shebao.core.demo import seed_agencies
    from shebao.migration.synthetic import generate_city
    from shebao.rules.params import default_parameter_dir
    from shebao.rules.services import parameters_load

    if connection.vendor != "postgresql":
        raise SystemExit("the migration benchmark needs PostgreSQL (COPY, a rolled-back floor)")
    log(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0, interactive=False)
    seed_agencies()
    parameters_load(actor=system_actor("bench"), root=default_parameter_dir())

    started = time.perf_counter()
    persons = max(100, -(-rows // ROWS_PER_PERSON))
    manifest = generate_city(root, city="420300", persons=persons, seed=2026)
    while manifest.rows["contributions"] < rows:  # the average is an average: top up
        persons = persons * rows // manifest.rows["contributions"] + 10
        manifest = generate_city(root, city="420300", persons=persons, seed=2026)
    delivered = manifest.rows["contributions"]
    log(
        f"delivery: {persons:,} persons, {delivered:,} contribution months, "
        f"{sum(manifest.rows.values()):,} rows in all, written in "
        f"{time.perf_counter() - started:.1f} s"
    )
    neighbour, _ = _migrate(root / "420100", "420100")
    log(f"neighbour city 420100 migrated first in {neighbour:.1f} s")

    floor_seconds, floor_rows = _floor(root / "420300")
    log(f"floor: {floor_seconds:.2f} s, {floor_rows:,} months copied and inserted")
    seconds, run = _migrate(root / "420300", "420300")
    log(f"job: {seconds:.2f} s, run #{run.pk}, {run.chunks_total} chunks, totals {run.totals}")
    ok = _check(manifest, root)
    log(
        f"BENCH job=migration rows={delivered} seconds={seconds:.2f} "
        f"rows_per_s={delivered / seconds:.0f} floor_seconds={floor_seconds:.2f} "
        f"ratio={seconds / floor_seconds:.2f}"
    )
    if not ok:
        log("FAILED: see the mismatches above")
    return ok


def _migrate(directory: Path, city_code: str) -> tuple[float, Any]:
    from shebao.core.actors import system_actor
    from shebao.core.models import Agency
    from shebao.migration.services import migration_run_create, migration_run_execute

    actor = system_actor("bench")
    started = time.perf_counter()
    run = migration_run_create(
        actor=actor, city=Agency.objects.get(code=city_code), directory=directory
    )
    run = migration_run_execute(run, actor=actor)
    return time.perf_counter() - started, run


def _floor(directory: Path) -> tuple[float, int]:
    """COPY the contribution file as it is, then one INSERT … SELECT into the history,
    joined to the persons by legacy number; rolled back. The persons are staged first (not
    timed): the floor needs their ids as the job does."""
    from django.db import connection, transaction

    from shebao.contributions.models import HistoricalContribution

    history = HistoricalContribution._meta.db_table
    started = 0.0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """CREATE TEMP TABLE floor_person (legacy_id text PRIMARY KEY, person_id bigint)
               ON COMMIT DROP"""
        )
        cursor.execute(
            """CREATE TEMP TABLE floor_month (person_id text, scheme text, period text,
                 employer_id text, base text, employer_amount text, individual_amount text,
                 account_credit text) ON COMMIT DROP"""
        )
        _floor_persons(cursor, directory)
        started = time.perf_counter()
        raw = cursor.cursor
        with (
            (directory / "contributions.csv").open("rb") as handle,
            raw.copy("COPY floor_month FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            while block := handle.read(1 << 20):
                copy.write(block)
        cursor.execute(
            f"""INSERT INTO {history} (person_id, scheme, period, base_fen, employer_fen,
                                       individual_fen, account_credit_fen, source)
                SELECT p.person_id,
                       CASE m.scheme WHEN '110' THEN 'pension' WHEN '210' THEN 'unemployment'
                                     ELSE 'work_injury' END,
                       CAST(m.period AS integer),
                       CAST(CAST(m.base AS numeric) * 100 AS bigint),
                       CAST(CAST(m.employer_amount AS numeric) * 100 AS bigint),
                       CAST(CAST(m.individual_amount AS numeric) * 100 AS bigint),
                       CAST(CAST(m.account_credit AS numeric) * 100 AS bigint), 'floor'
                FROM floor_month m JOIN floor_person p ON p.legacy_id = m.person_id
                ON CONFLICT DO NOTHING"""
        )
        inserted = cursor.rowcount
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds, inserted


def _floor_persons(cursor: Any, directory: Path) -> None:
    """A person id for every legacy number of the persons file (fresh ids, nothing checked)."""
    import csv

    with (directory / "persons.csv").open(encoding="utf-8-sig", newline="") as handle:
        numbers = sorted({row["legacy_id"] for row in csv.DictReader(handle)})
    with cursor.cursor.copy("COPY floor_person FROM STDIN") as copy:
        for index, number in enumerate(numbers, start=1):
            copy.write_row((number, 10_000_000 + index))


def _check(manifest: Any, root: Path) -> bool:
    from shebao.core.models import Agency
    from shebao.migration.models import STAGED_MODELS
    from shebao.migration.reconcile import reconcile

    ok = True
    city = Agency.objects.get(code="420300")
    report = reconcile(city)
    for figures in report.entities:
        if not figures.balanced:
            log(f"MISMATCH: {figures.entity} before ≠ after + rejected: {figures}")
            ok = False
    for rule, defect in manifest.defects.items():
        model = STAGED_MODELS[defect.entity]
        found = set(
            model._default_manager.filter(city=city, rules__contains=rule).values_list(
                "line", flat=True
            )
        )
        if found != set(defect.lines):
            log(f"MISMATCH: {rule} found on {len(found)} lines, injected on {defect.count}")
            ok = False
    log(
        f"reconciliation: balanced={report.balanced}, {len(report.rules)} rule lines, "
        f"{report.differences_total} account differences, {report.open_issues} open issues"
    )
    seconds, again = _migrate(root / "420300", "420300")
    if set(again.totals) != {f"{entity}_already_staged" for entity in manifest.rows}:
        log(f"MISMATCH: the second migration wrote {again.totals}")
        ok = False
    log(f"a second migration of the same delivery: {seconds:.2f} s, nothing added")
    return ok


if __name__ == "__main__":
    main()
