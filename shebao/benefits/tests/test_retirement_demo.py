"""The retirement demo: three applications waiting for reviewer_maojian with their computed
award, the migrated retirees the payroll pays, and a second seed that adds nothing."""

from __future__ import annotations

import pytest

from shebao.benefits.demo_retirement import (
    DEMO_RETIREES,
    RETIREES_TESTS,
    SETTLED_THROUGH,
    migrated_plan,
    seed_applications,
    seed_demo,
    seed_demo_wages,
)
from shebao.benefits.models import AwardKind, Pension, PensionAward, PensionRate
from shebao.benefits.services.retirement import RETIREMENT_ITEMS
from shebao.contributions.models import HistoricalContribution
from shebao.core.models import AuditEntry
from shebao.services.models import Case, CaseStatus
from shebao.services.services import case_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def applications(demo):
    """The demo's wages and applications (left out of the tests' session seed)."""
    seed_demo_wages()
    seed_applications()


def demo_cases():
    return Case.objects.filter(
        item__code__in=RETIREMENT_ITEMS, applicant_person__name__in=[r.name for r in DEMO_RETIREES]
    ).order_by("pk")


def test_three_applications_wait_for_review_with_their_award(applications):
    cases = list(demo_cases())
    assert [case.applicant_person.name for case in cases] == ["周德明", "吴秀兰", "郑国平"]
    assert {case.status for case in cases} == {CaseStatus.IN_REVIEW}
    months = [case.data["calculation"]["eligibility"]["retirement_month"] for case in cases]
    assert months == [202508, 202502, 202608]
    assert [case.item.code for case in cases] == ["SBBN001", "SBBN001", "SBBN004"]
    for case in cases:
        assert case.data["figures"]["total_fen"] > 0
        assert HistoricalContribution.objects.filter(
            person_id=case.applicant_person_id, source="demo:legacy", period__lt=200001
        ).exists()
    assert cases[1].data["bank_account"]  # given with the application


def test_the_reviewer_can_approve_a_demo_application(applications, actor_of):
    case = demo_cases().first()
    case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")
    pension = Pension.objects.get(award_case_id=case.pk)
    assert (pension.start_period, pension.recheck_from) == (202509, 202509)
    assert pension.monthly_fen == case.data["figures"]["total_fen"]


def test_migrated_retirees_for_the_tests(demo):
    plan = migrated_plan(RETIREES_TESTS)
    pensions = Pension.objects.filter(person__resident_id__in=[r.resident_id for r in plan])
    assert pensions.count() == RETIREES_TESTS
    assert {p.settled_through for p in pensions} == {SETTLED_THROUGH}
    assert all(p.bank_account and p.certified_on for p in pensions)
    assert all(p.start_period <= SETTLED_THROUGH for p in pensions)
    awards = PensionAward.objects.filter(pension__in=pensions)
    assert {a.kind for a in awards} == {AwardKind.MIGRATED}
    assert all(a.total_fen == a.basic_fen + a.account_fen + a.transitional_fen for a in awards)
    rates = PensionRate.objects.filter(pension__in=pensions)
    assert sorted(r.monthly_fen for r in rates) == sorted(p.monthly_fen for p in pensions)


def test_the_plan_is_deterministic_and_the_bulk_one_extends_the_tests_one():
    assert migrated_plan(RETIREES_TESTS) == migrated_plan(40)[:RETIREES_TESTS]


def test_a_second_seed_adds_nothing(applications):
    counts = (
        Pension.objects.count(),
        Case.objects.count(),
        HistoricalContribution.objects.count(),
        AuditEntry.objects.count(),
    )
    seed_demo(bulk=False)
    seed_demo_wages()
    seed_applications()
    assert (
        Pension.objects.count(),
        Case.objects.count(),
        HistoricalContribution.objects.count(),
        AuditEntry.objects.count(),
    ) == counts
