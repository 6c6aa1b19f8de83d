"""Benchmark of the monthly pension payroll (待遇发放) against a floor, on PostgreSQL.

Builds N synthetic persons with the assessment benchmark's generator
(``bench.assessment_data``; their employers, relations and bases come along unused), then one
pension per person with a single ``INSERT … SELECT`` (migrated retirees settled through the
month before, amounts log-normal-ish between 1,800 and 6,500 yuan, four banks; one in fifty
suspended, one in a hundred stopped). Then, for the month P (default 202611):

1. the FLOOR: the bare ``INSERT … SELECT`` of the month's lines into the line table (pension
   ⋈ nothing: status, months and amount; no chunks, no NOT EXISTS, no agency subtree, no
   recheck, no files), timed inside a transaction that is then rolled back; the dead rows are
   vacuumed away and a checkpoint taken before the job;
2. the JOB: ``payroll_run_create`` + ``payroll_run_execute`` for the whole province (agency
   420000), timed from creation to the end: planning, chunks, reconciliation, one bank file
   per bank (CSV built from the lines and hashed) and audit;
3. checks: the run's lines and total equal the floor's to the fen, and a second run of the
   month is refused (a month is paid once). Either failing fails the benchmark.

It prints::

    BENCH job=payroll persons=N seconds=S persons_per_s=R floor_seconds=F ratio=S/F

Without DATABASE_URL it (re)creates a database of its own, ``shebao_bench_payroll``, on the
server BENCH_PG (default ``postgres://postgres@127.0.0.1:5432``). With DATABASE_URL it uses
that database, which must hold no register yet.

    .venv/bin/python -m bench.payroll [--persons 500000] [--period 202611]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from bench.common import log, prepare_database

BENCH_DB = "shebao_bench_payroll"
BANKS = ("中国工商银行", "中国农业银行", "中国建设银行", "湖北农信")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--persons", type=int, default=int(os.environ.get("BENCH_PAYROLL_PERSONS", "500000"))
    )
    parser.add_argument(
        "--period", type=int, default=int(os.environ.get("BENCH_PAYROLL_PERIOD", "202611"))
    )
    args = parser.parse_args()
    prepare_database(BENCH_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    sys.exit(0 if run_bench(persons=args.persons, period=args.period) else 1)


def run_bench(*, persons: int, period: int) -> bool:
    from django.core.management import call_command
    from django.db import connection

    from bench.assessment_data import generate
    from shebao.benefits.services.payroll import payroll_run_create
    from shebao.core.actors import system_actor
    from shebao.core.demo import seed_agencies
    from shebao.core.errors import RuleViolation
    from shebao.core.models import Agency
    from shebao.core.periods import period_add
    from shebao.registry.models import Person
    from shebao.rules.params import default_parameter_dir
    from shebao.rules.services import parameters_load

    if connection.vendor != "postgresql":
        raise SystemExit("the payroll benchmark needs PostgreSQL (COPY, a rolled-back floor)")
    log(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0, interactive=False)
    seed_agencies()
    parameters_load(actor=system_actor("bench"), root=default_parameter_dir())
    if Person.objects.exists():
        raise SystemExit("the register is not empty: use a fresh database")
    started = time.perf_counter()
    made = generate(persons=persons, period=period_add(period, -1), log=log)
    log(f"register: {made.persons:,} persons in {made.seconds:.1f} s")
    pensions, seconds = load_pensions(period)
    ready = time.perf_counter() - started
    log(f"pensions: {pensions:,} in {seconds:.1f} s; data ready in {ready:.1f} s")

    ok = True
    floor_seconds, floor_totals = _floor(period)
    log(f"floor: {floor_seconds:.2f} s, {floor_totals[0]:,} lines, {floor_totals[1]:,} fen")
    province = Agency.objects.get(code="420000")
    seconds, run, created = _job(province, period)
    totals = [int(run.totals.get("lines", 0)), int(run.totals.get("total_fen", 0))]
    log(
        f"job: {seconds:.2f} s (planned in {created:.2f} s), run #{run.pk}, "
        f"{run.chunks_total} chunks, {totals[0]:,} lines, {totals[1]:,} fen, "
        f"{run.totals.get('persons', 0):,} retirees"
    )
    if totals != floor_totals:
        log(f"MISMATCH: the run wrote {totals}, the floor {floor_totals}")
        ok = False
    try:
        payroll_run_create(actor=system_actor("bench"), period=period, agency=province)
        log("MISMATCH: a second run of the month was not refused")
        ok = False
    except RuleViolation as exc:
        log(f"a second run of the month: refused ({exc.code})")
    log(
        f"BENCH job=payroll persons={persons} seconds={seconds:.2f} "
        f"persons_per_s={persons / seconds:.0f} floor_seconds={floor_seconds:.2f} "
        f"ratio={seconds / floor_seconds:.2f}"
    )
    if not ok:
        log("FAILED: see the mismatches above")
    return ok


def load_pensions(period: int) -> tuple[int, float]:
    """One pension per person, in person order, settled through the month before P; one in
    fifty suspended (certification), one in a hundred stopped the month before."""
    from django.db import connection, transaction

    from bench.assessment_data import analyze
    from shebao.benefits.models import Pension
    from shebao.core.periods import period_add
    from shebao.registry.models import Person

    started = time.perf_counter()
    before = period_add(period, -1)
    banks = "ARRAY[" + ", ".join(f"'{b}'" for b in BANKS) + "]"
    sql = f"""
INSERT INTO {Pension._meta.db_table} (
  person_id, agency_id, award_case_id, "group", retirement_month, start_period, monthly_fen,
  contribution_months, status, suspension_reason, suspended_from, end_period, end_reason,
  settled_through, recheck_from, bank_name, bank_account, certified_on, created_at, updated_at)
SELECT p.id, p.managing_agency_id, NULL, 'male', 201001, 201002,
       180000 + (p.id * 7919) %% 470000, 360,
       CASE WHEN p.id %% 100 = 0 THEN 'stopped' WHEN p.id %% 50 = 0 THEN 'suspended'
            ELSE 'active' END,
       CASE WHEN p.id %% 50 = 0 AND p.id %% 100 <> 0 THEN 'certification' ELSE '' END,
       CASE WHEN p.id %% 50 = 0 AND p.id %% 100 <> 0 THEN %(period)s END,
       CASE WHEN p.id %% 100 = 0 THEN %(before)s END,
       CASE WHEN p.id %% 100 = 0 THEN 'death' ELSE '' END,
       %(before)s, NULL, ({banks})[1 + p.id %% 4], '62' || LPAD(CAST(p.id AS TEXT), 17, '0'),
       NULL, now(), now()
FROM {Person._meta.db_table} p
ORDER BY p.id"""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, {"period": period, "before": before})
        count = cursor.rowcount
    analyze([Pension])
    return count, time.perf_counter() - started


def floor_sql() -> str:
    """The floor: the month's lines in one plain statement. It knows what the bench data
    guarantees (no line of P yet, every pension in the province, nobody to recheck) and so
    skips what the job must do: the NOT EXISTS against earlier lines, the agency subtree,
    the owed-against-paid comparison of marked pensions, chunks, reconciliation, the bank
    files and the audit."""
    from shebao.benefits.models import PayrollLine, Pension

    return f"""
INSERT INTO {PayrollLine._meta.db_table} (run_id, pension_id, person_id, agency_id, period, kind,
  amount_fen, bank_name, bank_account, status, failure_reason)
SELECT 0, p.id, p.person_id, p.agency_id, %(period)s, 'regular', p.monthly_fen, p.bank_name,
       p.bank_account, 'pending', ''
FROM {Pension._meta.db_table} p
WHERE p.status = 'active' AND p.start_period <= %(period)s
  AND (p.end_period IS NULL OR p.end_period >= %(period)s)
  AND (p.settled_through IS NULL OR p.settled_through < %(period)s)
ORDER BY p.id"""


def _floor(period: int) -> tuple[float, list[int]]:
    from django.db import DatabaseError, connection, transaction

    from shebao.benefits.models import PayrollLine

    table = PayrollLine._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")
        started = time.perf_counter()
        cursor.execute(floor_sql(), {"period": period})
        seconds = time.perf_counter() - started
        cursor.execute(f"SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM {table}")
        totals = [int(v) for v in cursor.fetchone()]
        transaction.set_rollback(True)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")
        try:
            with transaction.atomic():
                cursor.execute("CHECKPOINT")
        except DatabaseError:
            pass
    return seconds, totals


def _job(province: Any, period: int) -> tuple[float, Any, float]:
    from shebao.benefits.services.payroll import payroll_run_create, payroll_run_execute
    from shebao.core.actors import system_actor

    actor = system_actor("bench")
    started = time.perf_counter()
    run = payroll_run_create(actor=actor, period=period, agency=province)
    created = time.perf_counter() - started
    run = payroll_run_execute(run, actor=actor)
    return time.perf_counter() - started, run, created


if __name__ == "__main__":
    main()
