# ruff: noqa: S608 - SQL built from our own table names and integers of the run only
"""The monthly certification sweep (待遇资格认证核查) as a batch job, run before the payroll.

For the sweep's period P and its reference date, every ACTIVE pension of the agency subtree
whose certification is overdue (last certified — or, never certified, the first day of the
first month paid — plus 12 months lies before the reference date) is suspended from P, the
first month not yet paid: status suspended, reason certification, ``suspended_from`` = P. A
suspension notice goes to each. One transaction per chunk of pension ids; a pension already
suspended is not touched again, so a rerun changes nothing. A certification resumes the
pension (``services.certification``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shebao.benefits.models import (
    NoticeKind,
    Pension,
    PensionNotice,
    PensionStatus,
    SuspensionReason,
)
from shebao.core.batch import ChunkOutcome, ChunkPlan, register_batch_job
from shebao.core.models import BatchChunk, BatchRun
from shebao.core.periods import period_add, period_of

KIND = "pension_certification_sweep"
SEGMENT = "pensions"
CHUNK_PENSIONS = 20_000
LAST_ID = 2**62

PENSION = Pension._meta.db_table


def last_start_overdue(cutoff: date) -> int:
    """The newest first-month-paid of a never-certified pension that is overdue: its first day
    lies before the cutoff."""
    period = period_of(cutoff)
    return period if cutoff.day > 1 else period_add(period, -1)


def overdue_pensions(run: BatchRun, lo: int, hi: int) -> list[tuple[int, date | None]]:
    """Ids (and last certification) of the overdue active pensions with ids in [lo, hi]."""
    cutoff = date.fromisoformat(run.params["cutoff"])
    agencies = ",".join(str(int(pk)) for pk in run.params["agencies"]) or "NULL"
    sql = f"""
SELECT p.id, p.certified_on FROM {PENSION} p
WHERE p.id BETWEEN %(lo)s AND %(hi)s AND p.agency_id IN ({agencies})
  AND p.status = %(active)s
  AND ((p.certified_on IS NOT NULL AND p.certified_on < %(cutoff)s)
       OR (p.certified_on IS NULL AND p.start_period <= %(last_start)s))
ORDER BY p.id"""
    args: dict[str, Any] = {
        "lo": lo,
        "hi": hi,
        "active": PensionStatus.ACTIVE.value,
        "cutoff": connection.ops.adapt_datefield_value(cutoff),
        "last_start": last_start_overdue(cutoff),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql + (" FOR UPDATE" if connection.vendor == "postgresql" else ""), args)
        rows = cursor.fetchall()
    out = []
    for pk, certified in rows:
        if certified is not None and not isinstance(certified, date):
            certified = date.fromisoformat(str(certified))
        out.append((int(pk), certified))
    return out


class CertificationSweep:
    kind = KIND
    label = gettext_lazy("Certification sweep")

    def detail_url(self, run: BatchRun) -> str:
        return reverse("benefits:certification_sweeps")

    def plan(self, run: BatchRun) -> Iterable[ChunkPlan]:
        size = max(int(run.params.get("chunk_pensions", CHUNK_PENSIONS)), 1)
        agencies = ",".join(str(int(pk)) for pk in run.params["agencies"]) or "NULL"
        sql = f"""
SELECT id FROM (
  SELECT p.id, ROW_NUMBER() OVER (ORDER BY p.id) AS n
  FROM {PENSION} p WHERE p.agency_id IN ({agencies}) AND p.status = %(active)s
) t
WHERE n %% {size} = 0
ORDER BY id"""
        with connection.cursor() as cursor:
            cursor.execute(sql, {"active": PensionStatus.ACTIVE.value})
            bounds = [int(row[0]) for row in cursor.fetchall()]
        lo = 1
        for hi in bounds:
            yield ChunkPlan(SEGMENT, lo, hi)
            lo = hi + 1
        yield ChunkPlan(SEGMENT, lo, LAST_ID)

    def execute(self, run: BatchRun, chunk: BatchChunk) -> ChunkOutcome:
        assert run.period is not None
        overdue = overdue_pensions(run, chunk.lo, chunk.hi)
        if not overdue:
            return ChunkOutcome(rows=0, totals={"suspended": 0})
        ids = [pk for pk, _certified in overdue]
        now = timezone.now()
        Pension.objects.filter(pk__in=ids, status=PensionStatus.ACTIVE).update(
            status=PensionStatus.SUSPENDED,
            suspension_reason=SuspensionReason.CERTIFICATION,
            suspended_from=run.period,
            updated_at=now,
        )
        PensionNotice.objects.bulk_create(
            [
                PensionNotice(
                    pension_id=pk,
                    kind=NoticeKind.SUSPENSION,
                    period=run.period,
                    details={
                        "reason": SuspensionReason.CERTIFICATION.value,
                        "run": run.pk,
                        "as_of": run.params["as_of"],
                        "certified_on": certified.isoformat() if certified else None,
                    },
                    created_by=run.actor_label,
                )
                for pk, certified in overdue
            ],
            batch_size=1000,
        )
        return ChunkOutcome(rows=len(ids), totals={"suspended": len(ids)})

    def finish(self, run: BatchRun) -> None:
        """Nothing to reconcile: each chunk's count is the rows its own update changed."""


register_batch_job(CertificationSweep())
