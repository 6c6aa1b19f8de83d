"""Employers and insured persons: one record each across the whole province.

This is the core of the registry that cases refer to; registration proper (insured relations,
staff additions and removals, history, merges) builds on it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shebao.core.models import Agency


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Person(models.Model):
    """An insured person (参保人), keyed by the 18-digit resident ID."""

    resident_id = models.CharField(_("resident ID"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=50, db_index=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    managing_agency = models.ForeignKey(
        Agency, verbose_name=_("managing agency"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["resident_id"]

    def __str__(self) -> str:
        return self.name


class Employer(models.Model):
    """An employer (用人单位), keyed by its unified social credit code."""

    credit_code = models.CharField(_("credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    managing_agency = models.ForeignKey(
        Agency, verbose_name=_("managing agency"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
