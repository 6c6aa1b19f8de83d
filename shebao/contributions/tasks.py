"""Executing an assessment run outside the request that started it (design.md §7).

With a broker configured (``CELERY_BROKER_URL``) the run goes to a Celery worker; without one
it runs in a daemon thread of the web process. Either way the request returns at once and the
run page follows the progress. A run is resumable, so a worker that dies mid-run loses nothing:
``acks_late`` gives the task back to the broker, and a stalled thread's run is resumed from the
run page. ``SHEBAO_BATCH_INLINE = True`` executes in the caller instead (tests).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import connections, transaction
from django.db.models import Max
from django.utils import timezone

from shebao.contributions.services.assessments import assessment_run_execute
from shebao.core.actors import Actor, system_actor
from shebao.core.errors import RuleViolation
from shebao.core.models import Action, BatchRun, BatchStatus, Channel, User
from shebao.core.permissions import ensure_can, ensure_in_scope

logger = logging.getLogger(__name__)

INLINE, CELERY, THREAD = "inline", "celery", "thread"
# A chunk is sized to take seconds; a run with no chunk done for this long has lost its worker
# (a restarted web process takes its threads with it).
STALL_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class ActorRef:
    """An actor reduced to what crosses a process boundary (a Celery message is JSON)."""

    user_id: int | None
    channel: str
    client_ip: str | None
    system_label: str

    @classmethod
    def of(cls, actor: Actor) -> ActorRef:
        return cls(
            user_id=actor.user.pk if actor.user is not None else None,
            channel=actor.channel,
            client_ip=actor.client_ip,
            system_label=actor.system_label,
        )

    def actor(self) -> Actor:
        if self.user_id is None:
            return system_actor(self.system_label or "batch")
        user = User.objects.get(pk=self.user_id)
        return Actor(user=user, channel=self.channel or Channel.SYSTEM, client_ip=self.client_ip)


def dispatch_mode() -> str:
    if getattr(settings, "SHEBAO_BATCH_INLINE", False):
        return INLINE
    return CELERY if settings.CELERY_BROKER_URL else THREAD


def assessment_run_dispatch(run: BatchRun, *, actor: Actor) -> str:
    """Have ``run`` executed (or resumed) in the background; returns how (inline, celery,
    thread). The actor's permission and scope are checked here, where a refusal can still be
    shown, not only in the worker where nobody would see it."""
    ensure_can(actor, Action.RUN_BATCH)
    ensure_in_scope(actor, run.agency)
    ref = ActorRef.of(actor)
    mode = dispatch_mode()
    if mode == INLINE:
        _execute(run.pk, ref)
    elif mode == CELERY:
        # After commit: the worker must find the run the request created.
        transaction.on_commit(
            lambda: assessment_run_task.delay(
                run.pk, ref.user_id, ref.channel, ref.client_ip, ref.system_label
            )
        )
    else:
        thread = threading.Thread(
            target=_execute_in_thread,
            args=(run.pk, ref),
            name=f"assessment-run-{run.pk}",
            daemon=True,
        )
        transaction.on_commit(thread.start)
    return mode


def run_resumable(run: BatchRun) -> bool:
    """Failed, or waiting or running with no sign of progress for ``STALL_AFTER``."""
    if run.status == BatchStatus.FAILED:
        return True
    if run.status == BatchStatus.DONE:
        return False
    last_chunk = run.chunks.aggregate(last=Max("done_at"))["last"]
    last = max(t for t in (last_chunk, run.started_at, run.created_at) if t is not None)
    return timezone.now() - last > STALL_AFTER


def _execute(run_pk: int, ref: ActorRef) -> BatchRun:
    run = BatchRun.objects.select_related("agency").get(pk=run_pk)
    return assessment_run_execute(run, actor=ref.actor())


def _execute_in_thread(run_pk: int, ref: ActorRef) -> None:
    try:
        _execute(run_pk, ref)
    except RuleViolation as exc:
        logger.warning("assessment run #%s refused: %s", run_pk, exc.message_en)
    except Exception:
        # The run has recorded the error and is marked failed; the run page shows it.
        logger.exception("assessment run #%s failed", run_pk)
    finally:
        connections.close_all()


@shared_task(name="contributions.assessment_run_execute", acks_late=True)
def assessment_run_task(
    run_pk: int, user_id: int | None, channel: str, client_ip: str | None, system_label: str
) -> int:
    """Execute or resume a run on a worker; returns the lines written. A redelivered message
    for a run already done does nothing."""
    ref = ActorRef(user_id, channel, client_ip, system_label)
    try:
        run = _execute(run_pk, ref)
    except RuleViolation as exc:
        if exc.code != "BATCH-ALREADY-DONE":
            raise
        run = BatchRun.objects.get(pk=run_pk)
    return run.rows
