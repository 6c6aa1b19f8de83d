from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Parameter(models.Model):
    """A named legal or administrative figure (参数), e.g. ``contribution.base.floor``."""

    key = models.CharField(_("key"), max_length=100, unique=True)
    unit = models.CharField(_("unit"), max_length=10)
    description = models.CharField(_("description (English)"), max_length=300)
    description_zh = models.CharField(_("description (Chinese)"), max_length=300)

    class Meta:
        verbose_name = _("parameter")
        verbose_name_plural = _("parameters")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class ValueStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("In force")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


class ValueSource(models.TextChoices):
    FILE = "file", _("Parameter file")
    STAFF = "staff", _("Entered by staff")


class ParameterValue(models.Model):
    """One effective-dated value of a parameter for one region (``CN`` or a division code).

    Rows are never edited: a correction is a new row that supersedes the approved one with the
    same effective date, so every version a calculation used stays on record.
    """

    parameter = models.ForeignKey(
        Parameter, verbose_name=_("parameter"), on_delete=models.PROTECT, related_name="values"
    )
    region = models.CharField(_("region"), max_length=6)
    effective_from = models.DateField(_("effective from"))
    value = models.JSONField(_("value"), null=True, blank=True)
    reference = models.CharField(_("legal reference"), max_length=300)
    confidence = models.CharField(_("confidence"), max_length=10)
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(_("version"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ValueStatus.choices)
    source = models.CharField(_("source"), max_length=5, choices=ValueSource.choices)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or rejected by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("parameter value")
        verbose_name_plural = _("parameter values")
        ordering = ["parameter__key", "region", "effective_from", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["parameter", "region", "effective_from"],
                condition=models.Q(status="approved"),
                name="rules_one_value_in_force_per_date",
            ),
            models.UniqueConstraint(
                fields=["parameter", "region", "version"],
                name="rules_version_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "parameter", "region"], name="rules_value_lookup")
        ]

    def __str__(self) -> str:
        return f"{self.parameter.key}@{self.region} from {self.effective_from} v{self.version}"
