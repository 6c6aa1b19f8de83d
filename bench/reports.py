"""Benchmark of the statistics (统计分析): the summary refresh and the dashboard's requests.

Builds N synthetic insured persons with the assessment benchmark's generator
(``bench.assessment_data``) and then, on PostgreSQL:

1. two months of assessment lines and bills, written by the monthly assessment itself
   (``bench.assessment``'s timed job, which refreshes the summaries of its month as it ends);
2. one pension per person (``bench.payroll.load_pensions``) and the payroll of the later month
   (``bench.payroll``'s job);
3. with set-based SQL (``INSERT … SELECT`` over ``generate_series``): clerks, cases
   (``services_case``, about one per ten persons a year, spread over the working days of the
   dashboard's months; four channels, returned, sent back and overdue ones) with their events,
   and hall tickets (``hall_ticket``, about 800 a hall and working day in four halls);
4. REFRESH: ``summary_refresh`` of every summary for each assessed month, best of
   ``--refresh-repeat``, against its FLOOR: the same ``SELECT … GROUP BY`` without the
   insert (what the database must read and group anyway), as PostgreSQL plans it and with
   parallel workers off (it never plans an ``INSERT … SELECT`` in parallel); then the
   dashboard's twelve months rebuilt with ``summaries_refresh``;
5. REQUESTS: every figure's Excel (``/statistics/<slug>.xlsx``), the dashboard page and the
   whole workbook (``/statistics/dashboard.xlsx``) through Django's test client, logged in as
   a province-level user holding the audit action, for the province, a city and a district,
   each ``--repeat`` times; and each figure's builder called directly (no HTTP, no Excel).

Before timing, every table is analysed (``ANALYZE``), as autovacuum leaves a production
database.

It prints a table of median and max milliseconds per request, one line per summary, and::

    BENCH job=reports persons=N cases=C tickets=T slowest_ms=S over_1s=K

The target is under 1,000 ms per request; a request over it is listed, not failed (figures,
not assertions). The benchmark fails only if a request does not answer 200.

Without DATABASE_URL it (re)creates a database of its own, ``shebao_bench_reports``, on the
server BENCH_PG (default ``postgres://postgres@127.0.0.1:5432``); ``--reuse`` keeps the data of
an earlier run of the same size. With DATABASE_URL that database must hold no register.

    .venv/bin/python -m bench.reports [--persons N] [--repeat 5] [--refresh-repeat 3] [--reuse]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from bench.common import log, prepare_database

BENCH_DB = "shebao_bench_reports"
MONTHS = 12  # the dashboard's default range: the twelve months up to the current one
CASES_PER_PERSON_YEAR = 0.1
TICKETS_PER_HALL_DAY = 800  # for a million persons; scaled with N
HALLS = ("420302", "420303", "420300-01", "420300-02")  # the bench register's agencies
CLERKS_PER_HALL = 6
VIEWER = "policy_hubei"  # a demo login of the province with the audit action
SCOPES = (("province", "420000"), ("city", "420300"), ("district", "420302"))
TARGET_MS = 1000.0
CASE_MARK = "BCH"  # receipt numbers of the bench's cases


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--persons", type=int, default=int(os.environ.get("BENCH_PERSONS", "1000000"))
    )
    parser.add_argument(
        "--repeat", type=int, default=int(os.environ.get("BENCH_REPORTS_REPEAT", "5"))
    )
    parser.add_argument("--refresh-repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep the data of an earlier run")
    args = parser.parse_args()
    own = prepare_database(BENCH_DB, reuse=args.reuse)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    ok = run_bench(
        persons=args.persons,
        repeat=max(args.repeat, 1),
        refresh_repeat=max(args.refresh_repeat, 1),
        reuse=args.reuse and own,
    )
    sys.exit(0 if ok else 1)


def assessed_periods(current: int) -> tuple[int, int]:
    """The two months assessed: the two before the current one, in one year (the register's
    bases are for one year), else the one before and the current one."""
    from shebao.core.periods import period_add

    first, second = period_add(current, -2), period_add(current, -1)
    if first // 100 != second // 100:
        first, second = second, current
    return first, second


def run_bench(*, persons: int, repeat: int, refresh_repeat: int, reuse: bool) -> bool:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from shebao.core.actors import system_actor
    from shebao.core.demo import seed_agencies, seed_staff
    from shebao.core.periods import period_add, period_of
    from shebao.hall.models import Ticket
    from shebao.registry.models import Person
    from shebao.rules.params import default_parameter_dir
    from shebao.rules.services import parameters_load
    from shebao.services.catalogue import catalogue_load
    from shebao.services.models import Case

    if connection.vendor != "postgresql":
        raise SystemExit("the reports benchmark needs PostgreSQL (COPY, generate_series)")
    log(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0, interactive=False)
    seed_staff(seed_agencies())
    parameters_load(actor=system_actor("bench"), root=default_parameter_dir())
    catalogue_load(actor=system_actor("bench"))
    today = timezone.localdate()
    end = period_of(today)
    start = period_add(end, 1 - MONTHS)
    periods = assessed_periods(end)

    present = Person.objects.count()
    if present and not reuse:
        raise SystemExit("the register is not empty: use a fresh database (or --reuse)")
    if present and (present != persons or not Case.objects.exists()):
        raise SystemExit(f"the reused data has {present:,} persons, not {persons:,} (or no cases)")
    if present:
        log(f"data: reusing {present:,} persons")
    else:
        build(persons=persons, periods=periods, first_day=_first_day(start), today=today)
    cases = Case.objects.filter(receipt_no__startswith=CASE_MARK).count()
    tickets = Ticket.objects.count()
    log(f"data: {persons:,} persons, {cases:,} cases, {tickets:,} tickets")

    time_refresh(periods, range_=(start, end), repeat=refresh_repeat)
    return time_requests(
        persons=persons,
        cases=cases,
        tickets=tickets,
        start=start,
        end=end,
        today=today,
        repeat=repeat,
    )


def _first_day(period: int) -> date:
    from shebao.core.periods import period_first_day

    return period_first_day(period)


# --- the data ---------------------------------------------------------------------------------


def build(*, persons: int, periods: tuple[int, int], first_day: date, today: date) -> None:
    from bench.assessment import _job as assessment_job
    from bench.assessment_data import generate
    from bench.payroll import _job as payroll_job
    from bench.payroll import load_pensions
    from shebao.core.models import Agency

    started = time.perf_counter()
    log(f"register: generating {persons:,} persons")
    made = generate(persons=persons, period=periods[0], log=log)
    log(f"register: {made.persons:,} persons, {made.relations:,} relations in {made.seconds:.1f} s")
    province = Agency.objects.get(code="420000")
    for period in periods:
        seconds, run, _planned = assessment_job(province, period)
        log(f"assessment {period}: {run.rows:,} lines in {seconds:.1f} s (summaries refreshed)")
    pensions, seconds = load_pensions(periods[-1])
    log(f"pensions: {pensions:,} in {seconds:.1f} s")
    seconds, run, _planned = payroll_job(province, periods[-1])
    log(f"payroll {periods[-1]}: {run.totals.get('lines', 0):,} lines in {seconds:.1f} s")
    clerks = make_clerks()
    step = time.perf_counter()
    cases = load_cases(persons=persons, clerks=clerks, first_day=first_day, today=today)
    events = load_case_events()
    log(f"cases: {cases:,} with {events:,} events in {time.perf_counter() - step:.1f} s")
    step = time.perf_counter()
    per_day = max(10, round(TICKETS_PER_HALL_DAY * persons / 1_000_000))
    tickets = load_tickets(per_hall_day=per_day, first_day=first_day, today=today)
    log(f"tickets: {tickets:,} ({per_day} a hall and day) in {time.perf_counter() - step:.1f} s")
    analyze_all()
    log(f"data ready in {time.perf_counter() - started:.1f} s")


def make_clerks() -> dict[int, list[int]]:
    """Counter clerks of each hall (logins with the clerk role): agency id → user ids."""
    from shebao.core.actors import system_actor
    from shebao.core.demo import DEMO_PASSWORD
    from shebao.core.models import Agency, Staff
    from shebao.core.services import claim_grant, staff_create

    actor = system_actor("bench")
    clerks: dict[int, list[int]] = {}
    for code in HALLS:
        agency = Agency.objects.get(code=code)
        for number in range(1, CLERKS_PER_HALL + 1):
            username = f"bench_{code.replace('-', '_')}_{number}"
            staff = Staff.objects.filter(user__username=username).first()
            if staff is None:
                staff = staff_create(
                    actor=actor,
                    username=username,
                    password=DEMO_PASSWORD,
                    full_name=f"受理员{code}-{number}",
                    agency=agency,
                    title="综合受理岗",
                )
                claim_grant(actor=actor, staff=staff, role_code="clerk", item_scope="*")
            clerks.setdefault(agency.pk, []).append(staff.user_id)
    return clerks


def _working_days(first_day: date, today: date) -> list[date]:
    from datetime import timedelta

    days, day = [], first_day
    while day < today:
        if day.isoweekday() < 6:
            days.append(day)
        day += timedelta(days=1)
    return days


CASES_SQL = """
WITH clerks(agency_id, k, user_id) AS (
  SELECT c.agency_id, c.k, c.user_id
  FROM unnest(%(clerk_agencies)s::bigint[], %(clerk_numbers)s::int[], %(clerk_users)s::bigint[])
       AS c(agency_id, k, user_id)
),
items AS (
  SELECT row_number() OVER (ORDER BY code) AS k, id, review_required
  FROM services_serviceitem WHERE is_active
),
g AS (
  SELECT n,
         (%(days)s::date[])[1 + floor(random() * %(day_count)s)::int] AS day,
         1 + floor(power(random(), 2) * (SELECT COUNT(*) FROM items))::int AS item_k,
         random() AS r_channel, random() AS r_status, random() AS r_time, random() AS r_late,
         random() AS r_back, 1 + floor(random() * %(clerks_per_hall)s)::int AS clerk_k,
         %(first_person)s + floor(random() * %(persons)s)::bigint AS person_id
  FROM generate_series(1, %(cases)s) AS n
),
c AS (
  SELECT g.*, i.id AS item_id, i.review_required AS review, p.managing_agency_id AS agency_id,
         CASE WHEN r_channel < 0.45 THEN 'counter' WHEN r_channel < 0.75 THEN 'web'
              WHEN r_channel < 0.90 THEN 'kiosk' ELSE 'api' END AS channel,
         %(today)s::date - g.day AS age
  FROM g JOIN items i ON i.k = g.item_k JOIN registry_person p ON p.id = g.person_id
),
s AS (
  SELECT c.*,
         CASE WHEN channel = 'counter' OR channel = 'kiosk'
              THEN (day + time '08:30' + r_time * interval '8 hours') AT TIME ZONE %(zone)s
              ELSE (day + r_time * interval '24 hours') AT TIME ZONE %(zone)s END AS created,
         CASE
           WHEN age > 30 THEN
             CASE WHEN r_status < 0.04 THEN 'returned' WHEN r_status < 0.06 THEN 'withdrawn'
                  WHEN r_status < 0.075 THEN CASE WHEN review AND r_late < 0.5 THEN 'in_review'
                                                  ELSE 'accepted' END
                  WHEN review THEN 'approved' ELSE 'done' END
           ELSE
             CASE WHEN r_status < 0.05 THEN 'returned' WHEN r_status < 0.07 THEN 'withdrawn'
                  WHEN r_status < 0.12 THEN 'submitted' WHEN r_status < 0.25 THEN 'accepted'
                  WHEN r_status < 0.35 THEN CASE WHEN review THEN 'in_review' ELSE 'accepted' END
                  WHEN review THEN 'approved' ELSE 'done' END
         END AS status
  FROM c
)
INSERT INTO services_case (
  receipt_no, item_id, channel, agency_id, applicant_person_id, applicant_employer_id,
  agent_kind, agent_name, agent_resident_id, agent_relation, status, data, accepted_by_id,
  prepared_by_id, reviewed_by_id, return_reason, created_at, submitted_at, accepted_at,
  finished_at, due_date, returned_count)
SELECT %(mark)s || to_char(s.day, 'YYYYMMDD') || lpad(s.n::text, 8, '0'), s.item_id, s.channel,
       s.agency_id, s.person_id, NULL, '', '', '', '', s.status, '{}'::jsonb,
       CASE WHEN s.status IN ('submitted', 'withdrawn') THEN NULL ELSE cl.user_id END,
       NULL, NULL,
       CASE WHEN s.status = 'returned' OR s.r_back < 0.04 THEN '缺少申请材料' ELSE '' END,
       s.created, s.created,
       CASE WHEN s.status IN ('submitted', 'withdrawn') THEN NULL
            WHEN s.channel = 'counter' THEN s.created
            ELSE s.created + s.r_late * interval '1 day' END,
       CASE WHEN s.status IN ('approved', 'done')
            THEN s.created + interval '1 day' + s.r_late * interval '12 days' END,
       s.day + 20,
       CASE WHEN s.status = 'returned' OR s.r_back < 0.04 THEN 1 ELSE 0 END
FROM s JOIN clerks cl ON cl.agency_id = s.agency_id AND cl.k = s.clerk_k
ORDER BY s.created
"""

EVENTS_SQL = """
INSERT INTO services_caseevent (case_id, action, from_status, to_status, actor_id, actor_label,
                                note, "at")
SELECT c.id, e.action, e.from_status, e.to_status, c.accepted_by_id, u.username, e.note, e.at
FROM services_case c
JOIN services_serviceitem i ON i.id = c.item_id
JOIN core_user u ON u.id = c.accepted_by_id
CROSS JOIN LATERAL (VALUES
  (1, 'accept', 'submitted', 'accepted', '', c.accepted_at),
  (2, 'send_for_review', 'accepted', 'in_review', '', c.accepted_at + interval '1 hour'),
  (3, 'send_back', 'in_review', 'accepted', '计算有误', c.accepted_at + interval '3 hours'),
  (4, 'send_for_review', 'accepted', 'in_review', '', c.accepted_at + interval '4 hours'),
  (5, 'approve', 'in_review', 'approved', '', c.finished_at),
  (6, 'complete', 'accepted', 'done', '', c.finished_at),
  (7, 'return', 'accepted', 'returned', '缺少申请材料', c.accepted_at + interval '2 hours')
) AS e(step, action, from_status, to_status, note, at)
WHERE c.receipt_no LIKE %(mark)s || '%%'
  AND CASE e.step
        WHEN 1 THEN true
        WHEN 2 THEN i.review_required AND c.status IN ('in_review', 'approved')
        WHEN 3 THEN i.review_required AND c.status IN ('in_review', 'approved') AND c.id %% 8 = 0
        WHEN 4 THEN i.review_required AND c.status IN ('in_review', 'approved') AND c.id %% 8 = 0
        WHEN 5 THEN c.status = 'approved'
        WHEN 6 THEN c.status = 'done'
        ELSE c.status = 'returned'
      END
ORDER BY c.id, e.step
"""


def load_cases(*, persons: int, clerks: dict[int, list[int]], first_day: date, today: date) -> int:
    from django.conf import settings
    from django.db import connection, transaction

    from shebao.registry.models import Person

    days = _working_days(first_day, today)
    cases = round(persons * CASES_PER_PERSON_YEAR * len(days) / 250)
    flat = [(agency, k, user) for agency, users in clerks.items() for k, user in enumerate(users)]
    first_person = Person.objects.order_by("pk").values_list("pk", flat=True).first()
    params: dict[str, Any] = {
        "clerk_agencies": [a for a, _k, _u in flat],
        "clerk_numbers": [k + 1 for _a, k, _u in flat],
        "clerk_users": [u for _a, _k, u in flat],
        "clerks_per_hall": CLERKS_PER_HALL,
        "days": days,
        "day_count": len(days),
        "first_person": first_person,
        "persons": persons,
        "cases": cases,
        "today": today,
        "zone": settings.TIME_ZONE,
        "mark": CASE_MARK,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.6)")
        cursor.execute(CASES_SQL, params)
        return int(cursor.rowcount)


def load_case_events() -> int:
    from django.db import connection, transaction

    from bench.assessment_data import analyze
    from shebao.services.models import Case

    analyze([Case])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(EVENTS_SQL, {"mark": CASE_MARK})
        return int(cursor.rowcount)


TICKETS_SQL = """
WITH days AS (SELECT unnest(%(days)s::date[]) AS day),
load AS (
  SELECT d.day, a.agency_id, c.category, c.source,
         greatest(1, round(%(per_day)s * c.share * (0.7 + 0.6 * random())))::int AS n
  FROM days d
  CROSS JOIN unnest(%(agencies)s::bigint[]) AS a(agency_id)
  CROSS JOIN (VALUES ('A', 0.80, 'kiosk'), ('B', 0.15, 'appointment'), ('G', 0.05, 'reception'))
       AS c(category, share, source)
),
t AS (
  SELECT l.*, s.number, (s.number - 1 + random()) / l.n AS frac, random() AS r, random() AS w
  FROM load l CROSS JOIN LATERAL generate_series(1, l.n) AS s(number)
),
v AS (
  SELECT t.*,
         (t.day + time '08:30' + t.frac * interval '8 hours') AT TIME ZONE %(zone)s AS taken,
         -- longer waits in the morning rush, shorter for appointments and the green channel
         (1 + t.w * 45 * (1.3 - abs(t.frac - 0.2))
              * CASE t.category WHEN 'A' THEN 1 ELSE 0.3 END) * interval '1 minute' AS wait
  FROM t
)
INSERT INTO hall_ticket (
  agency_id, service_date, category, number, code, status, priority_reason, source, person_id,
  appointment_id, queued_at, target_window_id, window_id, call_count, taken_at, called_at,
  started_at, finished_at, served_by_id)
SELECT agency_id, day, category, number, category || lpad(number::text, 3, '0'),
       CASE WHEN r < 0.03 THEN 'cancelled' WHEN r < 0.08 THEN 'skipped' ELSE 'done' END,
       CASE WHEN category = 'G' THEN 'elderly' ELSE '' END, source, NULL, NULL, taken, NULL,
       NULL, CASE WHEN r < 0.03 THEN 0 WHEN r < 0.08 THEN 3 ELSE 1 END, taken,
       CASE WHEN r < 0.03 THEN NULL ELSE taken + wait END,
       CASE WHEN r < 0.08 THEN NULL ELSE taken + wait + interval '1 minute' END,
       CASE WHEN r < 0.08 THEN NULL ELSE taken + wait + (5 + 20 * w) * interval '1 minute' END,
       NULL
FROM v
ORDER BY day, agency_id, taken
"""


def load_tickets(*, per_hall_day: int, first_day: date, today: date) -> int:
    from django.conf import settings
    from django.db import connection, transaction

    from bench.assessment_data import analyze
    from shebao.core.models import Agency
    from shebao.hall.models import Ticket
    from shebao.services.models import CaseEvent

    halls = list(
        Agency.objects.filter(code__in=HALLS).order_by("code").values_list("pk", flat=True)
    )
    params: dict[str, Any] = {
        "days": _working_days(first_day, today),
        "agencies": halls,
        "per_day": per_hall_day,
        "zone": settings.TIME_ZONE,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.7)")
        cursor.execute(TICKETS_SQL, params)
        count = int(cursor.rowcount)
    analyze([Ticket, CaseEvent])
    return count


def analyze_all() -> None:
    """Statistics for every table, as autovacuum leaves a production database. The agency
    table matters: the bench has 8 agencies, too few for autovacuum ever to analyse them (a
    province's hundred-odd are), and without statistics the planner expects one agency of a
    subtree instead of all and picks nested loops over a year of cases."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- the refresh ------------------------------------------------------------------------------

SOURCE_SQL = {
    "insured": "SELECT COUNT(*) FROM registry_insuredrelation WHERE start_period <= %(period)s "
    "AND (end_period IS NULL OR end_period >= %(period)s)",
    "contributions": "SELECT COUNT(*) FROM contributions_assessmentline WHERE period = %(period)s",
    "bills": "SELECT COUNT(*) FROM contributions_bill WHERE period = %(period)s",
    "payroll": "SELECT COUNT(*) FROM benefits_payrollline l JOIN core_batchrun r ON r.id = "
    "l.run_id WHERE r.kind = 'pension_payroll' AND r.period = %(period)s",
    "retirees": "SELECT COUNT(*) FROM benefits_pension WHERE start_period <= %(period)s "
    "AND (end_period IS NULL OR end_period >= %(period)s)",
}


def _best(repeat: int, work: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def time_refresh(periods: tuple[int, int], *, range_: tuple[int, int], repeat: int) -> None:
    from django.db import connection, transaction

    from shebao.core.periods import period_range
    from shebao.reports.refresh import SUMMARIES, summaries_refresh, summary_refresh

    log("")
    log(f"refresh of each summary, best of {repeat} (floor: its SELECT … GROUP BY alone)")
    log(
        "| summary | period | source rows | rows written | seconds | source rows/s | floor s "
        "| ratio | floor s, no parallel workers | ratio |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for name, (_model, sql) in SUMMARIES.items():
        select = sql()[sql().index("SELECT") :]
        for period in periods:
            with connection.cursor() as cursor:
                cursor.execute(SOURCE_SQL[name], {"period": period})
                source = int(cursor.fetchone()[0])

            def floor(period: int = period, select: str = select, serial: bool = False) -> None:
                with transaction.atomic(), connection.cursor() as cursor:
                    if serial:  # as an INSERT … SELECT, which PostgreSQL never runs in parallel
                        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
                    cursor.execute(select, {"period": period})
                    cursor.fetchall()

            written: list[int] = []

            def refresh(
                name: str = name, period: int = period, written: list[int] = written
            ) -> None:
                written.append(summary_refresh(name, period))

            floor_s = _best(repeat, floor)
            serial_s = _best(repeat, partial(floor, serial=True))
            seconds = _best(repeat, refresh)
            rate = f"{source / seconds:,.0f}" if source else "—"
            log(
                f"| {name} | {period} | {source:,} | {written[-1]:,} | {seconds:.3f} | {rate} "
                f"| {floor_s:.3f} | {seconds / floor_s:.2f} | {serial_s:.3f} "
                f"| {seconds / serial_s:.2f} |"
            )
    months = period_range(*range_)
    started = time.perf_counter()
    written_all = summaries_refresh(months)
    log(
        f"all summaries of {range_[0]}–{range_[1]} ({len(months)} months): "
        f"{time.perf_counter() - started:.2f} s, rows {written_all}"
    )


# --- the requests -----------------------------------------------------------------------------


def _ms(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples) * 1000, max(samples) * 1000


def time_requests(
    *, persons: int, cases: int, tickets: int, start: int, end: int, today: date, repeat: int
) -> bool:
    from django.test import Client

    from shebao.core.models import Agency, User
    from shebao.core.periods import period_format
    from shebao.reports.figures import Filters
    from shebao.reports.selectors import FIGURES

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=VIEWER))
    query = f"start={period_format(start)}&end={period_format(end)}"
    targets = [(slug, f"/statistics/{slug}.xlsx") for slug in FIGURES]
    targets += [
        ("dashboard page", "/statistics/"),
        ("dashboard.xlsx", "/statistics/dashboard.xlsx"),
    ]
    ok, slowest, over = True, 0.0, []
    log("")
    log(
        f"requests, {repeat} each, {period_format(start)} to {period_format(end)}, ms "
        "(request: the figure's Excel, the page or the workbook; builder: the figure alone)"
    )
    log(
        "| scope | request | median | max | builder median | builder max |\n"
        "| --- | --- | ---: | ---: | ---: | ---: |"
    )
    for scope, code in SCOPES:
        agency = Agency.objects.get(code=code)
        filters = Filters(agency, start, end, today)
        for label, path in targets:
            url = f"{path}?agency={code}&{query}"
            samples: list[float] = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get(url)
                samples.append(time.perf_counter() - started)
                if response.status_code != 200:
                    log(f"FAILED: {url} answered {response.status_code}")
                    ok = False
            median, longest = _ms(samples)
            built = "| — | —"
            if label in FIGURES:
                build = FIGURES[label]
                runs: list[float] = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    build(filters)
                    runs.append(time.perf_counter() - started)
                built = "| {:.0f} | {:.0f}".format(*_ms(runs))
            log(f"| {scope} {code} | {label} | {median:.0f} | {longest:.0f} {built} |")
            slowest = max(slowest, median)
            if median > TARGET_MS:
                over.append(f"{scope} {label} {median:.0f} ms")
    log(
        f"BENCH job=reports persons={persons} cases={cases} tickets={tickets} "
        f"slowest_ms={slowest:.0f} over_1s={len(over)}"
    )
    if over:
        log("over the 1,000 ms target (median): " + "; ".join(over))
    if not ok:
        log("FAILED: see the requests above")
    return ok


if __name__ == "__main__":
    main()
