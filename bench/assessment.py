"""Benchmark of the monthly assessment (月度核定) against a floor, on PostgreSQL.

Builds a register of N synthetic insured persons (``bench.assessment_data``), then, from an
empty assessment-line table each time:

1. the FLOOR: one hand-written ``INSERT … SELECT`` that writes the same lines into the same
   table (relation ⋈ base ⋈ employer ⋈ rates; no chunks, no difference logic, no bills, no
   bookkeeping), timed inside a transaction that is then rolled back;
2. the JOB: ``assessment_run_create`` + ``assessment_run_execute`` for the whole province
   (agency 420000), timed from creation to the reconciled end (planning, lines, bills,
   reconciliation and audit included);
3. a check that the run's totals equal the floor's, to the fen, and after the last round a
   rerun with nothing changed, which must write nothing. Either failing fails the benchmark.

Both start from the same state: the line table empty (truncated after the floor's rollback,
so the job does not inherit the floor's dead index entries) and a fresh checkpoint. With
``--repeat`` the figures are the best of the rounds (other load on the machine only ever adds
time). It prints one line per job::

    BENCH job=monthly_assessment persons=N seconds=S persons_per_s=R floor_seconds=F ratio=S/F

Without DATABASE_URL it (re)creates a database of its own, ``shebao_bench``, on the server
BENCH_PG (default ``postgres://postgres@127.0.0.1:5432``). With DATABASE_URL it uses that
database, which must hold no register and no assessment yet: the benchmark empties the
collection tables between rounds.

    .venv/bin/python -m bench.assessment [--persons N] [--period 202510] [--repeat 1] [--reuse]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from bench.common import log, prepare_database

BENCH_DB = "shebao_bench"
TOTAL_KEYS = ("lines", "employer_fen", "individual_fen", "account_credit_fen", "base_fen")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--persons", type=int, default=int(os.environ.get("BENCH_PERSONS", "1000000"))
    )
    parser.add_argument("--period", type=int, default=int(os.environ.get("BENCH_PERIOD", "202510")))
    parser.add_argument(
        "--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", "1")), help="rounds"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the bench register of an earlier run"
    )
    args = parser.parse_args()
    own_database = prepare_database(BENCH_DB, reuse=args.reuse)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    ok = run_bench(
        persons=args.persons,
        period=args.period,
        repeat=max(args.repeat, 1),
        reuse=args.reuse and own_database,
    )
    sys.exit(0 if ok else 1)


def run_bench(*, persons: int, period: int, repeat: int, reuse: bool) -> bool:
    from django.core.management import call_command
    from django.db import connection

    from bench.assessment_data import generate
    from shebao.contributions.models import AssessmentLine
    from shebao.core.actors import system_actor
    from shebao.core.demo import seed_agencies
    from shebao.core.models import Agency
    from shebao.registry.models import Person
    from shebao.rules.params import default_parameter_dir
    from shebao.rules.services import parameters_load

    log(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0, interactive=False)
    seed_agencies()
    parameters_load(actor=system_actor("bench"), root=default_parameter_dir())
    present = Person.objects.count()
    if present and not reuse:
        raise SystemExit("the register is not empty: use a fresh database (or --reuse)")
    if present and present != persons:
        raise SystemExit(f"the reused register has {present:,} persons, not {persons:,}")
    if present:
        _empty_collection()
        log(f"register: reusing {present:,} persons")
    else:
        log(f"register: generating {persons:,} persons")
        made = generate(persons=persons, period=period, log=log)
        log(
            f"register: {made.employers:,} employers, {made.persons:,} persons, "
            f"{made.relations:,} relations, {made.bases:,} bases in {made.seconds:.1f} s"
        )
    if AssessmentLine.objects.exists():
        raise SystemExit("the database holds assessment lines already: use a fresh database")

    province = Agency.objects.get(code="420000")
    ok = True
    floors: list[float] = []
    jobs: list[float] = []
    for round_number in range(1, repeat + 1):
        if round_number > 1:
            _empty_collection()
        floor_seconds, floor_totals = _floor(province, period)
        floors.append(floor_seconds)
        log(f"round {round_number}: floor {floor_seconds:.2f} s, {floor_totals['lines']:,} lines")
        seconds, run, created = _job(province, period)
        jobs.append(seconds)
        totals = {key: int(run.totals.get(key, 0)) for key in TOTAL_KEYS[:-1]}
        totals["base_fen"] = _line_base_sum(run.pk)
        log(
            f"round {round_number}: job {seconds:.2f} s (planned in {created:.2f} s), "
            f"run #{run.pk}, {run.chunks_total} chunks, totals {totals}"
        )
        if totals != floor_totals:
            log(f"MISMATCH: the run's totals {totals} differ from the floor's {floor_totals}")
            ok = False
    rerun_seconds, rerun, _created = _job(province, period)
    log(f"rerun with nothing changed: {rerun_seconds:.2f} s, {rerun.rows} lines written")
    if rerun.rows != 0:
        log(f"MISMATCH: the rerun wrote {rerun.rows} lines; it must write none")
        ok = False
    seconds, floor_seconds = min(jobs), min(floors)
    log(
        f"BENCH job=monthly_assessment persons={persons} seconds={seconds:.2f} "
        f"persons_per_s={persons / seconds:.0f} floor_seconds={floor_seconds:.2f} "
        f"ratio={seconds / floor_seconds:.2f}"
    )
    if not ok:
        log("FAILED: see the mismatches above")
    return ok


def _empty_collection() -> None:
    """Empty the assessment lines, bills and assessment runs (the benchmark's own only: the
    database held no register and no assessment when the benchmark started)."""
    from django.db import connection

    from shebao.contributions.jobs import KIND
    from shebao.contributions.models import AccountPosting, AssessmentLine, Bill, Payment
    from shebao.core.models import BatchChunk, BatchRun

    tables = [m._meta.db_table for m in (AccountPosting, Payment, Bill, AssessmentLine)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
    BatchChunk.objects.filter(run__kind=KIND).delete()
    BatchRun.objects.filter(kind=KIND).delete()
    _settle()


def _empty_lines() -> None:
    from django.db import connection

    from shebao.contributions.models import AssessmentLine

    table = AssessmentLine._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"TRUNCATE {table}" if connection.vendor == "postgresql" else f"DELETE FROM {table}"
        )
    _settle()


def _settle() -> None:
    """Fresh statistics, and a checkpoint so that neither timed part pays for the WAL of what
    ran before it (skipped where the role may not checkpoint)."""
    from django.db import DatabaseError, connection, transaction

    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("ANALYZE")
            return
        cursor.execute("ANALYZE contributions_assessmentline, contributions_bill")
        try:
            with transaction.atomic():
                cursor.execute("CHECKPOINT")
        except DatabaseError:
            pass


def floor_sql(card: dict[str, Any]) -> str:
    """The floor: the lines of every current relation, in one plain statement.

    It knows what the bench data guarantees (every relation has a declared base for the
    year; every employer a risk class) and so skips what the job must handle: missing bases,
    earlier lines, reversals, chunking and bills.
    """
    from shebao.contributions.models import AssessmentLine, ContributionBase
    from shebao.contributions.rates import E8, HALF_E8
    from shebao.registry.models import Employer, InsuredRelation

    rates = ",\n    ".join(
        f"({a['agency_id']}, '{scheme}', {er}, {ind}, {credit})"
        for a in card["agencies"]
        for scheme, er, ind, credit in (
            ("pension", a["pension_employer"], a["pension_individual"], a["account_credit"]),
            ("unemployment", a["unemployment_employer"], a["unemployment_individual"], 0),
            ("work_injury", "NULL", 0, 0),
        )
    )
    work_injury = ", ".join(f"({c}, {t}, {r})" for c, t, r in card["work_injury"])
    return f"""
WITH rates(agency_id, scheme, er, ind, credit) AS (
  VALUES {rates}
),
wi(risk_class, tier, er) AS (VALUES {work_injury})
INSERT INTO {AssessmentLine._meta.db_table} (
  run_id, period, relation_id, person_id, employer_id, agency_id, scheme, kind, base_source,
  base_fen, employer_fen, individual_fen, account_credit_fen, late_fee_fen)
SELECT 0, %(period)s, r.id, r.person_id, r.employer_id, r.agency_id, r.scheme, r.kind,
       b.source, b.base_fen,
       (b.base_fen * COALESCE(rt.er, wi.er) + {HALF_E8}) / {E8},
       (b.base_fen * rt.ind + {HALF_E8}) / {E8},
       (b.base_fen * rt.credit + {HALF_E8}) / {E8},
       0
FROM {InsuredRelation._meta.db_table} r
JOIN rates rt ON rt.agency_id = r.agency_id AND rt.scheme = r.scheme
JOIN {ContributionBase._meta.db_table} b
  ON b.person_id = r.person_id AND b.scheme = r.scheme AND b.year = %(year)s
JOIN {Employer._meta.db_table} e ON e.id = r.employer_id
LEFT JOIN wi ON wi.risk_class = e.risk_class AND wi.tier = e.floating_tier
WHERE r.kind = 'employee' AND r.status <> 'suspended'
  AND r.start_period <= %(period)s AND (r.end_period IS NULL OR r.end_period >= %(period)s)"""


# The floor's session: the job's memory for hashes; the planner otherwise as configured.
FLOOR_SETTINGS = ("SET LOCAL work_mem = '64MB'",)


def _floor(province: Any, period: int) -> tuple[float, dict[str, int]]:
    """Time the floor inside a transaction, read its totals, roll it back, empty the table."""
    from django.db import connection, transaction
    from django.db.models import Q

    from shebao.contributions.models import AssessmentLine
    from shebao.contributions.rates import rate_card_build
    from shebao.core.models import Agency
    from shebao.core.periods import period_first_day, period_last_day
    from shebao.rules.store import DatabaseParameters

    agencies = list(Agency.objects.filter(Q(path__startswith=province.path)).order_by("path"))
    card = rate_card_build(
        source=DatabaseParameters(),
        agencies=agencies,
        on=period_first_day(period),
        region=province.division_code,
        due_date=period_last_day(period),
    )
    sql = floor_sql(card)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for setting in FLOOR_SETTINGS:
                cursor.execute(setting)
        started = time.perf_counter()
        cursor.execute(sql, {"period": period, "year": period // 100})
        seconds = time.perf_counter() - started
        cursor.execute(
            "SELECT COUNT(*), COALESCE(SUM(employer_fen), 0), COALESCE(SUM(individual_fen), 0), "
            "COALESCE(SUM(account_credit_fen), 0), COALESCE(SUM(base_fen), 0) "
            f"FROM {AssessmentLine._meta.db_table} WHERE run_id = 0 AND period = %s",
            [period],
        )
        row = [int(v) for v in cursor.fetchone()]
        transaction.set_rollback(True)
    _empty_lines()
    return seconds, dict(zip(TOTAL_KEYS, row, strict=True))


def _job(province: Any, period: int) -> tuple[float, Any, float]:
    """Time a whole run; returns the seconds, the run and the seconds its planning took."""
    from shebao.contributions.services.assessments import (
        assessment_run_create,
        assessment_run_execute,
    )
    from shebao.core.actors import system_actor

    actor = system_actor("bench")
    started = time.perf_counter()
    run = assessment_run_create(actor=actor, period=period, agency=province)
    created = time.perf_counter() - started
    run = assessment_run_execute(run, actor=actor)
    return time.perf_counter() - started, run, created


def _line_base_sum(run_pk: int) -> int:
    from django.db import connection

    from shebao.contributions.models import AssessmentLine

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(base_fen), 0) FROM {AssessmentLine._meta.db_table} "
            "WHERE run_id = %s",
            [run_pk],
        )
        return int(cursor.fetchone()[0])


if __name__ == "__main__":
    main()
