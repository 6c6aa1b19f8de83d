"""The migration demo: the delivery migrates both cities with findings for the worklist, the
report balances, and running the demo again adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import staff_actor
from shebao.contributions.models import HistoricalContribution
from shebao.core.models import Agency
from shebao.migration.demo import CITY, NEIGHBOUR, PERSONS, seed_delivery
from shebao.migration.models import LegacyFile, MigrationIssue, Resolution
from shebao.migration.reconcile import reconcile
from shebao.migration.selectors import can_decide
from shebao.migration.worklist import issue_resolve, issues_visible
from shebao.services.models import Case, CaseStatus
from shebao.services.services import case_transition

pytestmark = pytest.mark.django_db


def test_the_demo_delivery_migrates_once_with_findings_for_the_clerks(
    tmp_path: Path, demo: None
) -> None:
    seed_delivery(tmp_path, persons=PERSONS)

    assert LegacyFile.objects.filter(city__code=CITY).count() == 6
    assert LegacyFile.objects.filter(city__code=NEIGHBOUR).count() == 3
    assert reconcile(Agency.objects.get(code=CITY)).balanced
    assert MigrationIssue.objects.filter(entity="persons").exists()
    # The demo's city clerk has items to decide; a district clerk only their district's.
    clerk = staff_actor("clerk_shiyan")
    assert can_decide(clerk)
    assert issues_visible(clerk).filter(city__code=CITY).exists()
    district = issues_visible(staff_actor("clerk_maojian"))
    assert not district.filter(person__managing_agency__code=CITY).exists()
    assert HistoricalContribution.objects.exists()

    # What the README promises: the city clerk sends an account correction for review, the
    # city head approves it.
    mismatch = issues_visible(clerk).filter(rule="MIG-ACCOUNT-MISMATCH").first()
    assert mismatch is not None
    decided = issue_resolve(
        actor=clerk, issue=mismatch, resolution=Resolution.ADOPT_REBUILT, reason="按缴费记录重建"
    )
    assert decided.case_id is not None
    case = Case.objects.get(pk=decided.case_id)
    case = case_transition(actor=clerk, case=case, action="send_for_review")
    case = case_transition(actor=staff_actor("head_shiyan"), case=case, action="approve")
    assert case.status == CaseStatus.APPROVED
    history = HistoricalContribution.objects.count()
    issues = MigrationIssue.objects.count()

    seed_delivery(tmp_path, persons=PERSONS)

    assert LegacyFile.objects.count() == 9
    assert HistoricalContribution.objects.count() == history
    assert MigrationIssue.objects.count() == issues
