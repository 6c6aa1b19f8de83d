"""The audit log (操作日志): append-only entries chained by SHA-256, written in the same
transaction as the change they record.

Each entry's hash covers its contents and the previous entry's hash; the chain head (one row,
locked while appending) orders concurrent writers and remembers the last hash and the count,
so ``audit_verify`` detects an altered entry, a removed or inserted one, and a cut-off tail.
Call :func:`audit_record` last in a transaction: the head lock is held until commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from shebao.core.actors import Actor
from shebao.core.models import Agency, AuditChainAnchor, AuditChainHead, AuditEntry

GENESIS_HASH = "0" * 64
HEAD_ID = 1
# The entry each prune writes about itself; it names the hash its anchor starts from.
PRUNE_ACTION = "audit.prune"

# The fields the hash covers, in this order; adding one is a new chain version.
HASHED_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_username",
    "actor_agency",
    "actor_agency_path",
    "actor_roles",
    "action",
    "target_type",
    "target_id",
    "target_agency_path",
    "before",
    "after",
    "channel",
    "client_ip",
    "prev_hash",
)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def to_json_safe(value: Any) -> Any:
    """Dates, Decimals and model instances as the JSON the database will give back."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=_json_default, ensure_ascii=False))


def snapshot(instance: models.Model, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of a row, JSON-safe (foreign keys by id), for before/after."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = getattr(instance, attname)
    return to_json_safe(values)


def entry_hash(values: dict[str, Any]) -> str:
    occurred = values["occurred_at"]
    hashed = {name: values[name] for name in HASHED_FIELDS}
    hashed["occurred_at"] = occurred.astimezone(dt.UTC).isoformat(timespec="microseconds")
    canonical = json.dumps(hashed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _locked_head() -> AuditChainHead:
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(
        pk=HEAD_ID, defaults={"last_hash": GENESIS_HASH}
    )
    return head


def audit_record(
    *,
    actor: Actor,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_agency: Agency | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Must run inside the transaction of the change it records."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change")
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    agency = actor.agency
    head = _locked_head()
    values: dict[str, Any] = {
        "occurred_at": timezone.now(),
        "actor_id": actor.user.pk if actor.user is not None else None,
        "actor_username": actor.username,
        "actor_agency": agency.code if agency else "",
        "actor_agency_path": agency.path if agency else "",
        "actor_roles": ",".join(actor.role_codes()),
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "target_agency_path": target_agency.path if target_agency else "",
        "before": to_json_safe(before),
        "after": to_json_safe(after),
        "channel": actor.channel,
        "client_ip": actor.client_ip,
        "prev_hash": head.last_hash,
    }
    values["entry_hash"] = entry_hash(values)
    entry = AuditEntry.objects.create(**values)
    AuditChainHead.objects.filter(pk=HEAD_ID).update(
        last_entry_id=entry.pk, last_hash=values["entry_hash"], entry_count=head.entry_count + 1
    )
    return entry


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    last_hash: str
    first_break: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def _stored_values(entry: AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in HASHED_FIELDS}


def audit_chain_verify(*, chunk_size: int = 5000) -> ChainReport:
    """Recompute the chain from the first entry; report the first broken link, if any.

    After a prune the chain starts from the latest anchor's hash (the last removed entry's)
    instead of the genesis, the removed entries count towards the head's total, and the prune's
    own entry, naming that hash, must be among the entries that remain.
    """
    anchor = AuditChainAnchor.objects.order_by("-id").first()
    expected_prev = anchor.anchor_hash if anchor else GENESIS_HASH
    removed = anchor.total_removed if anchor else 0
    anchored = anchor is None
    checked = 0
    entries = AuditEntry.objects.order_by("id")
    if anchor is not None:
        stale = entries.filter(id__lte=anchor.last_removed_id).first()
        if stale is not None:
            reason = f"lies before the chain anchor #{anchor.last_removed_id} (it was inserted)"
            return ChainReport(0, expected_prev, ChainBreak(stale.pk, reason))
    for entry in entries.iterator(chunk_size=chunk_size):
        checked += 1
        if (
            anchor is not None
            and not anchored
            and entry.action == PRUNE_ACTION
            and isinstance(entry.after, dict)
            and entry.after.get("last_removed_hash") == anchor.anchor_hash
        ):
            anchored = True
        if entry.prev_hash != expected_prev:
            reason = "does not link to the entry before it (an entry was removed or inserted)"
            return ChainReport(checked, expected_prev, ChainBreak(entry.pk, reason))
        if entry_hash(_stored_values(entry)) != entry.entry_hash:
            reason = "its contents differ from what was recorded (the entry was altered)"
            return ChainReport(checked, expected_prev, ChainBreak(entry.pk, reason))
        expected_prev = entry.entry_hash
    head = AuditChainHead.objects.filter(pk=HEAD_ID).first()
    head_hash, head_count, head_last = (
        (head.last_hash, head.entry_count, head.last_entry_id) if head else (GENESIS_HASH, 0, 0)
    )
    if head_hash != expected_prev or head_count != checked + removed:
        reason = (
            f"the chain head records {head_count} entries ending at #{head_last}, "
            f"but {checked} were found and {removed} pruned (entries were removed from the end)"
        )
        return ChainReport(checked, expected_prev, ChainBreak(head_last, reason))
    if not anchored:
        assert anchor is not None
        reason = "no audit.prune entry names this anchor's hash (the anchor was forged)"
        return ChainReport(checked, expected_prev, ChainBreak(anchor.last_removed_id, reason))
    return ChainReport(checked, expected_prev, None)
