"""The payroll demo: September and October paid for Shiyan, two October payments returned,
one corrected and re-issued, November left to run; seeding again changes nothing."""

from __future__ import annotations

from django.db.models import Sum

from shebao.benefits import demo_payroll
from shebao.benefits.models import (
    LineKind,
    LineStatus,
    PayrollFile,
    PayrollLine,
    PayrollReturn,
    Pension,
    PensionStatus,
    SuspensionReason,
)
from shebao.benefits.payroll import KIND
from shebao.core.models import BatchRun, BatchStatus


def test_the_demo_pays_two_months_returns_two_payments_and_reissues_one(demo):
    runs = list(BatchRun.objects.filter(kind=KIND, agency__code="420300").order_by("period"))
    assert [(run.period, run.status) for run in runs] == [
        (202609, BatchStatus.DONE),
        (202610, BatchStatus.DONE),
    ]
    october = runs[1]
    assert october.rows > 0
    lines = PayrollLine.objects.filter(run_id=october.pk, pension__isnull=False)
    assert (
        october.totals["total_fen"]
        == lines.exclude(kind=LineKind.REISSUE).aggregate(s=Sum("amount_fen"))["s"]
    )
    [bank_return] = PayrollReturn.objects.filter(run=october)
    assert bank_return.failed == 2
    failed = lines.filter(status=LineStatus.FAILED).order_by("pension_id")
    assert failed.count() == 2
    reissued, waiting = (Pension.objects.get(pk=line.pension_id or 0) for line in failed)
    assert reissued.status == PensionStatus.ACTIVE
    assert reissued.bank_account == demo_payroll.CORRECTED[1]
    assert (waiting.status, waiting.suspension_reason, waiting.suspended_from) == (
        PensionStatus.SUSPENDED,
        SuspensionReason.BANK,
        202610,
    )
    [reissue] = lines.filter(kind=LineKind.REISSUE)
    assert reissue.reissue_of_id == failed[0].pk
    assert PayrollFile.objects.filter(run=october, kind=LineKind.REISSUE).count() == 1

    counts = (PayrollLine.objects.count(), PayrollFile.objects.count(), BatchRun.objects.count())
    demo_payroll.seed_demo()
    assert (
        PayrollLine.objects.count(),
        PayrollFile.objects.count(),
        BatchRun.objects.count(),
    ) == counts
