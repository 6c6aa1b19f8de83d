"""The retirement case (SBBN001/SBBN004): opened with the preview's figures, approved by a
second person, who opens the pension with its award, first rate and notice, retires the
relations of the employment, and refuses when the figures changed since the preview."""

from __future__ import annotations

from datetime import date

import pytest

from shebao.benefits.demo_retirement import seed_demo_wages
from shebao.benefits.models import (
    NoticeKind,
    Pension,
    PensionAward,
    PensionNotice,
    PensionRate,
)
from shebao.benefits.services.retirement import (
    ITEM_FLEXIBLE_EARLY,
    RetirementRequest,
    retirement_request,
)
from shebao.benefits.tests.retirement_factories import balance_make, history_make, retiree_make
from shebao.contributions.tests.factories import employer_make, relations_make
from shebao.core.errors import RuleViolation
from shebao.registry.models import InsuredRelation, RelationStatus, Sex
from shebao.services.models import Case, CaseStatus
from shebao.services.services import case_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def maojian(agency):
    return agency("420302")


@pytest.fixture
def applicant(maojian):
    """A man born 1965-01 (retires 2025-02 at 60y1m), employed since 2024 with all three
    schemes, 2024–2025 contributions on file at the Shiyan reference wages (index 1.0) and
    15 years of earlier months loaded from the city system."""
    person = retiree_make(maojian, birth=date(1965, 1, 20))
    employer = employer_make(maojian)
    relations_make(person, employer, agency=maojian, start=202401)
    other = employer_make(maojian)
    relations_make(person, other, agency=maojian, start=202001, end=202312)
    history_make(person, 202401, 202412, 694_800)
    history_make(person, 202501, 202502, 722_600)
    balance_make(person, 12_000_000, 2024, 12)
    return person


def request(actor_of, person, **fields):
    return retirement_request(
        actor=actor_of("clerk_maojian"),
        person=person,
        request=RetirementRequest(group="male", deemed_months=170, **fields),
    )


def test_approval_opens_the_pension_and_retires_the_relations(actor_of, applicant):
    case = request(actor_of, applicant)
    figures = case.data["figures"]
    # 14 contributed + 170 deemed = 184 ≥ 180; index 1.0000; 2025's base 7,340 for 2025-03
    assert (figures["contribution_months"], figures["average_index"]) == (184, "1.0000")
    assert (figures["benefit_base_fen"], figures["provisional"]) == (734_000, False)
    # basic 7,340 × 184 / 12 × 1% = 1,125.47; account (120,000 + 2025 interest to February:
    # 120,000 × 1 / 12 × 1.5% = 150.00) ÷ 139 = 864.39; transitional
    # 7,340 × 170 / 12 × 1.2% = 1,247.80
    assert (figures["basic_fen"], figures["account_fen"], figures["transitional_fen"]) == (
        112_547,
        86_439,
        124_780,
    )
    assert figures["total_fen"] == 112_547 + 86_439 + 124_780
    assert not Pension.objects.filter(person=applicant).exists()

    case = case_transition(actor=actor_of("clerk_maojian"), case=case, action="send_for_review")
    with pytest.raises(RuleViolation) as refused:  # the clerk holds no approve permission
        case_transition(actor=actor_of("clerk_maojian"), case=case, action="approve")
    assert refused.value.code == "CORE-PERMISSION"
    assert not Pension.objects.filter(person=applicant).exists()
    case = case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")
    assert case.status == CaseStatus.APPROVED

    pension = Pension.objects.get(person=applicant)
    assert (pension.retirement_month, pension.start_period, pension.recheck_from) == (
        202502,
        202503,
        202503,
    )
    assert (pension.monthly_fen, pension.award_case_id, pension.group) == (
        figures["total_fen"],
        case.pk,
        "male",
    )
    assert pension.agency == applicant.managing_agency
    award = PensionAward.objects.get(pension=pension)
    assert (award.kind, award.case_id, award.total_fen) == ("award", case.pk, figures["total_fen"])
    assert award.calculation["history"]["total_months"] == 184
    assert {step["rule"] for step in award.calculation["trace"]} >= {"RET-AGE", "PEN-TOTAL"}
    rate = PensionRate.objects.get(pension=pension)
    assert (rate.effective_period, rate.monthly_fen) == (202503, figures["total_fen"])
    notice = PensionNotice.objects.get(pension=pension)
    assert (notice.kind, notice.period) == (NoticeKind.AWARD, 202503)
    current = InsuredRelation.objects.filter(person=applicant, start_period=202401)
    assert {(r.scheme, r.status, r.end_period, r.end_reason) for r in current} == {
        (scheme, RelationStatus.RETIRED, 202502, "retirement")
        for scheme in ("pension", "unemployment", "work_injury")
    }
    earlier = InsuredRelation.objects.filter(person=applicant, start_period=202001)
    assert {r.status for r in earlier} == {RelationStatus.ENDED}


def test_changed_figures_refuse_the_approval_and_leave_nothing(actor_of, applicant):
    case = request(actor_of, applicant)
    case = case_transition(actor=actor_of("clerk_maojian"), case=case, action="send_for_review")
    balance_make(applicant, 100_000, 2025, 1)  # a late credit changes the account pension
    with pytest.raises(RuleViolation) as refused:
        case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")
    assert refused.value.code == "RET-FIGURES-CHANGED"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_REVIEW
    assert not Pension.objects.filter(person=applicant).exists()
    assert not InsuredRelation.objects.filter(
        person=applicant, status=RelationStatus.RETIRED
    ).exists()


def test_one_open_application_and_none_after_the_pension(actor_of, applicant):
    case = request(actor_of, applicant)
    with pytest.raises(RuleViolation) as refused:
        request(actor_of, applicant)
    assert refused.value.code == "RET-APP-OPEN"
    case = case_transition(actor=actor_of("clerk_maojian"), case=case, action="send_for_review")
    case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")
    with pytest.raises(RuleViolation) as refused:
        request(actor_of, applicant)
    assert refused.value.code == "RET-APP-PENSION-EXISTS"


def test_a_refused_request_writes_no_case(actor_of, applicant):
    before = Case.objects.count()
    with pytest.raises(RuleViolation) as refused:
        request(actor_of, applicant, item_code=ITEM_FLEXIBLE_EARLY, retirement_month=202412)
    assert refused.value.code == "RET-APP-EARLY-WINDOW"  # the window opens at 60y: 2025-01
    assert Case.objects.count() == before


def test_out_of_scope_clerk_is_refused(actor_of, applicant):
    with pytest.raises(RuleViolation) as refused:
        retirement_request(
            actor=actor_of("clerk_wuhan"),
            person=applicant,
            request=RetirementRequest(group="male", deemed_months=170),
        )
    assert refused.value.code == "CORE-SCOPE"


def test_a_woman_50_flexible_early_application(actor_of, maojian):
    seed_demo_wages()  # the invented Shiyan wages of 1993–2018
    """Woman worker born 1975-09: original 2025-09, n = 9, delay 5 → statutory 2026-02 at
    50y5m; earliest = max(50y, 50y5m − 36m) = 50y → 2025-09."""
    person = retiree_make(maojian, birth=date(1975, 9, 2), sex=Sex.FEMALE)
    history_make(person, 199601, 201812, 30_000)  # the demo's invented Shiyan wages
    history_make(person, 202401, 202508, 300_000)
    case = retirement_request(
        actor=actor_of("clerk_maojian"),
        person=person,
        request=RetirementRequest(
            group="female-50", item_code=ITEM_FLEXIBLE_EARLY, retirement_month=202509
        ),
    )
    eligibility = case.data["calculation"]["eligibility"]
    assert (eligibility["statutory_month"], eligibility["earliest_month"]) == (202602, 202509)
    assert (eligibility["retirement_age"], eligibility["timing"]) == ("50y0m", "early")
    assert case.item.code == ITEM_FLEXIBLE_EARLY
    assert case.data["figures"]["account_fen"] == 0
