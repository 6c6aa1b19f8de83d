"""The service catalogue (事项) and cases (办件): every business transaction is a case for an
item, so it can be routed, checked by a second person, timed and counted."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from shebao.core.models import Agency
from shebao.registry.models import Employer, Person


class Scheme(models.TextChoices):
    PENSION = "pension", _("Pension")
    UNEMPLOYMENT = "unemployment", _("Unemployment")
    WORK_INJURY = "work_injury", _("Work injury")
    GENERAL = "general", _("All schemes")


class Category(models.TextChoices):
    REGISTRATION = "registration", _("Registration")
    COLLECTION = "collection", _("Contributions")
    ACCOUNT = "account", _("Records and accounts")
    BENEFIT = "benefit", _("Benefit claims")
    BENEFIT_CHANGE = "benefit_change", _("Benefit changes")
    TRANSFER = "transfer", _("Transfers")
    CERTIFICATE = "certificate", _("Certificates and inquiries")
    QUALIFICATION = "qualification", _("Qualification certification")


class CaseChannel(models.TextChoices):
    COUNTER = "counter", _("Counter")
    WEB = "web", _("Online portal")
    KIOSK = "kiosk", _("Kiosk")
    API = "api", _("API")


class ServiceItem(models.Model):
    """A public service item (经办服务事项) of the catalogue."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150)
    scheme = models.CharField(_("scheme"), max_length=15, choices=Scheme.choices)
    category = models.CharField(_("category"), max_length=15, choices=Category.choices)
    channels = models.JSONField(_("channels"), default=list)
    fully_online = models.BooleanField(_("fully online"), default=False)
    automatic = models.BooleanField(_("automatic (no application)"), default=False)
    applicant_kind = models.CharField(_("applicant"), max_length=10)
    materials = models.JSONField(_("required materials"), default=list, blank=True)
    time_limit_days = models.PositiveIntegerField(
        _("time limit (working days)"), null=True, blank=True
    )
    time_limit_calendar_days = models.PositiveIntegerField(
        _("time limit (calendar days)"), null=True, blank=True
    )
    review_required = models.BooleanField(_("second-person review"), default=True)
    handler = models.CharField(_("handler"), max_length=100, blank=True)
    provenance = models.CharField(_("provenance"), max_length=3, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def display_name(self, language: str | None) -> str:
        return self.name_en if language and language.startswith("en") else self.name


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    DONE = "done", _("Done")
    RETURNED = "returned", _("Returned")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (
    CaseStatus.DRAFT,
    CaseStatus.SUBMITTED,
    CaseStatus.ACCEPTED,
    CaseStatus.IN_REVIEW,
    CaseStatus.RETURNED,
)
FINISHED_STATUSES = (CaseStatus.APPROVED, CaseStatus.DONE)


class AgentKind(models.TextChoices):
    NONE = "", _("In person")
    PROXY = "proxy", _("Proxy (代办)")
    ASSISTED = "assisted", _("Assisted by a clerk (帮办)")


class Case(models.Model):
    """A case (办件): one request for one service item, from submission to completion."""

    receipt_no = models.CharField(_("receipt number"), max_length=30, unique=True)
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("service item"), on_delete=models.PROTECT, related_name="cases"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=CaseChannel.choices)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="cases"
    )
    applicant_person = models.ForeignKey(
        Person,
        verbose_name=_("applicant (person)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    applicant_employer = models.ForeignKey(
        Employer,
        verbose_name=_("applicant (employer)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    agent_kind = models.CharField(
        _("agent"), max_length=10, choices=AgentKind.choices, blank=True, default=""
    )
    agent_name = models.CharField(_("agent name"), max_length=50, blank=True)
    agent_resident_id = models.CharField(_("agent resident ID"), max_length=18, blank=True)
    agent_relation = models.CharField(_("relation to the applicant"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    data = models.JSONField(_("details"), default=dict, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    return_reason = models.CharField(_("reason for return"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    returned_count = models.PositiveSmallIntegerField(_("times returned"), default=0)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["agency", "status"], name="services_case_agency_status"),
            models.Index(fields=["status", "due_date"], name="services_case_due"),
            models.Index(fields=["created_at"], name="services_case_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(applicant_person__isnull=False)
                | models.Q(applicant_employer__isnull=False),
                name="services_case_has_applicant",
            )
        ]

    def __str__(self) -> str:
        return self.receipt_no

    @property
    def applicant(self) -> Person | Employer:
        applicant = self.applicant_person or self.applicant_employer
        assert applicant is not None  # guaranteed by services_case_has_applicant
        return applicant


class CaseEvent(models.Model):
    """One step of a case's life, shown as its timeline (the audit log holds the same)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=150)
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class CaseAttachment(models.Model):
    """A material handed in for a case (scanned at the counter or uploaded online)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/")
    material = models.CharField(_("material"), max_length=100)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.material


class CaseRecord(models.Model):
    """A business record a case created or changed (an insured relation, a declaration…)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="records")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    record = GenericForeignKey("content_type", "object_id")
    effect = models.CharField(_("effect"), max_length=10)  # created | changed

    class Meta:
        verbose_name = _("case record")
        verbose_name_plural = _("case records")

    def __str__(self) -> str:
        return f"{self.effect} {self.content_type_id}:{self.object_id}"
