"""Employers, insured persons and their insured relations: one record each across the whole
province, whichever city's agency handles them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shebao.core.models import Agency


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class HukouType(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MERGED = "merged", _("Merged into another record")


class Person(models.Model):
    """An insured person (参保人), keyed by the 18-digit resident ID."""

    resident_id = models.CharField(_("resident ID"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=50, db_index=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    hukou_type = models.CharField(
        _("household registration"), max_length=5, choices=HukouType.choices, blank=True
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    bank_name = models.CharField(_("bank"), max_length=50, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=6, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
    )
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


class EmployerStatus(models.TextChoices):
    PENDING = "pending", _("Registration in review")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    DEREGISTERED = "deregistered", _("Deregistered")


class Employer(models.Model):
    """An employer (用人单位), keyed by its unified social credit code."""

    credit_code = models.CharField(_("credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    division_code = models.CharField(_("division code"), max_length=6, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    risk_class = models.PositiveSmallIntegerField(
        _("work-injury risk class"), null=True, blank=True
    )
    floating_tier = models.PositiveSmallIntegerField(_("floating tier (%)"), null=True, blank=True)
    bank_name = models.CharField(_("bank"), max_length=50, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=30, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=EmployerStatus.choices, default=EmployerStatus.ACTIVE
    )
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


class RecordChange(models.Model):
    """One change of a person or employer (变更记录): what changed, who, through which case."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    employer = models.ForeignKey(
        Employer, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    action = models.CharField(_("action"), max_length=30)
    before = models.JSONField(_("before"), default=dict)
    after = models.JSONField(_("after"), default=dict)
    actor_label = models.CharField(_("by"), max_length=150)
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("record change")
        verbose_name_plural = _("record changes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"


class Scheme(models.TextChoices):
    PENSION = "pension", _("Pension")
    UNEMPLOYMENT = "unemployment", _("Unemployment")
    WORK_INJURY = "work_injury", _("Work injury")


class RelationKind(models.TextChoices):
    EMPLOYEE = "employee", _("Employee")
    FLEXIBLE = "flexible", _("Flexible worker")


class RelationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    RETIRED = "retired", _("Retired")
    DECEASED = "deceased", _("Deceased")


class InsuredRelation(models.Model):
    """A person's membership of one scheme (参保关系), through an employer or as a flexible
    worker, from a start period to an end period."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="relations"
    )
    scheme = models.CharField(_("scheme"), max_length=12, choices=Scheme.choices)
    employer = models.ForeignKey(
        Employer,
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relations",
    )
    kind = models.CharField(_("contribution kind"), max_length=8, choices=RelationKind.choices)
    start_period = models.PositiveIntegerField(_("start period"))
    end_period = models.PositiveIntegerField(_("end period"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=15, choices=RelationStatus.choices, default=RelationStatus.ACTIVE
    )
    start_reason = models.CharField(_("reason for the addition"), max_length=20)
    end_reason = models.CharField(_("reason for the removal"), max_length=20, blank=True)
    agency = models.ForeignKey(
        Agency, verbose_name=_("managing agency"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("insured relation")
        verbose_name_plural = _("insured relations")
        ordering = ["person_id", "scheme", "start_period"]
        constraints = [
            # One active pension relation per person in the whole province (省级统筹).
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(scheme="pension", status="active"),
                name="registry_one_active_pension_relation",
            ),
            models.CheckConstraint(
                condition=models.Q(end_period__isnull=True)
                | models.Q(end_period__gte=models.F("start_period")),
                name="registry_relation_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="employee", employer__isnull=False)
                | models.Q(kind="flexible", employer__isnull=True),
                name="registry_relation_employer_matches_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["employer", "status"], name="registry_relation_employer"),
            models.Index(fields=["agency", "status"], name="registry_relation_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.scheme} {self.start_period}-{self.end_period or ''}"
