# ruff: noqa: S608 - SQL built from table names and integers of our own run parameters only
"""Annual interest crediting (结息) of the individual accounts as a batch job (design.md §7,
rules.md §2.2–2.4): set-based SQL, one transaction per chunk of person ids.

For the year Y and each person of the run's agency subtree with entries up to Y, a chunk's
one statement computes, in integer fen, what the pure calculator
(``shebao.rules.calculators.interest.account_interest``) gives:

    opening  = Σ amount of the entries before Y
    credits  = Σ amount of the entries of Y that are not interest
    products = Σ amount × (13 − month) over the same entries (monthly products)
    exact    = (12 × opening + products) × r_e8 / (12 × 10⁸)   (fen; r_e8 = rate × 10⁸)
    interest = round_half_up(opening + credits + exact) − (opening + credits)

The calculator rounds once, at the closing balance, half-up away from zero; opening and
credits are whole fen, so for a closing balance of zero or more the interest is
``floor(exact + ½)`` and below zero ``−floor(½ − exact)``. Both are computed here with
integer division (which truncates on SQLite and PostgreSQL alike), so the two databases and
the calculator agree to the fen for every history, a negative one included.

The entry written is the difference between that interest and the interest entries the
person already has in Y (provisional crediting at a retirement or a transfer, or an earlier
run): nothing when they agree, so a rerun writes nothing and a provisional crediting is trued
up once the year's rate is published. Entries are ``interest`` of December of Y, keyed
``interest:<Y>:<person>:<run>``. Interest entries of Y have no monthly product of their own
(as in the calculator and the account verification), so a transfer out that carried a
provisional crediting away counts it with a negative product: the true-up of a person who
left in month M includes about −provisional × r × (13 − M) / 12.

Range: ``(12 × opening + products) × r_e8`` is a 64-bit integer. At rates up to 10% that
holds for balances up to about 760 million yuan; a person beyond what the rate allows stops
the chunk with ``ACC-INT-RANGE`` rather than letting SQLite fall back to floating point.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, connection
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shebao.accounts.models import AccountEntry, EntryKind
from shebao.contributions.rates import E8
from shebao.core.batch import ChunkOutcome, ChunkPlan, register_batch_job
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import BatchChunk, BatchRun
from shebao.registry.models import Person

KIND = "account_interest"
SEGMENT = "persons"
LAST_ID = 2**62  # the open end of the last chunk: persons added after planning fall in it
CHUNK_PERSONS = 20_000

ENTRY = AccountEntry._meta.db_table
PERSON = Person._meta.db_table
ENTRY_COLUMNS = (
    "person_id, kind, amount_fen, year, month, period, rate, provisional, source, key, note, "
    "created_at, created_by"
)
DIVISOR = 12 * E8  # twelve months × hundred-millionths of the rate
HALF = DIVISOR // 2
MAX_INT64 = 2**63 - 1

# Registered here, with the job (loaded when the app is), so the catalogue lists them all.
register_rule(
    "ACC-INT-RATE-UNPUBLISHED",
    "{year} 年的记账利率尚未公布（最近公布的是 {latest} 年的），不能按年结息；"
    "公布前的离退休、转移按最近公布的利率暂计。",
    "The crediting rate of {year} is not published (the latest published is {latest}'s): the "
    "year's interest cannot be credited yet; retirements and transfers meanwhile are credited "
    "provisionally at the latest rate.",
    "rules.md §2.4",
)
register_rule(
    "ACC-INT-YEAR-OPEN",
    "{year} 年尚未结束，不能结息。",
    "The year {year} has not ended: its interest cannot be credited yet.",
    "rules.md §2.4",
)
register_rule(
    "ACC-INT-RUN-OPEN",
    "{year} 年的结息批次 #{run} 尚未完成（范围重叠），请先续跑该批次。",
    "Interest run #{run} for {year} is not finished and overlaps this one: resume it first.",
    "design.md §7",
)
register_rule(
    "ACC-INT-RANGE",
    "结息批次 #{run}：有账户余额超出精确计息的范围（|12×年初余额+月积数| > {limit} 分），"
    "批次已停止。",
    "Interest run #{run}: an account is beyond the range the run computes exactly "
    "(|12 × opening + monthly products| > {limit} fen); the run stopped.",
    "design.md §4",
)


def source_of(run_pk: int) -> str:
    return f"interest:run:{int(run_pk)}"


def products_limit(rate_e8: int) -> int:
    """The largest |12 × opening + products| whose interest stays within 64 bits (the
    numerator, plus the divisor twice for the rounding)."""
    if rate_e8 <= 0:
        return MAX_INT64 // 24  # no multiplication by the rate: only the sums must fit
    return (MAX_INT64 - 2 * DIVISOR) // rate_e8


def _fence() -> str:
    """Ends a subquery PostgreSQL must not inline into its caller (which would compute each
    expression once per reference); SQLite evaluates such subqueries once anyway."""
    return "OFFSET 0" if connection.vendor == "postgresql" else ""


def _floor_div(x: str) -> str:
    """floor(x / DIVISOR) for any sign of x, with division that truncates toward zero."""
    below = f"-(({DIVISOR - 1} - ({x})) / {DIVISOR})"
    return f"(CASE WHEN {x} >= 0 THEN ({x}) / {DIVISOR} ELSE {below} END)"


def interest_sql(agency_ids: str | None, rate_e8: int, run_pk: int, year: int) -> str:
    """Insert the chunk's interest entries (the difference to what is credited already) and
    return their amounts. ``agency_ids`` None: the run covers every agency, so every person.

    ``sums`` holds each person's balance before the year's interest (all entries up to Y
    but the interest of Y), the monthly-product base ``12 × opening + products`` and the
    interest already credited in Y. The sums are cast back to BIGINT: PostgreSQL sums a
    bigint column as NUMERIC, on which ``/`` would divide exactly instead of truncating.
    """
    rate = int(rate_e8)
    limit = products_limit(rate)
    interest = f"e.year = {int(year)} AND e.kind = '{EntryKind.INTEREST.value}'"
    # A migrated balance is a year-end balance with its year's interest in it: it earns
    # nothing in its own year, from the next year on it is part of the opening balance.
    carried = f"e.year = {int(year)} AND e.kind = '{EntryKind.MIGRATED.value}'"
    if agency_ids is None:
        persons = ""
    else:
        persons = (
            f"JOIN {PERSON} p ON p.id = e.person_id AND p.id BETWEEN %(lo)s AND %(hi)s "
            f"AND p.managing_agency_id IN ({agency_ids})"
        )
    up = _floor_div(f"num + {HALF}")
    down = _floor_div(f"{HALF} - num")
    key = f"'interest:{int(year)}:' || CAST(person_id AS TEXT) || ':{int(run_pk)}'"
    return f"""
WITH sums AS (
  SELECT e.person_id,
         CAST(SUM(e.amount_fen) AS BIGINT) AS total,
         CAST(SUM(CASE WHEN {interest} THEN e.amount_fen ELSE 0 END) AS BIGINT) AS credited,
         CAST(SUM(e.amount_fen * CASE WHEN e.year < {int(year)} THEN 12
                                      WHEN {interest} OR {carried} THEN 0
                                      ELSE 13 - e.month END) AS BIGINT) AS base
  FROM {ENTRY} e
  {persons}
  WHERE e.person_id BETWEEN %(lo)s AND %(hi)s AND e.year <= {int(year)}
  GROUP BY e.person_id
  {_fence()}
),
parts AS (
  SELECT person_id, credited, total - credited AS before_interest,
         CASE WHEN ABS(base) <= {limit} THEN base * {rate} END AS num
  FROM sums
  {_fence()}
),
due AS (
  SELECT person_id, credited,
         CASE WHEN num >= 0 AND before_interest >= 0 THEN (num + {HALF}) / {DIVISOR}
              WHEN before_interest + {_floor_div("num")} >= 0 THEN {up}
              ELSE -{down} END AS interest
  FROM parts
  {_fence()}
)
INSERT INTO {ENTRY} ({ENTRY_COLUMNS})
SELECT person_id, '{EntryKind.INTEREST.value}', interest - credited, {int(year)}, 12, NULL,
       %(rate)s, %(false)s, '{source_of(run_pk)}', {key}, '', %(now)s, %(by)s
FROM due
WHERE interest IS NULL OR interest <> credited
ORDER BY person_id
RETURNING amount_fen"""


# Set for the chunk's transaction only (SET LOCAL): JIT compilation would cost more per chunk
# than it saves, and a chunk's hashes and sorts stay in memory.
SESSION_SETTINGS = {
    "postgresql": (
        "SET LOCAL jit = off",
        "SET LOCAL work_mem = '64MB'",
    ),
}


def agency_list(run: BatchRun) -> str | None:
    """The run's agency ids as an SQL list, or None when it covers every agency."""
    if run.params.get("every_agency"):
        return None
    return ",".join(str(int(pk)) for pk in run.params["agencies"])


def person_ranges(agency_ids: str | None, size: int) -> list[tuple[int, int]]:
    """Contiguous ranges of person ids, ``size`` persons of the subtree each, covering every
    id from 1 up; the last range is open (it holds the rest, and persons added later)."""
    where = "" if agency_ids is None else f"WHERE p.managing_agency_id IN ({agency_ids})"
    sql = f"""
SELECT id FROM (
  SELECT p.id, ROW_NUMBER() OVER (ORDER BY p.id) AS n
  FROM {PERSON} p {where}
) t
WHERE n %% %(size)s = 0
ORDER BY id"""
    with connection.cursor() as cursor:
        cursor.execute(sql, {"size": max(int(size), 1)})
        bounds = [int(row[0]) for row in cursor.fetchall()]
    ranges, lo = [], 1
    for hi in bounds:
        ranges.append((lo, hi))
        lo = hi + 1
    ranges.append((lo, LAST_ID))
    return ranges


class AccountInterest:
    kind = KIND
    label = gettext_lazy("Interest crediting")

    def plan(self, run: BatchRun) -> Iterable[ChunkPlan]:
        if connection.vendor == "postgresql":
            # Fresh statistics first: after a bulk load the planner would guess empty tables.
            with connection.cursor() as cursor:
                for table in (ENTRY, PERSON):
                    cursor.execute(f"ANALYZE {table}")
        size = int(run.params.get("chunk_persons", CHUNK_PERSONS))
        for lo, hi in person_ranges(agency_list(run), size):
            yield ChunkPlan(SEGMENT, lo, hi)

    def execute(self, run: BatchRun, chunk: BatchChunk) -> ChunkOutcome:
        params = run.params
        year = int(params["year"])
        rate_e8 = int(params["rate_e8"])
        sql = interest_sql(agency_list(run), rate_e8, run.pk, year)
        args: dict[str, Any] = {
            "lo": chunk.lo,
            "hi": chunk.hi,
            "rate": params["rate"]["value"],
            "false": False,
            "now": connection.ops.adapt_datetimefield_value(timezone.now()),
            "by": run.actor_label,
        }
        with connection.cursor() as cursor:
            for setting in SESSION_SETTINGS.get(connection.vendor, ()):
                cursor.execute(setting)
            try:
                cursor.execute(sql, args)
            except IntegrityError as exc:
                # The only column the statement can leave NULL is the amount of a person
                # beyond the exact range (a key is never written twice: it names the run).
                raise RuleViolation(
                    "ACC-INT-RANGE", run=run.pk, limit=products_limit(rate_e8)
                ) from exc
            amounts = [int(row[0]) for row in cursor.fetchall()]
        totals = {"entries": len(amounts), "interest_fen": sum(amounts)}
        return ChunkOutcome(rows=len(amounts), totals=totals)

    def finish(self, run: BatchRun) -> None:
        """Nothing to reconcile beyond what the framework sums: a chunk's totals are the
        amounts its own statement inserted (RETURNING), in the same transaction, and the
        journal has no second record of them to compare with. A crediting that went wrong
        (a provisional entry posted while its person's chunk ran, say) shows as a
        difference the next run of the year writes."""


register_batch_job(AccountInterest())
