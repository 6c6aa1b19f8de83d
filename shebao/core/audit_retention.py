"""Audit retention (日志留存): entries are kept at least six months, AUDIT_RETENTION_DAYS in all,
and ``manage.py audit_prune`` removes the older ones.

A prune removes the oldest entries of the chain up to (not including) the first entry inside
the retention window, so what remains is an unbroken tail of the chain. It runs in one
transaction: it records an anchor (the last removed entry's hash, where verification starts
from now on) and an ``audit.prune`` entry of its own naming the count, the oldest and newest
removed times and that hash. On PostgreSQL the append-only trigger lets the DELETE through only
because this transaction set ``shebao.audit_prune`` locally, and only for entries older than
the cutoff it declared and older than six months by the database clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from shebao.core.actors import Actor
from shebao.core.audit import PRUNE_ACTION, _locked_head, audit_record
from shebao.core.models import AuditChainAnchor, AuditEntry

# The legal minimum: six months, counted generously.
MINIMUM_RETENTION_DAYS = 183


def retention_days() -> int:
    days = int(settings.AUDIT_RETENTION_DAYS)
    if days < MINIMUM_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"AUDIT_RETENTION_DAYS={days}: audit entries must be kept at least "
            f"{MINIMUM_RETENTION_DAYS} days (six months)"
        )
    return days


@dataclass(frozen=True)
class PrunePlan:
    cutoff: dt.datetime
    count: int
    first_id: int | None = None
    last_id: int | None = None
    oldest_at: dt.datetime | None = None
    newest_at: dt.datetime | None = None
    last_hash: str = ""


def prune_plan(now: dt.datetime | None = None) -> PrunePlan:
    """What a prune would remove now: the chain's oldest entries before the first one inside
    the retention window (all of them older than the cutoff)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=retention_days())
    first_kept = (
        AuditEntry.objects.filter(occurred_at__gte=cutoff)
        .order_by("id")
        .values_list("id", flat=True)
    ).first()
    old = AuditEntry.objects.filter(occurred_at__lt=cutoff)
    if first_kept is not None:
        old = old.filter(id__lt=first_kept)
    figures = old.aggregate(
        first_id=Min("id"), last_id=Max("id"), oldest=Min("occurred_at"), newest=Max("occurred_at")
    )
    if figures["last_id"] is None:
        return PrunePlan(cutoff=cutoff, count=0)
    last = AuditEntry.objects.get(pk=figures["last_id"])
    return PrunePlan(
        cutoff=cutoff,
        count=old.count(),
        first_id=figures["first_id"],
        last_id=figures["last_id"],
        oldest_at=figures["oldest"],
        newest_at=figures["newest"],
        last_hash=last.entry_hash,
    )


def audit_prune(*, actor: Actor, dry_run: bool = False) -> PrunePlan:
    """Remove the entries past retention (nothing with ``dry_run``), in one transaction."""
    if dry_run:
        return prune_plan()
    with transaction.atomic():
        _locked_head()  # no entry is appended while the tail is cut
        plan = prune_plan()
        if plan.count == 0:
            return plan
        assert plan.last_id is not None
        assert plan.first_id is not None
        assert plan.oldest_at is not None
        assert plan.newest_at is not None
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT set_config('shebao.audit_prune', 'on', true)")
                cursor.execute(
                    "SELECT set_config('shebao.audit_prune_before', %s, true)",
                    [plan.cutoff.isoformat()],
                )
            # Every entry up to last_id is older than the cutoff (prune_plan stops at the first
            # one inside the window).
            cursor.execute("DELETE FROM core_auditentry WHERE id <= %s", [plan.last_id])
            removed = cursor.rowcount
            if connection.vendor == "postgresql":
                cursor.execute("SELECT set_config('shebao.audit_prune', 'off', true)")
        if removed != plan.count:
            raise RuntimeError(f"audit prune removed {removed} entries, planned {plan.count}")
        previous = AuditChainAnchor.objects.order_by("-id").first()
        anchor = AuditChainAnchor.objects.create(
            pruned_at=timezone.now(),
            removed_count=plan.count,
            total_removed=plan.count + (previous.total_removed if previous else 0),
            first_removed_id=plan.first_id,
            last_removed_id=plan.last_id,
            oldest_removed_at=plan.oldest_at,
            newest_removed_at=plan.newest_at,
            anchor_hash=plan.last_hash,
        )
        audit_record(
            actor=actor,
            action=PRUNE_ACTION,
            target=anchor,
            after={
                "count": plan.count,
                "retention_days": retention_days(),
                "cutoff": plan.cutoff,
                "first_removed_id": plan.first_id,
                "last_removed_id": plan.last_id,
                "oldest_removed_at": plan.oldest_at,
                "newest_removed_at": plan.newest_at,
                "last_removed_hash": plan.last_hash,
            },
        )
    return plan
