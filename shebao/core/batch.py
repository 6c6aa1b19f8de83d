"""The batch-run framework (design.md §7): plan a run into chunks, execute each chunk in its
own transaction, resume a killed run at the first chunk not done, and reconcile the totals.

A job kind registers a ``BatchJob``: how to plan its chunks, how to execute one (set-based
SQL inside the transaction the framework opens) and, optionally, what to do once all chunks
are done. Executing a chunk twice is harmless: a done chunk is skipped under a row lock, and
a chunk whose transaction did not commit left nothing behind.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import connection, transaction
from django.utils import timezone

from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import Agency, BatchChunk, BatchRun, BatchStatus

register_rule(
    "BATCH-KIND-UNKNOWN",
    "批量作业类型“{kind}”不存在。",
    "There is no batch job kind '{kind}'.",
)
register_rule(
    "BATCH-ALREADY-DONE",
    "批量作业 #{run} 已完成，不能再次执行。",
    "Batch run #{run} is already done.",
)


@dataclass(frozen=True)
class ChunkPlan:
    segment: str
    lo: int
    hi: int


@dataclass
class ChunkOutcome:
    rows: int = 0
    totals: dict[str, int] = field(default_factory=dict)


class BatchJob(Protocol):
    kind: str

    def plan(self, run: BatchRun) -> Iterable[ChunkPlan]: ...

    def execute(self, run: BatchRun, chunk: BatchChunk) -> ChunkOutcome: ...

    def finish(self, run: BatchRun) -> None: ...


_JOBS: dict[str, BatchJob] = {}


def register_batch_job(job: BatchJob) -> BatchJob:
    _JOBS[job.kind] = job
    return job


def batch_job_label(kind: str) -> str:
    """What a run of ``kind`` is called on the pages (the kind itself when unknown)."""
    job = _JOBS.get(kind)
    return str(getattr(job, "label", kind))


def batch_run_url(run: BatchRun) -> str | None:
    """The page of a run when its job has one of its own (``detail_url(run)``), else None: the
    generic run page shows it."""
    job = _JOBS.get(run.kind)
    detail_url = getattr(job, "detail_url", None)
    return str(detail_url(run)) if detail_url is not None else None


def batch_job(kind: str) -> BatchJob:
    if kind not in _JOBS:
        raise RuleViolation("BATCH-KIND-UNKNOWN", kind=kind)
    return _JOBS[kind]


def batch_run_create(
    *,
    actor: Actor,
    kind: str,
    agency: Agency,
    period: int | None,
    params: dict[str, Any],
) -> BatchRun:
    """Create a run and plan its chunks, in one transaction, audited."""
    job = batch_job(kind)
    with transaction.atomic():
        run = BatchRun.objects.create(
            kind=kind,
            period=period,
            agency=agency,
            params=params,
            created_by=actor.user,
            actor_label=actor.username,
        )
        chunks = [
            BatchChunk(run=run, seq=seq, segment=p.segment, lo=p.lo, hi=p.hi)
            for seq, p in enumerate(job.plan(run), start=1)
        ]
        BatchChunk.objects.bulk_create(chunks, batch_size=1000)
        run.chunks_total = len(chunks)
        run.save(update_fields=["chunks_total"])
        audit_record(
            actor=actor,
            action="batch.create",
            target=run,
            target_agency=agency,
            after={"kind": kind, "period": period, "chunks": len(chunks)},
        )
    return run


Progress = Callable[[BatchRun], None]


def batch_run_execute(
    run: BatchRun,
    *,
    actor: Actor,
    progress: Progress | None = None,
    chunk_hook: Callable[[int], None] | None = None,
) -> BatchRun:
    """Execute every chunk not yet done, then reconcile. Resumable: call it again after a crash.

    ``chunk_hook(seq)`` runs inside each chunk's transaction after its SQL; tests use it to
    kill a run mid-chunk.
    """
    job = batch_job(run.kind)
    if run.status == BatchStatus.DONE:
        raise RuleViolation("BATCH-ALREADY-DONE", run=run.pk)
    BatchRun.objects.filter(pk=run.pk).update(
        status=BatchStatus.RUNNING, started_at=run.started_at or timezone.now(), error=""
    )
    run.refresh_from_db()
    pending = list(run.chunks.filter(done=False).values_list("pk", flat=True))
    try:
        for chunk_pk in pending:
            _execute_chunk(job, run, chunk_pk, chunk_hook)
            run.refresh_from_db(fields=["chunks_done", "rows"])
            if progress is not None:
                progress(run)
        _finish(job, run, actor)
    except Exception as exc:
        BatchRun.objects.filter(pk=run.pk).update(status=BatchStatus.FAILED, error=str(exc)[:2000])
        run.refresh_from_db()
        raise
    run.refresh_from_db()
    if progress is not None:
        progress(run)
    return run


def _execute_chunk(
    job: BatchJob, run: BatchRun, chunk_pk: int, hook: Callable[[int], None] | None
) -> None:
    with transaction.atomic():
        # The lock makes a second worker wait and then find the chunk done (design.md §7).
        chunk = BatchChunk.objects.select_for_update().get(pk=chunk_pk)
        if chunk.done:
            return
        outcome = job.execute(run, chunk)
        if hook is not None:
            hook(chunk.seq)
        chunk.done = True
        chunk.rows = outcome.rows
        chunk.totals = outcome.totals
        chunk.done_at = timezone.now()
        chunk.save(update_fields=["done", "rows", "totals", "done_at"])
        _count_chunk(run.pk, outcome.rows)


def _count_chunk(run_pk: int, rows: int) -> None:
    table = BatchRun._meta.db_table
    with connection.cursor() as cursor:
        # Incremented in SQL, not read-modify-write, so concurrent workers do not lose counts.
        cursor.execute(
            f"UPDATE {table} SET chunks_done = chunks_done + 1, rows = rows + %s "  # noqa: S608
            "WHERE id = %s",
            [rows, run_pk],
        )


def _finish(job: BatchJob, run: BatchRun, actor: Actor) -> None:
    with transaction.atomic():
        locked = BatchRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == BatchStatus.DONE:
            return
        if locked.chunks.filter(done=False).exists():
            return  # another worker is still on a chunk; it finishes the run
        totals: Counter[str] = Counter()
        rows = 0
        for chunk_rows, chunk_totals in locked.chunks.values_list("rows", "totals"):
            rows += chunk_rows
            totals.update(chunk_totals)
        job.finish(locked)
        locked.rows = rows
        locked.totals = dict(sorted(totals.items()))
        locked.status = BatchStatus.DONE
        locked.finished_at = timezone.now()
        locked.save(update_fields=["rows", "totals", "status", "finished_at"])
        audit_record(
            actor=actor,
            action="batch.done",
            target=locked,
            target_agency=locked.agency,
            after={"kind": locked.kind, "period": locked.period, "rows": rows, **locked.totals},
        )
