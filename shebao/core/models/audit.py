from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    COUNTER = "counter", _("Counter")
    WEB = "web", _("Online portal")
    KIOSK = "kiosk", _("Kiosk")
    API = "api", _("API")
    ADMIN = "admin", _("Administration")
    SYSTEM = "system", _("System")


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("the audit log is append-only")

    def delete(self) -> NoReturn:
        raise TypeError("the audit log is append-only")


class AuditEntry(models.Model):
    """One change of data (操作日志), chained to the previous entry by SHA-256.

    Actor and agency are copied as text, not foreign keys, so the log stays readable and
    verifiable whatever happens to the rows it names. Write only through
    ``shebao.core.audit.audit_record``; PostgreSQL refuses UPDATE and DELETE by trigger.
    """

    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_username = models.CharField(_("actor"), max_length=150)
    actor_agency = models.CharField(_("actor agency"), max_length=12, blank=True)
    actor_agency_path = models.CharField(max_length=255, blank=True, db_index=True)
    actor_roles = models.CharField(_("actor roles"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    target_type = models.CharField(_("target type"), max_length=60)
    target_id = models.CharField(_("target id"), max_length=64)
    target_agency_path = models.CharField(max_length=255, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    client_ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="core_audit_target")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("the audit log is append-only")


class AuditChainHead(models.Model):
    """The chain's last link (a single row): locked while an entry is appended, which orders
    concurrent writers, and compared by ``audit_verify`` to detect a truncated tail."""

    last_entry_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    entry_count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return f"{self.entry_count} entries, last #{self.last_entry_id}"


class AuditChainAnchor(models.Model):
    """Where the chain starts after old entries were pruned (one row per prune, never changed).

    ``audit_verify`` starts from the latest anchor's hash (the last removed entry's) instead of
    the genesis hash, and adds ``total_removed`` to the entries it finds before comparing with
    the chain head's count.
    """

    pruned_at = models.DateTimeField(_("pruned at"))
    removed_count = models.BigIntegerField(_("entries removed"))
    total_removed = models.BigIntegerField(_("entries removed in all"))
    first_removed_id = models.BigIntegerField()
    last_removed_id = models.BigIntegerField()
    oldest_removed_at = models.DateTimeField()
    newest_removed_at = models.DateTimeField()
    anchor_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain anchor")
        verbose_name_plural = _("audit chain anchors")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"after #{self.last_removed_id} ({self.anchor_hash[:12]})"
