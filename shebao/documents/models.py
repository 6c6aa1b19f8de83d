"""Issued documents (证明文书): one row per PDF handed out, with the facts it certifies.

The PDF itself is not stored: it is rendered deterministically from ``facts`` (ReportLab in
invariant mode), so a re-download renders it again and must give the bytes whose sha256 was
recorded at issue. The facts, the public summary and the fingerprint never change once
written (a database trigger refuses it); only the revocation and the verification counter do.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shebao.core.models import Agency
from shebao.registry.models import Employer, Person
from shebao.services.models import Case, CaseChannel


class DocumentKind(models.TextChoices):
    PERSONAL_CERTIFICATE = "personal_certificate", _("Personal contribution certificate")
    EMPLOYER_CERTIFICATE = "employer_certificate", _("Employer contribution certificate")
    ACCOUNT_STATEMENT = "account_statement", _("Account statement")
    BILL = "bill", _("Contribution bill")
    RETIREMENT_NOTICE = "retirement_notice", _("Retirement approval notice")


class IssuedDocument(models.Model):
    """A document issued to a person or an employer (参保缴费证明, 单位参保证明, 对账单,
    缴费单, 退休待遇核定通知书), verifiable by its code on the public page."""

    code = models.CharField(_("verification code"), max_length=18, unique=True)
    kind = models.CharField(_("kind"), max_length=25, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=50)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    employer = models.ForeignKey(
        Employer,
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("issuing agency"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The bill number, the statement year or the award case's receipt number.
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=CaseChannel.choices)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.CharField(_("issued by"), max_length=150)
    facts = models.JSONField(_("facts certified"))
    summary = models.JSONField(_("public summary (masked)"), default=list)
    sha256 = models.CharField(_("PDF fingerprint (SHA-256)"), max_length=64)
    pages = models.PositiveSmallIntegerField(_("pages"))
    renderer = models.CharField(_("renderer"), max_length=60)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.CharField(_("revoked by"), max_length=150, blank=True)
    revoke_reason = models.CharField(_("reason for the revocation"), max_length=200, blank=True)
    verifications = models.PositiveIntegerField(_("times verified"), default=0)
    last_verified_at = models.DateTimeField(_("last verified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "issued_at"], name="documents_agency_issued"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(employer__isnull=False),
                name="documents_has_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.code}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
