"""Audit retention: prune removes only entries past the window, leaves a verifiable chain."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from shebao.core.actors import system_actor
from shebao.core.audit import GENESIS_HASH, PRUNE_ACTION, audit_chain_verify, audit_record
from shebao.core.audit_retention import audit_prune, prune_plan
from shebao.core.models import AuditChainAnchor, AuditChainHead, AuditEntry

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)


def empty_chain() -> None:
    """Start the test with no audit entries (rolled back with the test's transaction), so
    that entries written in the past come first in the chain as they would in production."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE core_auditentry, core_auditchainanchor")
        else:
            cursor.execute("DELETE FROM core_auditentry")
            cursor.execute("DELETE FROM core_auditchainanchor")
    AuditChainHead.objects.all().delete()


def write(count: int, label: str) -> list[AuditEntry]:
    actor = system_actor("retention-test")
    entries = []
    for number in range(count):
        with transaction.atomic():
            entries.append(
                audit_record(
                    actor=actor, action=f"test.{label}", target_type="test", target_id=str(number)
                )
            )
    return entries


@pytest.fixture
def history(settings) -> dict[str, list[AuditEntry]]:
    """Four entries four years ago, three a year ago, two today; three years' retention."""
    settings.AUDIT_RETENTION_DAYS = 1095
    empty_chain()
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(days=4 * 365), tick=True):
        old = write(4, "old")
    with time_machine.travel(now - dt.timedelta(days=365), tick=True):
        kept = write(3, "kept")
    recent = write(2, "recent")
    assert audit_chain_verify().intact
    return {"old": old, "kept": kept, "recent": recent}


def test_prune_removes_only_entries_past_the_window(history):
    plan = audit_prune(actor=system_actor("audit_prune"))
    assert plan.count == 4
    remaining = set(AuditEntry.objects.values_list("action", flat=True))
    assert remaining == {"test.kept", "test.recent", PRUNE_ACTION}
    assert AuditEntry.objects.filter(action="test.kept").count() == 3


def test_prune_records_its_own_entry_and_an_anchor(history):
    last_old = history["old"][-1]
    audit_prune(actor=system_actor("audit_prune"))
    anchor = AuditChainAnchor.objects.get()
    assert (anchor.removed_count, anchor.total_removed) == (4, 4)
    assert anchor.anchor_hash == last_old.entry_hash
    assert anchor.last_removed_id == last_old.pk
    after = AuditEntry.objects.get(action=PRUNE_ACTION).after
    assert isinstance(after, dict)
    assert after["count"] == 4
    assert after["last_removed_hash"] == last_old.entry_hash
    assert after["oldest_removed_at"] == history["old"][0].occurred_at.isoformat()
    assert after["newest_removed_at"] == last_old.occurred_at.isoformat()
    assert AuditEntry.objects.get(action=PRUNE_ACTION).actor_username == "system:audit_prune"


def test_verify_passes_after_prune_and_after_a_second_prune(history):
    audit_prune(actor=system_actor("audit_prune"))
    report = audit_chain_verify()
    assert report.intact, report.first_break
    assert report.checked == 3 + 2 + 1
    # A year and a half later the "kept" entries are past the window as well.
    with time_machine.travel(timezone.now() + dt.timedelta(days=800), tick=True):
        assert audit_prune(actor=system_actor("audit_prune")).count == 3
        assert AuditChainAnchor.objects.latest("id").total_removed == 7
        report = audit_chain_verify()
    assert report.intact, report.first_break
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "intact" in out.getvalue()


def test_verify_still_finds_an_entry_altered_after_prune(history):
    audit_prune(actor=system_actor("audit_prune"))
    victim = history["kept"][1]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_audit_append_only")
        else:
            cursor.execute("DROP TRIGGER core_audit_append_only")
        cursor.execute(
            "UPDATE core_auditentry SET target_id = %s WHERE id = %s", ["forged", victim.pk]
        )
    broken = audit_chain_verify().first_break
    assert broken is not None
    assert broken.entry_id == victim.pk
    assert "altered" in broken.reason


def test_verify_finds_a_forged_anchor(history):
    """Someone who deletes recent entries and writes an anchor for them is found: no prune
    entry names that anchor's hash."""
    audit_prune(actor=system_actor("audit_prune"))
    kept = history["kept"]
    AuditChainAnchor.objects.create(
        pruned_at=timezone.now(),
        removed_count=1,
        total_removed=5,
        first_removed_id=kept[0].pk,
        last_removed_id=kept[0].pk,
        oldest_removed_at=kept[0].occurred_at,
        newest_removed_at=kept[0].occurred_at,
        anchor_hash=kept[0].entry_hash,
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_audit_append_only")
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [kept[0].pk])
    broken = audit_chain_verify().first_break
    assert broken is not None
    assert "forged" in broken.reason


def test_dry_run_changes_nothing(history):
    before = list(AuditEntry.objects.order_by("id").values_list("id", "entry_hash"))
    out = StringIO()
    call_command("audit_prune", "--dry-run", stdout=out)
    assert "would remove 4 entries" in out.getvalue()
    assert list(AuditEntry.objects.order_by("id").values_list("id", "entry_hash")) == before
    assert not AuditChainAnchor.objects.exists()


def test_the_command_reports_what_it_removed(history):
    out = StringIO()
    call_command("audit_prune", stdout=out)
    assert "removed 4 entries" in out.getvalue()
    assert history["old"][-1].entry_hash in out.getvalue()
    out = StringIO()
    call_command("audit_prune", stdout=out)
    assert "nothing to remove" in out.getvalue()


def test_nothing_inside_the_window_is_removed_even_behind_an_old_entry(settings):
    """An entry inside the window stops the prune: an older entry after it in the chain (a
    clock set back) stays, so the chain that remains has no gap."""
    settings.AUDIT_RETENTION_DAYS = 365
    empty_chain()
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(days=900), tick=True):
        write(2, "old")
    with time_machine.travel(now - dt.timedelta(days=10), tick=True):
        write(1, "inside")
    with time_machine.travel(now - dt.timedelta(days=800), tick=True):
        write(1, "clock-back")
    assert prune_plan().count == 2
    audit_prune(actor=system_actor("audit_prune"))
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["test.inside", "test.clock-back", PRUNE_ACTION]
    assert audit_chain_verify().intact


def test_an_empty_chain_prunes_nothing(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    empty_chain()
    assert audit_prune(actor=system_actor("audit_prune")).count == 0
    assert not AuditEntry.objects.exists()
    assert audit_chain_verify().last_hash == GENESIS_HASH


def test_a_retention_below_six_months_is_refused_by_the_command(history, settings):
    settings.AUDIT_RETENTION_DAYS = 90
    with pytest.raises(ImproperlyConfigured, match="at least 183 days"):
        audit_prune(actor=system_actor("audit_prune"))
    assert AuditEntry.objects.filter(action="test.old").count() == 4


def test_a_retention_below_six_months_stops_the_application_starting():
    environment = {**os.environ, "AUDIT_RETENTION_DAYS": "182"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "AUDIT_RETENTION_DAYS='182': must be at least 183" in result.stderr


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the DELETE trigger is PostgreSQL's")
def test_postgresql_refuses_a_plain_delete_even_of_an_old_entry(history):
    old = history["old"][0]
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [old.pk])
    assert AuditEntry.objects.filter(pk=old.pk).exists()


def flagged_delete(entry_id: int) -> None:
    """A DELETE with the prune flag set and a cutoff far in the future."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('shebao.audit_prune', 'on', true)")
        cursor.execute("SELECT set_config('shebao.audit_prune_before', '2999-01-01', true)")
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry_id])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the DELETE trigger is PostgreSQL's")
def test_postgresql_refuses_a_flagged_delete_inside_six_months(history):
    """Even with the prune flag and a cutoff in the future, the database keeps six months."""
    recent = history["recent"][0]
    with pytest.raises(DatabaseError, match="append-only"):
        flagged_delete(recent.pk)
    assert AuditEntry.objects.filter(pk=recent.pk).exists()
