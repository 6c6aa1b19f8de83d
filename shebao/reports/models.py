"""Summary tables (统计汇总表): one row per period, agency and breakdown, rebuilt from the
records by ``refresh.py`` so a dashboard over a million persons reads a few hundred rows.

Every figure is a count or sum over the records it names; the tests compare each with a
direct query. A refresh replaces a period's rows whole (delete and insert in one
transaction), so a rerun changes nothing and a killed refresh leaves the old rows.
The agency foreign keys have no constraint: the rows are derived, not owned.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shebao.core.models import Agency


class Summary(models.Model):
    """A summary row: one period of one agency."""

    period = models.PositiveIntegerField(_("period"))
    agency = models.ForeignKey(
        Agency, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.period} {self.agency_id}"


class InsuredSummary(Summary):
    """Insured persons in a period (参保人数), by agency, scheme and kind: the persons with a
    relation in force from its start period through its end period (open while it has none),
    each once, though a change of employer leaves two relations in force that month. Joined
    and ended count relations."""

    scheme = models.CharField(_("scheme"), max_length=12)
    kind = models.CharField(_("contribution kind"), max_length=8)
    insured = models.PositiveIntegerField(_("insured"))
    joined = models.PositiveIntegerField(_("joined in the month"))
    ended = models.PositiveIntegerField(_("ending in the month"))

    class Meta:
        verbose_name = _("insured summary")
        verbose_name_plural = _("insured summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "agency", "scheme", "kind"], name="reports_insured_one_row"
            )
        ]


class ContributionSummary(Summary):
    """A period's assessment lines (核定) by agency and scheme, every run's lines together (a
    difference line adds its deltas); paid: the lines whose bill was paid."""

    scheme = models.CharField(_("scheme"), max_length=12)
    persons = models.PositiveIntegerField(_("persons assessed"))
    base_fen = models.BigIntegerField(_("bases (fen)"))
    employer_fen = models.BigIntegerField(_("employer amount (fen)"))
    individual_fen = models.BigIntegerField(_("individual amount (fen)"))
    paid_fen = models.BigIntegerField(_("paid (fen)"))
    late_fee_fen = models.BigIntegerField(_("late fee (fen)"))

    class Meta:
        verbose_name = _("contribution summary")
        verbose_name_plural = _("contribution summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "agency", "scheme"], name="reports_contribution_one_row"
            )
        ]


class BillSummary(Summary):
    """A period's bills (缴费单) by agency: what was billed, what was received, what is still
    owed."""

    bills = models.PositiveIntegerField(_("bills"))
    total_fen = models.BigIntegerField(_("billed (fen)"))
    paid_fen = models.BigIntegerField(_("received (fen)"))
    outstanding_fen = models.BigIntegerField(_("outstanding (fen)"))
    unpaid_bills = models.PositiveIntegerField(_("bills not fully paid"))

    class Meta:
        verbose_name = _("bill summary")
        verbose_name_plural = _("bill summaries")
        constraints = [
            models.UniqueConstraint(fields=["period", "agency"], name="reports_bill_one_row")
        ]


class PayrollSummary(Summary):
    """What a month's payroll runs paid (待遇发放), by agency, scheme and benefit: the month
    is the run's, so back pay counts in the month it was paid."""

    scheme = models.CharField(_("scheme"), max_length=12)
    benefit = models.CharField(_("benefit"), max_length=25)
    persons = models.PositiveIntegerField(_("persons paid"))
    lines = models.PositiveIntegerField(_("payments"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    failed_fen = models.BigIntegerField(_("returned by the bank (fen)"))

    class Meta:
        verbose_name = _("payroll summary")
        verbose_name_plural = _("payroll summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "agency", "scheme", "benefit"], name="reports_payroll_one_row"
            )
        ]


class RetireeSummary(Summary):
    """Pensions due in a period (离退休人数), by agency: from the first month paid through the
    last month due (open while it has none); suspended: due but held back that month."""

    retirees = models.PositiveIntegerField(_("retirees"))
    new = models.PositiveIntegerField(_("new in the month"))
    suspended = models.PositiveIntegerField(_("suspended"))

    class Meta:
        verbose_name = _("retiree summary")
        verbose_name_plural = _("retiree summaries")
        constraints = [
            models.UniqueConstraint(fields=["period", "agency"], name="reports_retiree_one_row")
        ]


class SummaryRefresh(models.Model):
    """When each summary of each period was last rebuilt, shown beside the figures."""

    summary = models.CharField(max_length=20)
    period = models.PositiveIntegerField()
    refreshed_at = models.DateTimeField()
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["summary", "period"], name="reports_one_refresh")
        ]

    def __str__(self) -> str:
        return f"{self.summary} {self.period}: {self.refreshed_at:%Y-%m-%d %H:%M}"
