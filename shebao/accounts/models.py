"""The individual pension account (养老保险个人账户) as an immutable journal.

A balance is the sum of its entries; a year-end balance the sum of the entries of that year
and before. Nothing is ever updated or deleted (the database refuses it on PostgreSQL and
SQLite); a mistake is put right by a reversing entry that a second person approves.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shebao.registry.models import Person


class EntryKind(models.TextChoices):
    CONTRIBUTION = "contribution", _("Contribution credit")
    INTEREST = "interest", _("Interest")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    CORRECTION = "correction", _("Correction")
    PAYOUT = "payout", _("Payout to pension")
    INHERITANCE = "inheritance", _("Inheritance")
    REFUND = "refund", _("Refund")
    MIGRATED = "migrated", _("Balance migrated from a city system")


class AccountEntry(models.Model):
    """One movement of a person's account (个人账户记账明细).

    ``year`` and ``month`` say when the money counts for interest (a contribution: its
    period; interest: December of its year; a transfer: its month); ``key`` makes every
    posting idempotent (a retried posting finds its key and writes nothing).
    """

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        db_constraint=False,  # millions of rows a year; persons are never deleted
        db_index=False,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    period = models.PositiveIntegerField(_("contribution period"), null=True, blank=True)
    rate = models.CharField(_("interest rate"), max_length=12, blank=True)
    provisional = models.BooleanField(_("provisional"), default=False)
    source = models.CharField(_("source"), max_length=60)
    key = models.CharField(max_length=80, unique=True)
    reverses = models.ForeignKey(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.CharField(_("recorded by"), max_length=150)

    class Meta:
        verbose_name = _("account entry")
        verbose_name_plural = _("account entries")
        ordering = ["person_id", "year", "month", "id"]
        indexes = [models.Index(fields=["person", "year", "month"], name="accounts_entry_person")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="accounts_entry_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.year}-{self.month:02d} {self.amount_fen}"


class TransferDirection(models.TextChoices):
    OUT = "out", _("Transfer out of the province")
    IN = "in", _("Transfer into the province")


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for approval")
    APPROVED = "approved", _("Approved")


class Transfer(models.Model):
    """A pension relation moving across the provincial border (养老保险关系跨省转移接续,
    国办发〔2009〕66号), out of the province or into it, opened as a case and applied when a
    second person approves.

    Out: the whole account (with the part-year interest credited provisionally) and the pooled
    fund's 12% of the contribution bases go to ``other_agency``. In: what the other province's
    transfer letter (联系函/信息表) says it sends, typed by the clerk.
    """

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    direction = models.CharField(_("direction"), max_length=3, choices=TransferDirection.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TransferStatus.choices,
        default=TransferStatus.REQUESTED,
    )
    case_id = models.BigIntegerField(_("case"), unique=True)
    period = models.PositiveIntegerField(_("transfer month"))
    other_region = models.CharField(_("other province"), max_length=40)
    other_agency = models.CharField(_("other agency"), max_length=100)
    account_fen = models.BigIntegerField(_("individual account (fen)"))
    interest_fen = models.BigIntegerField(_("part-year interest (fen)"), default=0)
    pooled_fen = models.BigIntegerField(_("pooled fund (fen)"))
    months = models.PositiveIntegerField(_("contribution months"))
    calculation = models.JSONField(_("calculation"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(account_fen__gte=0, pooled_fen__gte=0, interest_fen__gte=0),
                name="accounts_transfer_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("requested_by")),
                name="accounts_transfer_second_person",
            ),
        ]
        indexes = [models.Index(fields=["person", "status"], name="accounts_transfer_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.direction} {self.period}"
