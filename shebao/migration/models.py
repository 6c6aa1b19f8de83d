"""The staging area of the legacy migration: every row a city delivered, as it came and as it
was read, with the outcome the cleansing rules gave it, and the worklist of doubtful rows.

Staged rows are never deleted: they are the proof of what the city handed over. A delivered
file is staged once per city (its SHA-256 is unique), so a rerun of the same directory adds
nothing; a corrected re-delivery is a new file whose rows are matched against what the province
already holds.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shebao.core.models import Agency, BatchRun


class Entity(models.TextChoices):
    EMPLOYERS = "employers", _("Employers")
    PERSONS = "persons", _("Persons")
    RELATIONS = "relations", _("Insured relations")
    CONTRIBUTIONS = "contributions", pgettext_lazy("legacy file", "Contribution months")
    ACCOUNTS = "accounts", _("Account years")
    RETIREES = "retirees", _("Retirees")


class Outcome(models.TextChoices):
    PENDING = "pending", _("Not yet cleansed")
    LOADED = "loaded", _("Loaded")
    FIXED = "fixed", _("Fixed and loaded")
    FLAGGED = "flagged", _("Loaded, for a clerk to decide")
    REJECTED = "rejected", pgettext_lazy("legacy row", "Rejected")
    ARCHIVED = "archived", _("Kept as history")


# The outcomes whose row reached the province's records.
KEPT = (Outcome.LOADED, Outcome.FIXED, Outcome.FLAGGED)


class LegacyFile(models.Model):
    """One delivered file (employers.csv of city 420300, …), staged once."""

    city = models.ForeignKey(Agency, verbose_name=_("city"), on_delete=models.PROTECT)
    entity = models.CharField(_("entity"), max_length=13, choices=Entity.choices)
    name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    encoding = models.CharField(_("encoding"), max_length=10)
    rows = models.PositiveIntegerField(_("rows"))
    run = models.ForeignKey(
        BatchRun, verbose_name=_("run"), on_delete=models.PROTECT, related_name="+"
    )
    staged_at = models.DateTimeField(_("staged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("legacy file")
        verbose_name_plural = _("legacy files")
        ordering = ["city", "staged_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["city", "entity", "sha256"], name="legacy_file_once"),
        ]

    def __str__(self) -> str:
        return f"{self.city_id} {self.name}"


class StagedRow(models.Model):
    """What every staged row has: where it came from, the cells as read, and its outcome.

    ``rules`` lists the rule codes that fired (comma-separated, in order); ``note`` says what
    was fixed or why the row was refused; ``target_id`` is the record it became or joined.
    """

    file = models.ForeignKey(LegacyFile, on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    line = models.PositiveIntegerField(_("line"))
    raw = models.JSONField(_("cells as delivered"))
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.PENDING
    )
    rules = models.CharField(_("rules"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    target_id = models.BigIntegerField(_("record"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["file_id", "line"]

    def __str__(self) -> str:
        return f"{self.file_id}:{self.line} {self.outcome}"


class LegacyEmployer(StagedRow):
    legacy_id = models.CharField(max_length=40)
    credit_code = models.CharField(max_length=18)
    name = models.CharField(max_length=200)
    division_code = models.CharField(max_length=6, blank=True)
    risk_class = models.PositiveSmallIntegerField(null=True)
    status = models.CharField(max_length=12)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta(StagedRow.Meta):
        indexes = [models.Index(fields=["city", "legacy_id"], name="legacy_employer_key")]


class LegacyPerson(StagedRow):
    legacy_id = models.CharField(max_length=40)
    resident_id = models.CharField(max_length=18)  # as delivered
    resident_id_18 = models.CharField(max_length=18, blank=True)  # checked and upgraded
    name = models.CharField(max_length=50)
    sex = models.CharField(max_length=1)
    birth_date = models.DateField()
    phone = models.CharField(max_length=20, blank=True)
    address = models.CharField(max_length=200, blank=True)
    died_on = models.DateField(null=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, related_name="+")
    matched = models.BooleanField(default=False)  # the province held the person already

    class Meta(StagedRow.Meta):
        indexes = [
            models.Index(fields=["city", "legacy_id"], name="legacy_person_key"),
            models.Index(fields=["resident_id_18"], name="legacy_person_id18"),
        ]


class LegacyRelation(StagedRow):
    legacy_id = models.CharField(max_length=40)
    person_ref = models.CharField(max_length=40)
    employer_ref = models.CharField(max_length=40, blank=True)
    scheme = models.CharField(max_length=12)
    start_period = models.PositiveIntegerField()
    end_period = models.PositiveIntegerField(null=True)
    status = models.CharField(max_length=15)
    person_id = models.BigIntegerField(null=True)
    employer_id = models.BigIntegerField(null=True)

    class Meta(StagedRow.Meta):
        indexes = [models.Index(fields=["person_id"], name="legacy_relation_person")]


class LegacyContribution(StagedRow):
    person_ref = models.CharField(max_length=40)
    employer_ref = models.CharField(max_length=40, blank=True)
    scheme = models.CharField(max_length=12)
    period = models.PositiveIntegerField()
    base_fen = models.BigIntegerField()
    employer_fen = models.BigIntegerField()
    individual_fen = models.BigIntegerField()
    account_credit_fen = models.BigIntegerField()
    person_id = models.BigIntegerField(null=True)

    class Meta(StagedRow.Meta):
        indexes = [
            models.Index(fields=["file", "outcome"], name="legacy_contribution_outcome"),
            models.Index(fields=["person_id", "scheme", "period"], name="legacy_contribution_key"),
        ]


class LegacyAccount(StagedRow):
    person_ref = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    opening_fen = models.BigIntegerField()
    credits_fen = models.BigIntegerField()
    interest_fen = models.BigIntegerField()
    closing_fen = models.BigIntegerField()
    rebuilt_fen = models.BigIntegerField(null=True)  # the closing rebuilt from the history
    takeover = models.BooleanField(default=False)  # the person's last year: the balance kept
    person_id = models.BigIntegerField(null=True)


class LegacyRetiree(StagedRow):
    person_ref = models.CharField(max_length=40)
    group = models.CharField(max_length=10)
    retirement_month = models.PositiveIntegerField()
    monthly_fen = models.BigIntegerField()
    basic_fen = models.BigIntegerField()
    account_fen = models.BigIntegerField()
    transitional_fen = models.BigIntegerField()
    contribution_months = models.PositiveIntegerField()
    paid_through = models.PositiveIntegerField()
    bank_name = models.CharField(max_length=50, blank=True)
    bank_account = models.CharField(max_length=30, blank=True)
    person_id = models.BigIntegerField(null=True)


STAGED_MODELS: dict[str, type[StagedRow]] = {
    Entity.EMPLOYERS: LegacyEmployer,
    Entity.PERSONS: LegacyPerson,
    Entity.RELATIONS: LegacyRelation,
    Entity.CONTRIBUTIONS: LegacyContribution,
    Entity.ACCOUNTS: LegacyAccount,
    Entity.RETIREES: LegacyRetiree,
}


class IssueStatus(models.TextChoices):
    OPEN = "open", _("To decide")
    RESOLVED = "resolved", _("Decided")


class Resolution(models.TextChoices):
    MERGE = "merge", _("Merge the two persons")
    DISTINCT = "distinct", _("Two different persons")
    KEEP_NAME = "keep_name", _("Keep the province's name")
    ADOPT_NAME = "adopt_name", _("Adopt the city's name")
    KEEP_RELATION = "keep_relation", _("Keep this relation, end the other")
    KEEP_OTHER = "keep_other", _("Keep the other relation, end this one")
    KEEP_BALANCE = "keep_balance", _("Keep the migrated balance")
    ADOPT_REBUILT = "adopt_rebuilt", _("Correct to the rebuilt balance")


class MigrationIssue(models.Model):
    """A flagged row for a clerk (待人工甄别): what the rule found and what was decided.

    ``person`` is the record concerned; ``other_person`` and ``relation``/``other_relation``
    name the second record when the finding is about two. A decision that changes a record
    goes through that record's own service (a merge or an account correction opens a case
    that a reviewer approves); ``case_id`` is that case.
    """

    city = models.ForeignKey(Agency, verbose_name=_("city"), on_delete=models.PROTECT)
    rule = models.CharField(_("rule"), max_length=30)
    entity = models.CharField(_("entity"), max_length=13, choices=Entity.choices)
    staged_id = models.BigIntegerField(_("staged row"))
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    other_person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("other person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    relation = models.ForeignKey(
        "registry.InsuredRelation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    other_relation = models.ForeignKey(
        "registry.InsuredRelation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    detail = models.JSONField(_("detail"), default=dict)
    status = models.CharField(
        _("status"), max_length=8, choices=IssueStatus.choices, default=IssueStatus.OPEN
    )
    resolution = models.CharField(
        _("decision"), max_length=14, choices=Resolution.choices, blank=True
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Who is deciding it now: a decision that opens a case (a merge, an account correction)
    # claims the finding first, so that two clerks deciding at once cannot both open one. A
    # claim older than CLAIM_MINUTES is stale (its process died) and may be taken over.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        verbose_name = _("migration issue")
        verbose_name_plural = _("migration issues")
        ordering = ["status", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "entity", "staged_id"], name="legacy_issue_once"
            ),
        ]
        indexes = [models.Index(fields=["city", "status"], name="legacy_issue_city")]

    def __str__(self) -> str:
        return f"{self.rule} #{self.pk}"
