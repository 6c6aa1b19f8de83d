"""The audit chain: written with each change, append-only, and any tampering is found."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from shebao.core.actors import system_actor
from shebao.core.audit import GENESIS_HASH, audit_chain_verify, audit_record
from shebao.core.errors import RuleViolation
from shebao.core.models import AuditChainHead, AuditEntry, PermissionClaim, Staff
from shebao.core.services import claim_grant


@contextmanager
def triggers_off():
    """What a DBA with superuser rights could do: bypass the append-only trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_audit_append_only")
        else:
            cursor.execute("DROP TRIGGER core_audit_append_only")
    yield


def raw_sql(sql: str, params: list[str | int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_demo_chain_is_intact(demo):
    report = audit_chain_verify()
    assert report.intact
    assert report.checked == AuditEntry.objects.count() > 0
    assert report.last_hash == AuditChainHead.objects.get().last_hash


def test_service_writes_one_entry_with_who_what_where(actor_of):
    head = actor_of("head_maojian")
    colleague = Staff.objects.get(user__username="reviewer_maojian")
    claim = claim_grant(
        actor=head, staff=colleague, role_code="clerk", item_scope="category:benefit"
    )
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "claim.grant"
    assert (entry.target_type, entry.target_id) == ("core.permissionclaim", str(claim.pk))
    assert entry.actor_username == "head_maojian"
    assert entry.actor_agency == "420302"
    assert entry.actor_roles == "head"
    assert entry.channel == "counter"
    assert entry.client_ip == "10.0.0.1"
    assert entry.after == {
        "staff": "reviewer_maojian",
        "role": "clerk",
        "item_scope": "category:benefit",
    }
    assert entry.prev_hash != GENESIS_HASH
    assert audit_chain_verify().intact


def test_refused_change_leaves_neither_data_nor_entry(actor_of):
    head = actor_of("head_maojian")
    colleague = Staff.objects.get(user__username="reviewer_maojian")
    before = AuditEntry.objects.count()
    with pytest.raises(RuleViolation) as refused:
        claim_grant(actor=head, staff=colleague, role_code="clerk", item_scope="everything!")
    assert refused.value.code == "CORE-CLAIM-SCOPE"
    assert AuditEntry.objects.count() == before
    assert not PermissionClaim.objects.filter(staff=colleague, role__code="clerk").exists()


def test_entry_and_change_roll_back_together(actor_of):
    head = actor_of("head_maojian")
    colleague = Staff.objects.get(user__username="reviewer_maojian")
    before = AuditEntry.objects.count()

    def grant_then_crash() -> None:
        with transaction.atomic():
            claim_grant(actor=head, staff=colleague, role_code="clerk", item_scope="*")
            raise RuntimeError("crash after the service, before commit")

    with pytest.raises(RuntimeError):
        grant_then_crash()
    assert AuditEntry.objects.count() == before
    assert not PermissionClaim.objects.filter(staff=colleague, role__code="clerk").exists()


@pytest.mark.django_db(transaction=True)
def test_audit_record_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=system_actor("tests"), action="x.y", target_type="t", target_id="1")
    assert not AuditEntry.objects.filter(action="x.y").exists()


def test_orm_refuses_update_and_delete(demo):
    entry = AuditEntry.objects.earliest("id")
    entry.action = "forged"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_database_refuses_update_even_in_raw_sql(demo):
    entry_id = AuditEntry.objects.earliest("id").pk
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw_sql("UPDATE core_auditentry SET action = %s WHERE id = %s", ["forged", entry_id])
    assert AuditEntry.objects.get(pk=entry_id).action != "forged"


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the DELETE trigger is PostgreSQL's"
)
def test_postgresql_refuses_delete(demo):
    entry_id = AuditEntry.objects.earliest("id").pk
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw_sql("DELETE FROM core_auditentry WHERE id = %s", [entry_id])
    assert AuditEntry.objects.filter(pk=entry_id).exists()


def test_altered_entry_is_found(demo, capsys):
    victim = AuditEntry.objects.order_by("id")[3]
    with triggers_off():
        raw_sql(
            "UPDATE core_auditentry SET after = %s WHERE id = %s", ['{"forged": true}', victim.pk]
        )

    report = audit_chain_verify()
    assert report.first_break is not None
    assert report.first_break.entry_id == victim.pk
    assert "altered" in report.first_break.reason

    with pytest.raises(SystemExit) as exited:
        call_command("audit_verify")
    assert exited.value.code == 1
    assert f"#{victim.pk}" in capsys.readouterr().err


def test_removed_entry_is_found_at_the_next_link(demo):
    entries = list(AuditEntry.objects.order_by("id")[:6])
    with triggers_off():
        raw_sql("DELETE FROM core_auditentry WHERE id = %s", [entries[4].pk])
    report = audit_chain_verify()
    assert report.first_break is not None
    assert report.first_break.entry_id == entries[5].pk
    assert "removed or inserted" in report.first_break.reason


def test_cut_off_tail_is_found_by_the_chain_head(demo):
    last = AuditEntry.objects.latest("id")
    with triggers_off():
        raw_sql("DELETE FROM core_auditentry WHERE id = %s", [last.pk])
    report = audit_chain_verify()
    assert report.first_break is not None
    assert report.first_break.entry_id == last.pk
    assert "removed from the end" in report.first_break.reason


def test_audit_verify_command_reports_the_count(demo, capsys):
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert f"{AuditEntry.objects.count()} entries checked" in out
