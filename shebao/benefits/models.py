"""Pensions in payment (养老保险待遇): the award of each retiree, the amount in force month by
month, the monthly payroll with its bank files and returns, the yearly adjustment, the
qualification certification, suspensions, deaths and overpayments.

What a retiree is owed for a month is the rate in force for that month between the first paid
month and the last one (``PensionRate``); what was paid is the sum of the month's payroll lines
that the bank did not return. The monthly payroll pays the current month and, for a pension
marked ``recheck_from``, the difference between owed and paid for the months since: back pay
after an adjustment, a resumption or a retroactive award all come from that one comparison.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shebao.core.models import Agency, BatchRun
from shebao.registry.models import Person


class PensionGroup(models.TextChoices):
    """The retirement-age groups of the 2024 reform (rules.md §4)."""

    MALE = "male", _("Man (60 → 63)")
    FEMALE_50 = "female-50", _("Woman worker (50 → 55)")
    FEMALE_55 = "female-55", _("Woman cadre (55 → 58)")


class PensionStatus(models.TextChoices):
    ACTIVE = "active", _("In payment")
    SUSPENDED = "suspended", _("Suspended")
    STOPPED = "stopped", _("Stopped")


class SuspensionReason(models.TextChoices):
    CERTIFICATION = "certification", _("Qualification certification overdue")
    BANK = "bank", _("Bank account returned the payment")
    REQUEST = "request", _("At the retiree's request")
    OTHER = "other", _("Other")


class EndReason(models.TextChoices):
    DEATH = "death", _("Death")
    OTHER = "other", _("Other")


class Pension(models.Model):
    """A retiree's basic pension (基本养老金): the amount in force and whether it is paid.

    ``monthly_fen`` repeats the newest ``PensionRate`` so that the payroll reads one row per
    retiree. ``settled_through`` is the last month paid outside shebao (a city system before the
    migration): nothing up to it is compared again. ``recheck_from`` asks the next payroll to
    compare owed with paid from that month on.
    """

    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="pension"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("paying agency"), on_delete=models.PROTECT, related_name="+"
    )
    award_case_id = models.BigIntegerField(_("award case"), null=True, blank=True)
    group = models.CharField(_("retirement group"), max_length=10, choices=PensionGroup.choices)
    retirement_month = models.PositiveIntegerField(_("retirement month"))
    start_period = models.PositiveIntegerField(_("first month paid"))
    monthly_fen = models.BigIntegerField(_("monthly pension (fen)"))
    contribution_months = models.PositiveIntegerField(_("contribution months (deemed included)"))
    status = models.CharField(
        _("status"), max_length=10, choices=PensionStatus.choices, default=PensionStatus.ACTIVE
    )
    suspension_reason = models.CharField(
        _("reason for the suspension"), max_length=15, choices=SuspensionReason.choices, blank=True
    )
    suspended_from = models.PositiveIntegerField(_("suspended from"), null=True, blank=True)
    end_period = models.PositiveIntegerField(_("last month due"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for the end"), max_length=10, choices=EndReason.choices, blank=True
    )
    settled_through = models.PositiveIntegerField(
        _("settled outside shebao through"), null=True, blank=True
    )
    recheck_from = models.PositiveIntegerField(
        _("compare owed and paid from"), null=True, blank=True
    )
    bank_name = models.CharField(_("bank"), max_length=50, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=30, blank=True)
    certified_on = models.DateField(_("last certified on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("pension")
        verbose_name_plural = _("pensions")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["agency", "status"], name="benefits_pension_agency"),
            models.Index(fields=["status", "certified_on"], name="benefits_pension_certified"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_period__gt=models.F("retirement_month")),
                name="benefits_pension_starts_after_retirement",
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_fen__gte=0), name="benefits_pension_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"pension {self.person_id} {self.monthly_fen}"


class AwardKind(models.TextChoices):
    AWARD = "award", _("Award at retirement")
    RECALCULATION = "recalculation", _("Recalculation")
    MIGRATED = "migrated", _("Migrated from a city system")


class PensionAward(models.Model):
    """One computation of a pension (待遇核定) with the inputs, parts and full trace."""

    pension = models.ForeignKey(
        Pension, verbose_name=_("pension"), on_delete=models.PROTECT, related_name="awards"
    )
    kind = models.CharField(_("kind"), max_length=15, choices=AwardKind.choices)
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    effective_period = models.PositiveIntegerField(_("effective from"))
    benefit_base_fen = models.BigIntegerField(_("benefit base (fen)"))
    benefit_base_year = models.PositiveSmallIntegerField(_("benefit base of year"))
    provisional = models.BooleanField(_("provisional benefit base"), default=False)
    average_index = models.CharField(_("average contribution index"), max_length=12)
    contribution_months = models.PositiveIntegerField(_("contribution months (deemed included)"))
    deemed_months = models.PositiveIntegerField(_("deemed months"))
    account_balance_fen = models.BigIntegerField(_("account balance (fen)"))
    retirement_age_months = models.PositiveIntegerField(_("retirement age (months)"))
    basic_fen = models.BigIntegerField(_("basic pension (fen)"))
    account_fen = models.BigIntegerField(_("account pension (fen)"))
    transitional_fen = models.BigIntegerField(_("transitional pension (fen)"))
    total_fen = models.BigIntegerField(_("monthly pension (fen)"))
    calculation = models.JSONField(_("calculation"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.CharField(_("by"), max_length=150)

    class Meta:
        verbose_name = _("pension award")
        verbose_name_plural = _("pension awards")
        ordering = ["pension_id", "id"]

    def __str__(self) -> str:
        return f"award {self.pension_id} {self.total_fen}"


class RateReason(models.TextChoices):
    AWARD = "award", _("Award")
    ADJUSTMENT = "adjustment", _("Yearly adjustment")
    RECALCULATION = "recalculation", _("Recalculation")
    MIGRATED = "migrated", _("Migrated")


class PensionRate(models.Model):
    """The monthly amount in force from a month on (待遇标准). Never changed once written:
    a later change is a new row. For a month, the row with the greatest effective period not
    after it applies (the later row when two share a period)."""

    pension = models.ForeignKey(
        Pension, verbose_name=_("pension"), on_delete=models.PROTECT, related_name="rates"
    )
    effective_period = models.PositiveIntegerField(_("effective from"))
    monthly_fen = models.BigIntegerField(_("monthly pension (fen)"))
    reason = models.CharField(_("reason"), max_length=15, choices=RateReason.choices)
    source = models.CharField(_("source"), max_length=60)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pension rate")
        verbose_name_plural = _("pension rates")
        ordering = ["pension_id", "effective_period", "id"]
        indexes = [
            models.Index(fields=["pension", "effective_period"], name="benefits_rate_pension"),
        ]

    def __str__(self) -> str:
        return f"{self.pension_id} {self.effective_period} {self.monthly_fen}"


class LineKind(models.TextChoices):
    REGULAR = "regular", _("Month's pension")
    BACK_PAY = "back_pay", _("Back pay")
    REISSUE = "reissue", _("Re-issue after a returned payment")


class LineStatus(models.TextChoices):
    PENDING = "pending", _("Sent to the bank")
    PAID = "paid", pgettext_lazy("payroll", "Paid")
    FAILED = "failed", _("Returned by the bank")


class PayrollFile(models.Model):
    """One bank payment file of a payroll run (代发文件): the lines of one bank, in line order.
    The file is rebuilt from its lines on download; ``sha256`` proves it is the file sent."""

    run = models.ForeignKey(BatchRun, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField(_("file number"))
    kind = models.CharField(_("kind"), max_length=10, choices=LineKind.choices)
    bank_name = models.CharField(_("bank"), max_length=50)
    line_count = models.PositiveIntegerField(_("lines"))
    total_fen = models.BigIntegerField(_("total (fen)"))
    sha256 = models.CharField(max_length=64)
    generated_at = models.DateTimeField(_("generated at"), auto_now_add=True)
    generated_by = models.CharField(_("generated by"), max_length=150)

    class Meta:
        verbose_name = _("bank payment file")
        verbose_name_plural = _("bank payment files")
        ordering = ["run_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["run", "seq"], name="benefits_file_run_seq"),
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} file {self.seq}"


class PayrollLine(models.Model):
    """One payment to one retiree for one month (待遇发放明细).

    A month's regular line is written once across all runs; back pay and re-issues name the
    run that paid them. Lines are not deleted: a returned payment is marked failed and paid
    again by a re-issue or the next payroll.
    """

    run = models.ForeignKey(
        BatchRun, on_delete=models.PROTECT, db_constraint=False, db_index=False, related_name="+"
    )
    # A line pays either a pension or another benefit (``Benefit``).
    pension = models.ForeignKey(
        Pension,
        on_delete=models.PROTECT,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )
    benefit = models.ForeignKey(
        "Benefit",
        on_delete=models.PROTECT,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, db_constraint=False, db_index=False, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, db_constraint=False, db_index=False, related_name="+"
    )
    period = models.PositiveIntegerField(_("month paid for"))
    kind = models.CharField(_("kind"), max_length=10, choices=LineKind.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    bank_name = models.CharField(_("bank"), max_length=50)
    bank_account = models.CharField(_("bank account"), max_length=30)
    status = models.CharField(
        _("status"), max_length=10, choices=LineStatus.choices, default=LineStatus.PENDING
    )
    failure_reason = models.CharField(_("reason returned"), max_length=100, blank=True)
    file = models.ForeignKey(
        PayrollFile,
        on_delete=models.PROTECT,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )
    reissue_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reissue"
    )

    class Meta:
        verbose_name = _("payroll line")
        verbose_name_plural = _("payroll lines")
        ordering = ["run_id", "id"]
        indexes = [
            models.Index(fields=["run", "status"], name="benefits_line_run"),
            models.Index(fields=["pension", "period"], name="benefits_line_pension"),
            models.Index(fields=["file"], name="benefits_line_file"),
            models.Index(fields=["benefit", "period"], name="benefits_line_benefit"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["pension", "period"],
                condition=models.Q(kind="regular"),
                name="benefits_one_regular_line",
            ),
            models.UniqueConstraint(
                fields=["benefit", "period"],
                condition=models.Q(kind="regular", benefit__isnull=False),
                name="benefits_one_regular_benefit_line",
            ),
            models.CheckConstraint(
                condition=models.Q(pension__isnull=False, benefit__isnull=True)
                | models.Q(pension__isnull=True, benefit__isnull=False),
                name="benefits_line_pays_one_thing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pension_id} {self.period} {self.kind} {self.amount_fen}"


class PayrollReturn(models.Model):
    """One import of a bank's return file (回盘文件); the same file twice is refused."""

    run = models.ForeignKey(BatchRun, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("rows"))
    paid = models.PositiveIntegerField(_("paid"))
    failed = models.PositiveIntegerField(_("failed"))
    failed_fen = models.BigIntegerField(_("failed amount (fen)"))
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.CharField(_("imported by"), max_length=150)

    class Meta:
        verbose_name = _("bank return")
        verbose_name_plural = _("bank returns")
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "sha256"], name="benefits_return_once"),
        ]

    def __str__(self) -> str:
        return self.file_name


class DecisionStatus(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting approval")
    APPROVED = "approved", _("Approved and applied")
    REJECTED = "rejected", _("Rejected")


class AdjustmentDecision(models.Model):
    """The approval of a computed yearly adjustment run: nothing applies before a second
    person approves it."""

    run = models.OneToOneField(BatchRun, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.AWAITING
    )
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("adjustment decision")
        verbose_name_plural = _("adjustment decisions")

    def __str__(self) -> str:
        return f"adjustment run {self.run_id} {self.status}"


class AdjustmentLine(models.Model):
    """One retiree's yearly adjustment (养老金调整明细): before, increase and after."""

    run = models.ForeignKey(
        BatchRun, on_delete=models.PROTECT, db_constraint=False, db_index=False, related_name="+"
    )
    pension = models.ForeignKey(
        Pension, on_delete=models.PROTECT, db_constraint=False, db_index=False, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, db_constraint=False, db_index=False, related_name="+"
    )
    before_fen = models.BigIntegerField(_("before (fen)"))
    increase_fen = models.BigIntegerField(_("increase (fen)"))
    after_fen = models.BigIntegerField(_("after (fen)"))
    contribution_years = models.PositiveSmallIntegerField(_("whole contribution years"))
    age_years = models.PositiveSmallIntegerField(_("age"))

    class Meta:
        verbose_name = _("adjustment line")
        verbose_name_plural = _("adjustment lines")
        ordering = ["run_id", "pension_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "pension"], name="benefits_adjustment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.pension_id} +{self.increase_fen}"


class CertificationChannel(models.TextChoices):
    COUNTER = "counter", _("Counter")
    WEB = "web", _("Online")
    KIOSK = "kiosk", _("Kiosk")
    API = "api", _("API")
    DATA = "data", _("Data comparison")


class Certification(models.Model):
    """One qualification certification (待遇资格认证): the retiree was alive on that day."""

    pension = models.ForeignKey(
        Pension, verbose_name=_("pension"), on_delete=models.PROTECT, related_name="certifications"
    )
    certified_on = models.DateField(_("certified on"))
    channel = models.CharField(_("channel"), max_length=10, choices=CertificationChannel.choices)
    source = models.CharField(_("source"), max_length=100, blank=True)
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    recorded_by = models.CharField(_("recorded by"), max_length=150)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["pension_id", "-certified_on", "-id"]

    def __str__(self) -> str:
        return f"{self.pension_id} {self.certified_on}"


class DeathSource(models.TextChoices):
    COUNTER = "counter", _("Reported at the counter")
    COMPARISON = "comparison", _("Death-data comparison")
    OTHER = "other", _("Other")


class Death(models.Model):
    """A registered death (死亡登记): stops every benefit from the month after."""

    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="death"
    )
    died_on = models.DateField(_("date of death"))
    source = models.CharField(_("source"), max_length=12, choices=DeathSource.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    recorded_by = models.CharField(_("recorded by"), max_length=150)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("death")
        verbose_name_plural = _("deaths")
        ordering = ["-died_on", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.died_on}"


class OverpaymentStatus(models.TextChoices):
    OPEN = "open", _("To recover")
    RECOVERED = "recovered", _("Recovered")
    WRITTEN_OFF = "written_off", _("Written off")


class Overpayment(models.Model):
    """Money paid that was not owed (待遇多发), to be recovered (社会保险经办条例 art. 46)."""

    pension = models.ForeignKey(
        Pension, verbose_name=_("pension"), on_delete=models.PROTECT, related_name="overpayments"
    )
    reason = models.CharField(_("reason"), max_length=15)
    periods = models.JSONField(_("months"), default=list)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    recovered_fen = models.BigIntegerField(_("recovered (fen)"), default=0)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=OverpaymentStatus.choices,
        default=OverpaymentStatus.OPEN,
    )
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    key = models.CharField(max_length=80, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.CharField(_("by"), max_length=150)

    class Meta:
        verbose_name = _("overpayment")
        verbose_name_plural = _("overpayments")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pension_id} {self.amount_fen}"


class NoticeKind(models.TextChoices):
    SUSPENSION = "suspension", _("Suspension")
    RESUMPTION = "resumption", _("Resumption")
    STOP = "stop", _("Stop")
    OVERPAYMENT = "overpayment", _("Overpayment")
    ADJUSTMENT = "adjustment", _("Adjustment")
    AWARD = "award", _("Award")


class PensionNotice(models.Model):
    """A notice to the retiree (待遇通知): what changed, from which month, and why."""

    pension = models.ForeignKey(
        Pension, verbose_name=_("pension"), on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=NoticeKind.choices)
    period = models.PositiveIntegerField(_("from month"))
    details = models.JSONField(_("details"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.CharField(_("by"), max_length=150)

    class Meta:
        verbose_name = _("pension notice")
        verbose_name_plural = _("pension notices")
        ordering = ["pension_id", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pension_id} {self.kind} {self.period}"


# --- issue 9: unemployment, work injury and death benefits -----------------------------------


class BenefitKind(models.TextChoices):
    UNEMPLOYMENT = "unemployment", _("Unemployment benefit")
    DISABILITY_LUMP_SUM = "disability_lump_sum", _("One-time disability subsidy")
    DISABILITY_ALLOWANCE = "disability_allowance", _("Disability allowance")
    NURSING_ALLOWANCE = "nursing_allowance", _("Nursing allowance")
    MEDICAL_REIMBURSEMENT = "medical_reimbursement", _("Work-injury medical reimbursement")
    FUNERAL_GRANT = "funeral_grant", _("Funeral subsidy")
    SURVIVOR_PENSION = "survivor_pension", _("Survivor pension")
    DEATH_LUMP_SUM = "death_lump_sum", _("One-time death-at-work subsidy")
    SURVIVOR_PAYMENT = "survivor_payment", _("Survivor payment")
    INHERITANCE = "inheritance", _("Inherited account balance")


class BenefitPayer(models.TextChoices):
    FUND = "fund", _("The fund")
    EMPLOYER = "employer", _("The employer")


class BenefitStatus(models.TextChoices):
    ACTIVE = "active", _("In payment")
    SUSPENDED = "suspended", _("Suspended")
    STOPPED = "stopped", _("Stopped")


class Benefit(models.Model):
    """A benefit other than the basic pension (待遇项目): monthly (an unemployment benefit, a
    disability or nursing allowance, a survivor pension) from ``start_period`` to
    ``end_period`` (open while None), or one-time (a lump sum, a funeral subsidy, an
    inheritance) with ``start_period == end_period``. A stop sets ``stop_period``, the last
    month still due (before the start: nothing is due). The monthly payroll pays every
    fund-paid month due up to its own month that has no line the bank kept; an employer-paid
    benefit is recorded, not paid by the fund.

    ``person`` is the insured person the benefit arises from; ``payee_*`` who receives it (a
    survivor or an heir may not be insured). A person has at most one funeral subsidy across
    all schemes (社会保险法 art. 49): the database refuses a second.
    """

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="benefits"
    )
    scheme = models.CharField(_("scheme"), max_length=12)
    kind = models.CharField(_("kind"), max_length=25, choices=BenefitKind.choices)
    payer = models.CharField(
        _("paid by"), max_length=10, choices=BenefitPayer.choices, default=BenefitPayer.FUND
    )
    payee_name = models.CharField(_("payee"), max_length=50)
    payee_resident_id = models.CharField(_("payee resident ID"), max_length=18)
    payee_relation = models.CharField(_("payee's relation"), max_length=20, default="self")
    agency = models.ForeignKey(
        Agency, verbose_name=_("paying agency"), on_delete=models.PROTECT, related_name="+"
    )
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=60, blank=True)
    start_period = models.PositiveIntegerField(_("first month"))
    end_period = models.PositiveIntegerField(_("last month"), null=True, blank=True)
    monthly_fen = models.BigIntegerField(_("amount a month (fen)"))
    medical_fen = models.BigIntegerField(_("medical contribution paid a month (fen)"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=BenefitStatus.choices, default=BenefitStatus.ACTIVE
    )
    stop_reason = models.CharField(_("reason for the stop"), max_length=20, blank=True)
    stop_period = models.PositiveIntegerField(_("last month paid"), null=True, blank=True)
    bank_name = models.CharField(_("bank"), max_length=50, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=30, blank=True)
    calculation = models.JSONField(_("calculation"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.CharField(_("by"), max_length=150)

    class Meta:
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")
        ordering = ["id"]
        indexes = [models.Index(fields=["agency", "status"], name="benefits_benefit_agency")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(kind="funeral_grant"),
                name="benefits_one_funeral_grant",
            ),
            models.CheckConstraint(
                condition=models.Q(end_period__isnull=True)
                | models.Q(end_period__gte=models.F("start_period")),
                name="benefits_benefit_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_fen__gte=0), name="benefits_benefit_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.person_id} {self.monthly_fen}"


class MedicalContribution(models.Model):
    """The medical insurance contribution the unemployment fund pays for a claimant for one
    month (代缴医疗保险费), written by the payroll run that pays the month."""

    benefit = models.ForeignKey(Benefit, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(BatchRun, on_delete=models.PROTECT, related_name="+")
    period = models.PositiveIntegerField(_("month"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))

    class Meta:
        verbose_name = _("medical contribution paid")
        verbose_name_plural = _("medical contributions paid")
        constraints = [
            models.UniqueConstraint(fields=["benefit", "period"], name="benefits_medical_once"),
        ]

    def __str__(self) -> str:
        return f"{self.benefit_id} {self.period} {self.amount_fen}"


class UnemploymentClaim(models.Model):
    """An unemployment registration and claim (失业登记、失业保险金申领): the involuntary end of
    work, the contribution months, the entitlement with the months carried over from an
    earlier claim, and the benefit it opened once approved."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    separated_on = models.DateField(_("work ended on"))
    separation_reason = models.CharField(_("reason the work ended"), max_length=30)
    registered_on = models.DateField(_("registered unemployed on"))
    contribution_months = models.PositiveIntegerField(_("contribution months"))
    entitled_months = models.PositiveIntegerField(_("months for this claim"))
    carried_months = models.PositiveIntegerField(_("months carried over"), default=0)
    max_months = models.PositiveIntegerField(_("maximum months"))
    monthly_fen = models.BigIntegerField(_("amount a month (fen)"))
    benefit = models.OneToOneField(
        Benefit, on_delete=models.PROTECT, null=True, blank=True, related_name="claim"
    )
    calculation = models.JSONField(_("calculation"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("unemployment claim")
        verbose_name_plural = _("unemployment claims")
        ordering = ["-registered_on", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.registered_on}"


class Injury(models.Model):
    """A work-injury recognition (工伤认定) as the labour authority decided it; shebao records
    the decision, it does not make it."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    employer = models.ForeignKey("registry.Employer", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    decision_no = models.CharField(_("decision number"), max_length=60, unique=True)
    decided_on = models.DateField(_("decided on"))
    injured_on = models.DateField(_("injured on"))
    description = models.TextField(_("description"))
    fatal = models.BooleanField(_("death at work"), default=False)
    died_on = models.DateField(_("date of death"), null=True, blank=True)
    own_wage_fen = models.BigIntegerField(_("own wage (fen)"), null=True, blank=True)
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    recorded_by = models.CharField(_("recorded by"), max_length=150)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("work injury")
        verbose_name_plural = _("work injuries")
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return self.decision_no


class Dependence(models.TextChoices):
    NONE = "none", _("None")
    PARTIAL = "partial", _("Partial")
    MAJOR = "major", _("Major")
    FULL = "full", _("Full")


class WorkAbilityAssessment(models.Model):
    """The work-ability assessment (劳动能力鉴定) of an injury: disability level 1–10 and the
    degree of dependence on care."""

    injury = models.ForeignKey(Injury, on_delete=models.PROTECT, related_name="assessments")
    conclusion_no = models.CharField(_("conclusion number"), max_length=60)
    concluded_on = models.DateField(_("concluded on"))
    level = models.PositiveSmallIntegerField(_("disability level"))
    dependence = models.CharField(
        _("dependence on care"), max_length=10, choices=Dependence.choices
    )
    recorded_by = models.CharField(_("recorded by"), max_length=150)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("work-ability assessment")
        verbose_name_plural = _("work-ability assessments")
        ordering = ["-concluded_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=10), name="benefits_level_1_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.injury_id} level {self.level}"


class MedicalClaim(models.Model):
    """A claim for work-injury medical costs (工伤医疗费报销): items with their amounts and what
    the limits allow."""

    injury = models.ForeignKey(Injury, on_delete=models.PROTECT, related_name="medical_claims")
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    items = models.JSONField(_("items"), default=list)
    claimed_fen = models.BigIntegerField(_("claimed (fen)"))
    allowed_fen = models.BigIntegerField(_("allowed (fen)"))
    benefit = models.OneToOneField(
        Benefit, on_delete=models.PROTECT, null=True, blank=True, related_name="medical_claim"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("medical claim")
        verbose_name_plural = _("medical claims")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.injury_id} {self.allowed_fen}"


class Inheritance(models.Model):
    """The inheritance of a deceased participant's account balance (个人账户继承): the heirs
    and their shares, reviewed; each heir's part is a one-time benefit."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="inheritance")
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    balance_fen = models.BigIntegerField(_("balance inherited (fen)"))
    heirs = models.JSONField(_("heirs"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inheritance")
        verbose_name_plural = _("inheritances")

    def __str__(self) -> str:
        return f"{self.person_id} {self.balance_fen}"
