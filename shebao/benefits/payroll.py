# ruff: noqa: S608 - SQL built from table names and integers of our own run parameters only
"""The monthly pension payroll (待遇发放) as a batch job (design.md §7): one transaction per
chunk of pension ids in the run's agency subtree.

A chunk, for the run's month P:

1. one ``INSERT … SELECT`` writes the month's regular line of every pension in payment for P
   (status active, P between the first and the last month due, after the months settled
   outside shebao) at its ``monthly_fen``, to its bank account, unless the pension already
   has a regular line for P (``ON CONFLICT`` on the partial unique index
   ``benefits_one_regular_line``): a rerun writes nothing;
2. the few active pensions marked ``recheck_from`` (an adjustment, a resumption, a retroactive
   award, a corrected bank account) compare owed with paid from that month to P − 1: what is
   owed is paid as back-pay lines, one per month; what was paid too much becomes one
   overpayment to recover, never a negative line. The mark is then cleared (P itself is paid
   by the regular line);
3. the chunk's totals come back from the statements (RETURNING), not from a second read.

Once every chunk is done the run writes one bank payment file per bank (``finish``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext_lazy

from shebao.benefits import payroll_benefits
from shebao.benefits.models import (
    LineKind,
    LineStatus,
    NoticeKind,
    Overpayment,
    OverpaymentStatus,
    PayrollFile,
    PayrollLine,
    Pension,
    PensionNotice,
    PensionStatus,
)
from shebao.benefits.payroll_benefits import benefit_banks, planned_file_ids
from shebao.benefits.services.pensions import pension_differences
from shebao.core.actors import system_actor
from shebao.core.audit import audit_record
from shebao.core.batch import ChunkOutcome, ChunkPlan, register_batch_job
from shebao.core.changes import periods_changed
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import BatchChunk, BatchRun
from shebao.core.periods import period_add

KIND = "pension_payroll"
SEGMENT = "pensions"
LAST_ID = 2**62  # the open end of the last chunk: pensions opened after planning fall in it
CHUNK_PENSIONS = 20_000

LINE = PayrollLine._meta.db_table
PENSION = Pension._meta.db_table
FILE = PayrollFile._meta.db_table
LINE_COLUMNS = (
    "run_id, pension_id, person_id, agency_id, period, kind, amount_fen, bank_name, "
    "bank_account, status, failure_reason, file_id"
)

register_rule(
    "PAYROLL-TOTALS-MISMATCH",
    "发放批次 #{run} 的明细合计与分块合计不一致（{detail}），批次未完成。",
    "Payroll run #{run}: the lines do not add up to the chunks' totals ({detail}); the run is "
    "not finished.",
    "design.md §7",
)


def agency_list(run: BatchRun) -> str:
    """The run's agency ids (its subtree when it was created) as an SQL list."""
    return ",".join(str(int(pk)) for pk in run.params["agencies"])


def in_payment_sql(agencies: str) -> str:
    """The pensions of a chunk paid for month P (``%(period)s``)."""
    return f"""
p.id BETWEEN %(lo)s AND %(hi)s AND p.agency_id IN ({agencies})
AND p.status = '{PensionStatus.ACTIVE.value}'
AND p.start_period <= %(period)s
AND (p.end_period IS NULL OR p.end_period >= %(period)s)
AND (p.settled_through IS NULL OR p.settled_through < %(period)s)"""


def regular_lines_sql(agencies: str) -> str:
    """Insert the month's regular line of each pension of the chunk paid for P that has none.

    "Has none" is the partial unique index ``benefits_one_regular_line`` as the conflict
    target, not a ``NOT EXISTS``: planned while the month has no lines yet, PostgreSQL took the
    anti-join for one row and scanned every line of the month again for each chunk.
    RETURNING gives the rows inserted only.

    Each line goes straight into its bank's file, planned with the run: updating half a
    million lines afterwards cost more than writing them."""
    return f"""
INSERT INTO {LINE} ({LINE_COLUMNS})
SELECT %(run)s, p.id, p.person_id, p.agency_id, %(period)s, '{LineKind.REGULAR.value}',
       p.monthly_fen, p.bank_name, p.bank_account, '{LineStatus.PENDING.value}', '', f.id
FROM {PENSION} p
LEFT JOIN {FILE} f
  ON f.run_id = %(run)s AND f.kind = '{LineKind.REGULAR.value}' AND f.bank_name = p.bank_name
WHERE {in_payment_sql(agencies)}
ORDER BY p.id
ON CONFLICT (pension_id, period) WHERE kind = '{LineKind.REGULAR.value}' DO NOTHING
RETURNING pension_id, amount_fen"""


def pension_ranges(agencies: str, size: int) -> list[tuple[int, int]]:
    """Contiguous ranges of pension ids, ``size`` pensions of the subtree each, covering every
    id from 1 up; the last range is open."""
    sql = f"""
SELECT id FROM (
  SELECT p.id, ROW_NUMBER() OVER (ORDER BY p.id) AS n
  FROM {PENSION} p WHERE p.agency_id IN ({agencies})
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


# Set for the chunk's transaction only (SET LOCAL), as in the assessment.
SESSION_SETTINGS = {
    "postgresql": (
        "SET LOCAL jit = off",
        "SET LOCAL work_mem = '64MB'",
    ),
}


def overpayment_key(pension_id: int, run_pk: int) -> str:
    return f"recalculation:{int(pension_id)}:run:{int(run_pk)}"


def recheck(run: BatchRun, chunk: BatchChunk) -> tuple[list[PayrollLine], int]:
    """Compare owed with paid for the chunk's marked pensions; returns the back-pay lines
    written and the amount overpaid (recorded as overpayments)."""
    assert run.period is not None
    period = run.period
    marked = (
        Pension.objects.select_for_update()
        .filter(
            pk__gte=chunk.lo,
            pk__lte=chunk.hi,
            agency_id__in=run.params["agencies"],
            status=PensionStatus.ACTIVE,
            recheck_from__isnull=False,
            recheck_from__lte=period,
        )
        .order_by("pk")
    )
    back_pay: list[PayrollLine] = []
    overpaid_total = 0
    files = planned_file_ids(run)
    for pension in marked:
        assert pension.recheck_from is not None
        if pension.recheck_from < period:
            months = pension_differences(
                pension, first=pension.recheck_from, last=period_add(period, -1)
            )
            for month in months:
                if month.difference_fen > 0:
                    back_pay.append(
                        _back_pay_line(run, pension, month.period, month.difference_fen, files)
                    )
            overpaid = [m for m in months if m.difference_fen < 0]
            if overpaid:
                overpaid_total += _overpayment(run, pension, overpaid)
        pension.recheck_from = None
        pension.save(update_fields=["recheck_from", "updated_at"])
    PayrollLine.objects.bulk_create(back_pay, batch_size=1000)
    return back_pay, overpaid_total


def planned_files_create(run: BatchRun) -> None:
    """One payment file per bank of the subtree's pensions in payment, numbered in bank order;
    the lines are written into them and ``finish`` counts, hashes or drops them."""
    sql = f"""
SELECT DISTINCT p.bank_name FROM {PENSION} p
WHERE p.agency_id IN ({agency_list(run)}) AND p.status = '{PensionStatus.ACTIVE.value}'"""
    with connection.cursor() as cursor:
        cursor.execute(sql)
        banks = sorted({row[0] for row in cursor.fetchall()} | benefit_banks(run))
    PayrollFile.objects.bulk_create(
        PayrollFile(
            run=run,
            seq=seq,
            kind=LineKind.REGULAR,
            bank_name=bank,
            line_count=0,
            total_fen=0,
            sha256="",
            generated_by=run.actor_label,
        )
        for seq, bank in enumerate(banks, start=1)
    )


def _back_pay_line(
    run: BatchRun, pension: Pension, period: int, amount_fen: int, files: dict[str, int]
) -> PayrollLine:
    return PayrollLine(
        file_id=files.get(pension.bank_name),
        run_id=run.pk,
        pension_id=pension.pk,
        person_id=pension.person_id,
        agency_id=pension.agency_id,
        period=period,
        kind=LineKind.BACK_PAY,
        amount_fen=amount_fen,
        bank_name=pension.bank_name,
        bank_account=pension.bank_account,
    )


def _overpayment(run: BatchRun, pension: Pension, months: list[Any]) -> int:
    """One overpayment of the months paid too much (the key makes a replay write nothing)."""
    amount = -sum(m.difference_fen for m in months)
    periods = [m.period for m in months]
    key = overpayment_key(pension.pk, run.pk)
    overpayment, created = Overpayment.objects.get_or_create(
        key=key,
        defaults={
            "pension": pension,
            "reason": "recalculation",
            "periods": periods,
            "amount_fen": amount,
            "status": OverpaymentStatus.OPEN,
            "created_by": run.actor_label,
        },
    )
    if created:
        PensionNotice.objects.create(
            pension=pension,
            kind=NoticeKind.OVERPAYMENT,
            period=periods[0],
            details={"months": periods, "amount_fen": amount, "run": run.pk},
            created_by=run.actor_label,
        )
        audit_record(
            actor=system_actor(f"{KIND}:{run.pk}"),
            action="pension.overpayment",
            target=overpayment,
            target_agency=pension.agency,
            after={"pension": pension.pk, "periods": periods, "amount_fen": amount, "run": run.pk},
        )
    return amount


class PensionPayroll:
    kind = KIND
    label = gettext_lazy("Pension payroll")

    def detail_url(self, run: BatchRun) -> str:
        return reverse("benefits:payroll_run", args=[run.pk])

    def plan(self, run: BatchRun) -> Iterable[ChunkPlan]:
        if connection.vendor == "postgresql":
            # Fresh statistics first: after a bulk load the planner would guess empty tables.
            with connection.cursor() as cursor:
                for table in (PENSION, LINE):
                    cursor.execute(f"ANALYZE {table}")
        planned_files_create(run)
        size = int(run.params.get("chunk_pensions", CHUNK_PENSIONS))
        for lo, hi in pension_ranges(agency_list(run), size):
            yield ChunkPlan(SEGMENT, lo, hi)
        yield ChunkPlan(payroll_benefits.SEGMENT, 1, LAST_ID)

    def execute(self, run: BatchRun, chunk: BatchChunk) -> ChunkOutcome:
        if chunk.segment == payroll_benefits.SEGMENT:
            return payroll_benefits.execute_benefits(run, chunk)
        args = {"run": run.pk, "period": run.period, "lo": chunk.lo, "hi": chunk.hi}
        with connection.cursor() as cursor:
            for setting in SESSION_SETTINGS.get(connection.vendor, ()):
                cursor.execute(setting)
            cursor.execute(regular_lines_sql(agency_list(run)), args)
            regular = [(int(pid), int(fen)) for pid, fen in cursor.fetchall()]
        back_pay, overpaid = recheck(run, chunk)
        regular_fen = sum(fen for _pid, fen in regular)
        back_pay_fen = sum(line.amount_fen for line in back_pay)
        persons = {pid for pid, _fen in regular} | {line.pension_id for line in back_pay}
        lines = len(regular) + len(back_pay)
        totals = {
            "lines": lines,
            "persons": len(persons),
            "regular_lines": len(regular),
            "back_pay_lines": len(back_pay),
            "regular_fen": regular_fen,
            "back_pay_fen": back_pay_fen,
            "total_fen": regular_fen + back_pay_fen,
            "overpaid_fen": overpaid,
        }
        return ChunkOutcome(rows=lines, totals=totals)

    def finish(self, run: BatchRun) -> None:
        """Reconcile the lines with the chunks' totals, then write the bank files."""
        from shebao.benefits.services.payroll import payroll_files_write

        expected: dict[str, int] = {
            "lines": 0,
            "regular_fen": 0,
            "back_pay_fen": 0,
            "benefit_lines": 0,
            "benefit_fen": 0,
        }
        for totals in run.chunks.values_list("totals", flat=True):
            for key in expected:
                expected[key] += int(totals.get(key, 0))
        pension_line = "pension_id IS NOT NULL"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT "
                f"COALESCE(SUM(CASE WHEN {pension_line} THEN 1 ELSE 0 END), 0), "
                f"COALESCE(SUM(CASE WHEN {pension_line} AND kind = '{LineKind.REGULAR.value}' "
                f"THEN amount_fen ELSE 0 END), 0), "
                f"COALESCE(SUM(CASE WHEN {pension_line} AND kind = '{LineKind.BACK_PAY.value}' "
                f"THEN amount_fen ELSE 0 END), 0), "
                f"COALESCE(SUM(CASE WHEN benefit_id IS NOT NULL THEN 1 ELSE 0 END), 0), "
                f"COALESCE(SUM(CASE WHEN benefit_id IS NOT NULL THEN amount_fen ELSE 0 END), 0) "
                f"FROM {LINE} WHERE run_id = %s AND kind != '{LineKind.REISSUE.value}'",
                [run.pk],
            )
            row = cursor.fetchone()
        found = dict(zip(expected, (int(v) for v in row), strict=True))
        if found != expected:
            raise RuleViolation(
                "PAYROLL-TOTALS-MISMATCH", run=run.pk, detail=f"lines {found}, chunks {expected}"
            )
        payroll_files_write(run)
        periods_changed("payroll", [run.period])


register_batch_job(PensionPayroll())
