"""The runs and imports that change a month's figures rebuild its summaries once they commit:
an assessment run its insured, contribution and bill summaries, a payment file the paid
figures, so the dashboard follows the records without a nightly job."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from shebao.contributions.models import AssessmentLine
from shebao.contributions.services.payments import payment_file_import
from shebao.contributions.tests.test_payments import (
    EMPLOYEE_MONTH_FEN,
    assess,
    bill_of,
    employer_with_staff,
    payment_file,
)
from shebao.core.models import Agency
from shebao.reports.models import BillSummary, ContributionSummary, InsuredSummary

PERIOD = 202510


def zone_contributions(zone: Agency) -> QuerySet[ContributionSummary]:
    return ContributionSummary.objects.filter(period=PERIOD, agency=zone)


def test_an_assessment_run_and_a_payment_file_refresh_the_month_s_summaries(
    agency, system, actor_of, django_capture_on_commit_callbacks
) -> None:
    zone = agency("420300-01")
    employer = employer_with_staff(zone, 2)
    ContributionSummary.objects.filter(period=PERIOD).delete()
    with django_capture_on_commit_callbacks(execute=True):
        run = assess(system, zone, PERIOD)
    lines = AssessmentLine.objects.filter(run=run)
    assert sum(row.employer_fen + row.individual_fen for row in zone_contributions(zone)) == sum(
        line.employer_fen + line.individual_fen for line in lines
    )
    assert sum(row.paid_fen for row in zone_contributions(zone)) == 0
    assert InsuredSummary.objects.filter(period=PERIOD, agency=zone).exists()
    bill = bill_of(run, employer)
    assert bill.total_fen == 2 * EMPLOYEE_MONTH_FEN
    assert BillSummary.objects.get(period=PERIOD, agency=zone).outstanding_fen == bill.total_fen

    content = payment_file([("R-HOOK-1", bill, bill.total_fen, date(2025, 10, 20))])
    with django_capture_on_commit_callbacks(execute=True):
        payment_file_import(actor=actor_of("fund_shiyan"), content=content, file_name="p.csv")
    assert sum(row.paid_fen for row in zone_contributions(zone)) == bill.total_fen
    settled = BillSummary.objects.get(period=PERIOD, agency=zone)
    assert (settled.paid_fen, settled.outstanding_fen, settled.unpaid_bills) == (
        bill.total_fen,
        0,
        0,
    )


def test_nothing_is_refreshed_before_the_change_commits(agency, system) -> None:
    zone = agency("420300-01")
    employer_with_staff(zone, 1)
    ContributionSummary.objects.filter(period=PERIOD).delete()
    assess(system, zone, PERIOD)  # the test's transaction never commits
    assert not zone_contributions(zone).exists()
