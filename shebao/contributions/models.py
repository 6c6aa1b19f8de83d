"""Collection (征缴): verified bases, monthly assessment lines, bills, payments from the tax
bureau, the account-posting queue and refunds. Money is integer fen throughout.

The assessment tables are the largest of the system (one line per insured person per scheme
per month), so their foreign keys carry no database constraint: a constraint check per
inserted row would cost more than the insert itself, and the rows they point at (relations,
persons, employers, agencies) are never deleted (PROTECT everywhere else). For the same
reason an assessment line has only the indexes its readers need (see ``AssessmentLine``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shebao.core.models import Agency, BatchRun
from shebao.registry.models import Employer, InsuredRelation, Person, RelationKind, Scheme


class BaseClamp(models.TextChoices):
    NONE = "", _("Within range")
    FLOOR = "floor", _("Raised to the floor")
    CAP = "cap", _("Lowered to the cap")


class BaseSource(models.TextChoices):
    DECLARED = "declared", _("Declared by the employer")
    FLEXIBLE = "flexible", _("Chosen by the flexible worker")
    UNDECLARED = "undeclared", _("Not declared: 110% of the last base")
    FLOOR = "floor", _("Not declared, no earlier base: the floor")
    REVERSAL = "reversal", _("Reversal: no longer insured in the period")
    BACK_PAYMENT = "back_pay", _("Back-payment on the wage then earned")


class ContributionBase(models.Model):
    """The verified contribution base (核定缴费基数) of one person in one scheme for a year."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    scheme = models.CharField(_("scheme"), max_length=12, choices=Scheme.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("source"), max_length=10, choices=BaseSource.choices)
    declared_wage_fen = models.BigIntegerField(_("declared wage (fen)"))
    base_fen = models.BigIntegerField(_("verified base (fen)"))
    clamp = models.CharField(_("clamped"), max_length=5, choices=BaseClamp.choices, blank=True)
    floor_fen = models.BigIntegerField(_("floor in force (fen)"))
    cap_fen = models.BigIntegerField(_("cap in force (fen)"))
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    declared_at = models.DateTimeField(_("declared at"), auto_now=True)
    declared_by = models.CharField(_("declared by"), max_length=150)

    class Meta:
        verbose_name = _("contribution base")
        verbose_name_plural = _("contribution bases")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "scheme", "year"], name="contributions_one_base_per_year"
            ),
            models.CheckConstraint(
                condition=models.Q(base_fen__gte=0), name="contributions_base_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["employer", "year"], name="contrib_base_employer")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.scheme} {self.year}: {self.base_fen}"


class AssessmentLine(models.Model):
    """One insured person's assessment in one scheme for one period (核定明细).

    A line is never changed after its run, except to mark it paid. A later change of the
    register or of a base produces a difference line in a later run carrying the deltas
    (base included), so the sum of a relation's lines for a period is always what is due.

    Every index costs each of the millions of lines a monthly run inserts, so the foreign keys
    have none of their own; the composite indexes serve the readers instead: a relation's
    lines of a period (period, relation), a chunk's payers in a period (period, employer,
    person), a bill's lines and a run's totals (run, employer), a person's statement (person,
    period). An employer's lines are reached through its bills, an agency's through its runs.
    """

    run = models.ForeignKey(
        BatchRun, on_delete=models.PROTECT, db_constraint=False, db_index=False, related_name="+"
    )
    period = models.PositiveIntegerField(_("period"))
    relation = models.ForeignKey(
        InsuredRelation,
        on_delete=models.PROTECT,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, db_constraint=False, db_index=False, related_name="+"
    )
    employer = models.ForeignKey(
        Employer,
        on_delete=models.PROTECT,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, db_constraint=False, db_index=False, related_name="+"
    )
    scheme = models.CharField(_("scheme"), max_length=12, choices=Scheme.choices)
    kind = models.CharField(_("contribution kind"), max_length=8, choices=RelationKind.choices)
    base_source = models.CharField(_("base source"), max_length=10, choices=BaseSource.choices)
    base_fen = models.BigIntegerField(_("base (fen)"))
    employer_fen = models.BigIntegerField(_("employer amount (fen)"))
    individual_fen = models.BigIntegerField(_("individual amount (fen)"))
    account_credit_fen = models.BigIntegerField(_("account credit (fen)"))
    late_fee_fen = models.BigIntegerField(_("late fee (fen)"), default=0)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment line")
        verbose_name_plural = _("assessment lines")
        indexes = [
            models.Index(fields=["period", "relation"], name="contrib_line_period_rel"),
            models.Index(fields=["period", "employer", "person"], name="contrib_line_period_payer"),
            models.Index(fields=["run", "employer"], name="contrib_line_run_employer"),
            models.Index(fields=["person", "period"], name="contrib_line_person"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.person_id} {self.scheme}"


class HistoricalContribution(models.Model):
    """A contribution month recorded before shebao (历史缴费记录): paid in a city system and
    loaded by the legacy migration, or confirmed from a personnel file. Retirement counts
    these months with the paid assessment lines; a month is either here or in the lines."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, db_constraint=False, db_index=False, related_name="+"
    )
    scheme = models.CharField(_("scheme"), max_length=12, choices=Scheme.choices)
    period = models.PositiveIntegerField(_("period"))
    base_fen = models.BigIntegerField(_("base (fen)"))
    # What was paid, as the city system held it (0 where only the base is known, as from a
    # personnel file): the migration's reconciliation sums these.
    employer_fen = models.BigIntegerField(_("employer amount (fen)"), default=0)
    individual_fen = models.BigIntegerField(_("individual amount (fen)"), default=0)
    account_credit_fen = models.BigIntegerField(_("account credit (fen)"), default=0)
    source = models.CharField(_("source"), max_length=40)

    class Meta:
        verbose_name = _("historical contribution month")
        verbose_name_plural = _("historical contribution months")
        ordering = ["person_id", "scheme", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "scheme", "period"], name="contributions_history_once"
            ),
            models.CheckConstraint(
                condition=models.Q(base_fen__gte=0), name="contributions_history_base"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.scheme} {self.period}"


class BillKind(models.TextChoices):
    ORIGINAL = "original", _("Monthly bill")
    DIFFERENCE = "difference", _("Difference bill")
    BACK_PAYMENT = "back_payment", _("Back-payment bill")


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")
    OVERPAID = "overpaid", _("Overpaid")
    CREDIT = "credit", _("Credit (nothing to pay)")


class Bill(models.Model):
    """What one payer owes from one run (缴费单): an employer, or a flexible worker.

    Its lines are the run's lines of the same payer. The amounts are fixed when the bill is
    issued; only the payment fields change afterwards.
    """

    number = models.CharField(_("bill number"), max_length=40, unique=True)
    run = models.ForeignKey(BatchRun, on_delete=models.PROTECT, related_name="+")
    period = models.PositiveIntegerField(_("period"))
    kind = models.CharField(_("kind"), max_length=12, choices=BillKind.choices)
    employer = models.ForeignKey(
        Employer,
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bills",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("flexible worker"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    persons = models.PositiveIntegerField(_("persons"))
    lines = models.PositiveIntegerField(_("lines"))
    employer_fen = models.BigIntegerField(_("employer amount (fen)"))
    individual_fen = models.BigIntegerField(_("individual amount (fen)"))
    late_fee_fen = models.BigIntegerField(_("late fee (fen)"), default=0)
    total_fen = models.BigIntegerField(_("total (fen)"))
    account_credit_fen = models.BigIntegerField(_("account credit (fen)"))
    due_date = models.DateField(_("due date"))
    issued_at = models.DateTimeField(_("issued at"))
    paid_fen = models.BigIntegerField(_("paid (fen)"), default=0)
    payment_status = models.CharField(
        _("payment status"),
        max_length=12,
        choices=PaymentStatus.choices,
        default=PaymentStatus.UNPAID,
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["-period", "number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(employer__isnull=False) | models.Q(person__isnull=False),
                name="contributions_bill_has_payer",
            ),
            models.UniqueConstraint(
                fields=["run", "employer"],
                condition=models.Q(employer__isnull=False),
                name="contributions_one_bill_per_employer_run",
            ),
            models.UniqueConstraint(
                fields=["run", "person"],
                condition=models.Q(employer__isnull=True),
                name="contributions_one_bill_per_person_run",
            ),
        ]
        indexes = [
            models.Index(fields=["employer", "period"], name="contrib_bill_employer"),
            models.Index(fields=["person", "period"], name="contrib_bill_person"),
            models.Index(fields=["payment_status", "due_date"], name="contrib_bill_status"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def outstanding_fen(self) -> int:
        return max(self.total_fen - self.paid_fen, 0)


class PaymentImport(models.Model):
    """One payment file received from the tax bureau (税务缴费信息回传)."""

    sha256 = models.CharField(max_length=64, unique=True)
    file_name = models.CharField(_("file"), max_length=200)
    rows = models.PositiveIntegerField(_("rows"))
    new_payments = models.PositiveIntegerField(_("new payments"))
    duplicates = models.PositiveIntegerField(_("already imported"))
    unmatched = models.PositiveIntegerField(_("unmatched"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.CharField(_("imported by"), max_length=150)

    class Meta:
        verbose_name = _("payment import")
        verbose_name_plural = _("payment imports")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.file_name


class Payment(models.Model):
    """One payment the tax bureau collected, keyed by its own reference (电子税票号)."""

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    bill = models.ForeignKey(
        Bill, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    bill_number = models.CharField(_("bill number"), max_length=40)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    paid_on = models.DateField(_("paid on"))
    source = models.ForeignKey(
        PaymentImport, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_fen__gt=0), name="contributions_payment_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class AccountPosting(models.Model):
    """A paid account credit waiting for the pension-account journal (记账待入账).

    The accounts app consumes the queue and sets ``consumed_at``; ``key`` makes the posting of
    one line idempotent however often a payment is replayed.
    """

    key = models.CharField(max_length=40, unique=True)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, db_constraint=False, related_name="+"
    )
    period = models.PositiveIntegerField(_("period"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    line = models.ForeignKey(
        AssessmentLine, on_delete=models.PROTECT, db_constraint=False, related_name="+"
    )
    paid_on = models.DateField(_("paid on"))
    created_at = models.DateTimeField(auto_now_add=True)
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("account posting")
        verbose_name_plural = _("account postings")
        indexes = [models.Index(fields=["consumed_at", "id"], name="contrib_posting_queue")]

    def __str__(self) -> str:
        return self.key


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Refund(models.Model):
    """A refund of an overpayment (多缴退费), approved by a second person."""

    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    period = models.PositiveIntegerField(_("period"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=RefundStatus.choices, default=RefundStatus.REQUESTED
    )
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_fen__gt=0), name="contributions_refund_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("requested_by")),
                name="contributions_refund_second_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.amount_fen}"
