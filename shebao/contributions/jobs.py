# ruff: noqa: S608 - SQL built from table names and integers of our own rate card only
"""The monthly assessment (月度核定) as a batch job: set-based SQL, one transaction per chunk.

A chunk is a range of employer ids (segment ``employer``) or, for flexible workers who pay
for themselves, a range of person ids (segment ``flexible``). Its statement compares what
each insured relation owes for the period (relation ⋈ verified base ⋈ rate card) with what
earlier runs already assessed for it, and writes one line per relation whose amounts differ:
the whole amount the first time, the difference afterwards; a second statement reverses
what was assessed for a relation no longer insured in the period. A rerun with nothing
changed therefore writes nothing. The chunk then issues one bill per payer from the lines it
wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shebao.contributions.models import (
    AssessmentLine,
    BaseSource,
    Bill,
    BillKind,
    ContributionBase,
    PaymentStatus,
)
from shebao.contributions.rates import E8, HALF_E8, RateCard
from shebao.core.batch import ChunkOutcome, ChunkPlan, register_batch_job
from shebao.core.changes import periods_changed
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import BatchChunk, BatchRun
from shebao.registry.models import Employer, InsuredRelation, RelationKind, RelationStatus, Scheme

KIND = "monthly_assessment"
EMPLOYER, FLEXIBLE = "employer", "flexible"
LAST_ID = 2**62  # the open end of the last chunk: rows added after planning still fall in it

register_rule(
    "ASSESS-TOTALS-MISMATCH",
    "核定批次 #{run} 的缴费单合计与明细合计不一致（{detail}），批次未完成。",
    "Run #{run}: the bills do not add up to their lines ({detail}); the run is not finished.",
)

LINE = AssessmentLine._meta.db_table
BILL = Bill._meta.db_table
BASE = ContributionBase._meta.db_table
RELATION = InsuredRelation._meta.db_table
EMPLOYER_TABLE = Employer._meta.db_table

LINE_COLUMNS = (
    "run_id, period, relation_id, person_id, employer_id, agency_id, scheme, kind, base_source, "
    "base_fen, employer_fen, individual_fen, account_credit_fen, late_fee_fen"
)
AMOUNTS = ("base_fen", "employer_fen", "individual_fen", "account_credit_fen")


def _int(value: Any) -> str:
    """An integer of our own rate card as an SQL literal (never user input)."""
    return "NULL" if value is None else str(int(value))


def rate_rows(card: RateCard, kind: str) -> str:
    """``VALUES`` rows for the relations of one contribution kind: agency, scheme → employer,
    individual and credit rates, floor, cap and the undeclared factor.

    The employer's work-injury rate is NULL here: it comes from the employer's class and tier.
    """
    rows = []
    for a in card.agencies:
        head = f"{_int(a.agency_id)}"
        tail = f"{_int(a.floor_fen)}, {_int(a.cap_fen)}, {_int(a.undeclared_factor)}"
        for scheme, row_kind, er, ind, credit in (
            (Scheme.PENSION, RelationKind.EMPLOYEE, a.pension_employer, a.pension_individual,
             a.account_credit),
            (Scheme.UNEMPLOYMENT, RelationKind.EMPLOYEE, a.unemployment_employer,
             a.unemployment_individual, 0),
            (Scheme.WORK_INJURY, RelationKind.EMPLOYEE, None, 0, 0),
            (Scheme.PENSION, RelationKind.FLEXIBLE, 0, a.flexible_pension, a.account_credit),
        ):  # fmt: skip
            if row_kind == kind:
                rows.append(
                    f"({head}, '{scheme.value}', {_int(er)}, {_int(ind)}, {_int(credit)}, {tail})"
                )
    return ",\n".join(rows)


def work_injury_rows(card: RateCard) -> str:
    rows = [f"({_int(c)}, {_int(t)}, {_int(r)})" for c, t, r in card.work_injury]
    return ",\n".join(rows or ["(0, 0, 0)"])


def agency_ids(card: RateCard) -> str:
    return ",".join(_int(a.agency_id) for a in card.agencies)


def _segment_filter(segment: str, alias: str, column_person: str = "person_id") -> str:
    if segment == EMPLOYER:
        return f"{alias}.employer_id BETWEEN %(lo)s AND %(hi)s"
    return f"{alias}.employer_id IS NULL AND {alias}.{column_person} BETWEEN %(lo)s AND %(hi)s"


def _fence() -> str:
    """Ends a subquery that PostgreSQL must not inline into its caller: inlined, each
    expression (and the look-up of an earlier base) would be evaluated once per reference
    instead of once per row. SQLite evaluates such subqueries once anyway."""
    return "OFFSET 0" if connection.vendor == "postgresql" else ""


def expected_sql(card: RateCard, segment: str) -> str:
    """A ``WITH`` clause whose ``amounts`` is what each relation of the chunk owes."""
    kind = RelationKind.EMPLOYEE if segment == EMPLOYER else RelationKind.FLEXIBLE
    if segment == EMPLOYER:
        relation_filter = "r.employer_id BETWEEN %(lo)s AND %(hi)s"
        # Redundant (r.employer_id is in the range), but it lets the employer look-up read
        # the chunk's employers only.
        employer_filter = "AND emp.id BETWEEN %(lo)s AND %(hi)s"
        # The bases the chunk's employers declared: nearly all the chunk needs.
        chunk_base_filter = "employer_id BETWEEN %(lo)s AND %(hi)s"
    else:
        relation_filter = "r.person_id BETWEEN %(lo)s AND %(hi)s"
        employer_filter = ""
        chunk_base_filter = "person_id BETWEEN %(lo)s AND %(hi)s"
    round_fen = f"+ {HALF_E8}) / {E8}"
    raw = f"(s.previous_fen * rt.factor {round_fen}"
    base_of_year = (
        f"FROM {BASE} b WHERE b.person_id = r.person_id AND b.scheme = r.scheme "
        "AND b.year = %(year)s"
    )
    # ``chunk_bases`` is read in one pass and hashed: looking each relation's base up in the
    # index would cost more than the rest of the chunk. A base it does not hold (declared by
    # another employer, say) is looked up one by one, which gives the same row: there is one
    # base per person, scheme and year. ``src`` reads the chunk's relations with their bases
    # and employers; the rate card joins after it. Joined inside, the VALUES list (which
    # PostgreSQL cannot estimate) would be taken for a single row and drive the chunk.
    return f"""
WITH rates(agency_id, scheme, er, ind, credit, floor_fen, cap_fen, factor) AS (
  VALUES {rate_rows(card, kind.value)}
),
wi(risk_class, tier, er) AS (VALUES {work_injury_rows(card)}),
chunk_bases AS (
  SELECT person_id, scheme, base_fen, source FROM {BASE}
  WHERE year = %(year)s AND {chunk_base_filter}
  {_fence()}
),
src AS (
  SELECT r.id AS relation_id, r.person_id, r.employer_id, r.agency_id, r.scheme, r.kind,
         CASE WHEN cb.base_fen IS NOT NULL THEN cb.base_fen
              ELSE (SELECT b.base_fen {base_of_year}) END AS declared_fen,
         CASE WHEN cb.base_fen IS NOT NULL THEN cb.source
              ELSE (SELECT b.source {base_of_year}) END AS declared_source,
         CASE WHEN cb.base_fen IS NULL AND NOT EXISTS (SELECT 1 {base_of_year}) THEN (
           SELECT p.base_fen FROM {BASE} p
           WHERE p.person_id = r.person_id AND p.scheme = r.scheme AND p.year < %(year)s
           ORDER BY p.year DESC LIMIT 1
         ) END AS previous_fen,
         w.er AS work_injury_er
  FROM {RELATION} r
  LEFT JOIN chunk_bases cb ON cb.person_id = r.person_id AND cb.scheme = r.scheme
  LEFT JOIN {EMPLOYER_TABLE} emp ON emp.id = r.employer_id {employer_filter}
  LEFT JOIN wi w ON w.risk_class = emp.risk_class AND w.tier = emp.floating_tier
  WHERE {relation_filter} AND r.kind = '{kind.value}'
    AND r.agency_id IN ({agency_ids(card)})
    AND r.start_period <= %(period)s
    AND (r.end_period IS NULL OR r.end_period >= %(period)s)
    AND r.status <> '{RelationStatus.SUSPENDED.value}'
  {_fence()}
),
expected AS (
  SELECT s.relation_id, s.person_id, s.employer_id, s.agency_id, s.scheme, s.kind,
         COALESCE(rt.er, s.work_injury_er, 0) AS er, rt.ind, rt.credit,
         CASE WHEN s.declared_fen IS NOT NULL THEN s.declared_source
              WHEN s.previous_fen IS NULL THEN '{BaseSource.FLOOR.value}'
              ELSE '{BaseSource.UNDECLARED.value}' END AS base_source,
         CASE WHEN s.declared_fen IS NOT NULL THEN s.declared_fen
              WHEN s.previous_fen IS NULL THEN
                CASE WHEN rt.floor_fen > rt.cap_fen THEN rt.cap_fen ELSE rt.floor_fen END
              WHEN {raw} < rt.floor_fen THEN rt.floor_fen
              WHEN {raw} > rt.cap_fen THEN rt.cap_fen
              ELSE {raw} END AS base_fen
  FROM src s
  JOIN rates rt ON rt.agency_id = s.agency_id AND rt.scheme = s.scheme
),
amounts AS (
  SELECT relation_id, person_id, employer_id, agency_id, scheme, kind, base_source, base_fen,
         (base_fen * er {round_fen} AS employer_fen,
         (base_fen * ind {round_fen} AS individual_fen,
         (base_fen * credit {round_fen} AS account_credit_fen
  FROM expected
)"""


def assess_sql(card: RateCard, segment: str) -> str:
    """Insert the chunk's lines for relations insured in the period: the whole amount the
    first time, the difference when something changed, nothing otherwise."""
    sums = ", ".join(f"SUM({c}) AS {c}" for c in AMOUNTS)
    deltas = ",\n       ".join(f"a.{c} - COALESCE(x.{c}, 0)" for c in AMOUNTS)
    changed = " OR ".join(f"a.{c} <> x.{c}" for c in AMOUNTS)
    # A LEFT JOIN, not a FULL JOIN: SQLite runs a FULL JOIN against an aggregate as a nested
    # loop (a rerun of 50,000 lines took a minute); the reversals have their own statement.
    return f"""{expected_sql(card, segment)},
billed AS (
  SELECT relation_id, {sums}
  FROM {LINE} l
  WHERE l.period = %(period)s AND {_segment_filter(segment, "l")}
    AND l.agency_id IN ({agency_ids(card)})
  GROUP BY relation_id
)
INSERT INTO {LINE} ({LINE_COLUMNS})
SELECT %(run)s, %(period)s, a.relation_id, a.person_id, a.employer_id, a.agency_id, a.scheme,
       a.kind, a.base_source,
       {deltas},
       0
FROM amounts a LEFT JOIN billed x ON x.relation_id = a.relation_id
WHERE x.relation_id IS NULL OR {changed}"""


def reversal_sql(card: RateCard, segment: str) -> str:
    """Reverse what earlier runs assessed for relations no longer insured in the period."""
    sums = ", ".join(f"SUM({c}) AS {c}" for c in AMOUNTS)
    negated = ", ".join(f"-x.{c}" for c in AMOUNTS)
    nonzero = " OR ".join(f"x.{c} <> 0" for c in AMOUNTS)
    kind = RelationKind.EMPLOYEE if segment == EMPLOYER else RelationKind.FLEXIBLE
    return f"""
INSERT INTO {LINE} ({LINE_COLUMNS})
SELECT %(run)s, %(period)s, x.relation_id, x.person_id, x.employer_id, x.agency_id, x.scheme,
       x.kind, '{BaseSource.REVERSAL.value}', {negated}, 0
FROM (
  SELECT relation_id, MIN(person_id) AS person_id, MIN(employer_id) AS employer_id,
         MIN(agency_id) AS agency_id, MIN(scheme) AS scheme, MIN(kind) AS kind, {sums}
  FROM {LINE} l
  WHERE l.period = %(period)s AND {_segment_filter(segment, "l")}
    AND l.agency_id IN ({agency_ids(card)}) AND l.run_id <> %(run)s
  GROUP BY relation_id
) x
WHERE ({nonzero}) AND NOT EXISTS (
  SELECT 1 FROM {RELATION} r
  WHERE r.id = x.relation_id AND r.agency_id IN ({agency_ids(card)})
    AND r.kind = '{kind.value}'
    AND r.start_period <= %(period)s
    AND (r.end_period IS NULL OR r.end_period >= %(period)s)
    AND r.status <> '{RelationStatus.SUSPENDED.value}'
)"""


def bill_sql(segment: str) -> str:
    """Issue one bill per payer from the lines this run wrote in the chunk (summed first, so
    the employer is read once per bill, not once per line)."""
    if segment == EMPLOYER:
        payer, agency, payer_columns, number = (
            "l.employer_id",
            "",
            "g.payer_id, NULL, e.managing_agency_id",
            "'-E' || CAST(g.payer_id AS TEXT)",
        )
        join = f"JOIN {EMPLOYER_TABLE} e ON e.id = g.payer_id"
        earlier = "b.employer_id = g.payer_id AND b.run_id <> %(run)s"
    else:
        payer, agency, payer_columns, number = (
            "l.person_id",
            "MIN(l.agency_id) AS agency_id, ",
            "NULL, g.payer_id, g.agency_id",
            "'-P' || CAST(g.payer_id AS TEXT)",
        )
        join = ""
        earlier = "b.employer_id IS NULL AND b.person_id = g.payer_id AND b.run_id <> %(run)s"
    return f"""
INSERT INTO {BILL} (number, run_id, period, kind, employer_id, person_id, agency_id, persons,
                   lines, employer_fen, individual_fen, late_fee_fen, total_fen,
                   account_credit_fen, due_date, issued_at, paid_fen, payment_status)
SELECT 'B' || CAST(%(period)s AS TEXT) || '-' || CAST(%(run)s AS TEXT) || {number},
       %(run)s, %(period)s,
       CASE WHEN EXISTS (SELECT 1 FROM {BILL} b WHERE {earlier} AND b.period = %(period)s)
            THEN '{BillKind.DIFFERENCE.value}' ELSE '{BillKind.ORIGINAL.value}' END,
       {payer_columns},
       g.persons, g.lines, g.employer_fen, g.individual_fen, 0, g.total_fen,
       g.account_credit_fen, %(due)s, %(now)s, 0,
       CASE WHEN g.total_fen > 0 THEN '{PaymentStatus.UNPAID.value}'
            ELSE '{PaymentStatus.CREDIT.value}' END
FROM (
  SELECT {payer} AS payer_id, {agency}COUNT(DISTINCT l.person_id) AS persons,
         COUNT(*) AS lines, SUM(l.employer_fen) AS employer_fen,
         SUM(l.individual_fen) AS individual_fen,
         SUM(l.employer_fen + l.individual_fen) AS total_fen,
         SUM(l.account_credit_fen) AS account_credit_fen
  FROM {LINE} l
  WHERE l.run_id = %(run)s AND l.period = %(period)s AND {_segment_filter(segment, "l")}
  GROUP BY {payer}
) g {join}"""


def chunk_totals_sql(segment: str) -> str:
    payer = (
        "b.employer_id BETWEEN %(lo)s AND %(hi)s"
        if segment == EMPLOYER
        else ("b.employer_id IS NULL AND b.person_id BETWEEN %(lo)s AND %(hi)s")
    )
    return f"""
SELECT COUNT(*), COALESCE(SUM(lines), 0), COALESCE(SUM(employer_fen), 0),
       COALESCE(SUM(individual_fen), 0), COALESCE(SUM(total_fen), 0),
       COALESCE(SUM(account_credit_fen), 0)
FROM {BILL} b WHERE b.run_id = %(run)s AND {payer}"""


# Set for the chunk's transaction only (SET LOCAL): JIT compilation would cost more per chunk
# than it saves, and a chunk's hashes and sorts stay in memory.
SESSION_SETTINGS = {
    "postgresql": (
        "SET LOCAL jit = off",
        "SET LOCAL work_mem = '64MB'",
    ),
}

TOTAL_KEYS = ("bills", "lines", "employer_fen", "individual_fen", "total_fen", "account_credit_fen")


def _ranges(counts: Iterable[tuple[int, int]], target: int) -> list[tuple[int, int]]:
    """Split ids (with their row counts, in id order) into contiguous ranges of about
    ``target`` rows that together cover every id from 1 up (the last range is open)."""
    ranges: list[tuple[int, int]] = []
    lo, rows = 1, 0
    for key, count in counts:
        rows += count
        if rows >= target:
            ranges.append((lo, key))
            lo, rows = key + 1, 0
    if rows or not ranges:
        ranges.append((lo, LAST_ID))
    else:
        ranges[-1] = (ranges[-1][0], LAST_ID)
    return ranges


class MonthlyAssessment:
    kind = KIND
    label = gettext_lazy("Monthly assessment")

    def plan(self, run: BatchRun) -> Iterable[ChunkPlan]:
        if connection.vendor == "postgresql":
            # Fresh statistics first: after a bulk load (a migration, the demo register) the
            # planner would otherwise guess empty tables and loop over millions of rows.
            with connection.cursor() as cursor:
                for table in (RELATION, BASE, EMPLOYER_TABLE, LINE):
                    cursor.execute(f"ANALYZE {table}")
        card = RateCard(run.params["rates"])
        agencies = agency_ids(card)
        target = int(run.params.get("chunk_rows", 50_000))
        for segment, key, kind in (
            (EMPLOYER, "employer_id", RelationKind.EMPLOYEE),
            (FLEXIBLE, "person_id", RelationKind.FLEXIBLE),
        ):
            line_payer = "employer_id IS NOT NULL" if segment == EMPLOYER else "employer_id IS NULL"
            sql = f"""
SELECT k, SUM(n) FROM (
  SELECT r.{key} AS k, COUNT(*) AS n FROM {RELATION} r
  WHERE r.agency_id IN ({agencies}) AND r.kind = '{kind.value}'
    AND r.start_period <= %(period)s AND (r.end_period IS NULL OR r.end_period >= %(period)s)
  GROUP BY r.{key}
  UNION ALL
  SELECT l.{key} AS k, COUNT(*) AS n FROM {LINE} l
  WHERE l.period = %(period)s AND l.agency_id IN ({agencies}) AND l.{line_payer}
  GROUP BY l.{key}
) t GROUP BY k ORDER BY k"""
            with connection.cursor() as cursor:
                cursor.execute(sql, {"period": run.period})
                counts = cursor.fetchall()
            if not counts:
                continue
            for lo, hi in _ranges(counts, target):
                yield ChunkPlan(segment, lo, hi)

    def execute(self, run: BatchRun, chunk: BatchChunk) -> ChunkOutcome:
        card = RateCard(run.params["rates"])
        assert run.period is not None
        ops = connection.ops
        args = {
            "run": run.pk,
            "period": run.period,
            "year": run.period // 100,
            "lo": chunk.lo,
            "hi": chunk.hi,
            "due": ops.adapt_datefield_value(card.due_date),
            "now": ops.adapt_datetimefield_value(timezone.now()),
        }
        with connection.cursor() as cursor:
            for setting in SESSION_SETTINGS.get(connection.vendor, ()):
                cursor.execute(setting)
            # Reversals first: they read only earlier runs' lines, which a first run has
            # none of, while this run's new lines would have to be read and skipped.
            cursor.execute(reversal_sql(card, chunk.segment), args)
            cursor.execute(assess_sql(card, chunk.segment), args)
            cursor.execute(bill_sql(chunk.segment), args)
            cursor.execute(chunk_totals_sql(chunk.segment), args)
            row = cursor.fetchone()
        totals = dict(zip(TOTAL_KEYS, (int(v) for v in row), strict=True))
        return ChunkOutcome(rows=totals["lines"], totals=totals)

    def finish(self, run: BatchRun) -> None:
        """Reconcile: the run's bills add up to its lines, to the fen."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*), COALESCE(SUM(employer_fen), 0), "
                f"COALESCE(SUM(individual_fen), 0), COALESCE(SUM(account_credit_fen), 0) "
                f"FROM {LINE} WHERE run_id = %s",
                [run.pk],
            )
            lines = tuple(int(v) for v in cursor.fetchone())
            cursor.execute(
                f"SELECT COALESCE(SUM(lines), 0), COALESCE(SUM(employer_fen), 0), "
                f"COALESCE(SUM(individual_fen), 0), COALESCE(SUM(account_credit_fen), 0) "
                f"FROM {BILL} WHERE run_id = %s",
                [run.pk],
            )
            bills = tuple(int(v) for v in cursor.fetchone())
        if lines != bills:
            raise RuleViolation(
                "ASSESS-TOTALS-MISMATCH", run=run.pk, detail=f"lines {lines}, bills {bills}"
            )
        periods_changed("assessment", [run.period])


register_batch_job(MonthlyAssessment())
