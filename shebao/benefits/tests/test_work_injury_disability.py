"""Disability benefits (SBBN032) and medical reimbursement (SBBN027) with the exact amounts of
rules.md §7.2–§7.3. The injured worker's own wage is 6,000.00; Shiyan's average monthly wage
in force in 2026 is 7,226.00 and 茅箭区's minimum wage 2,130.00."""

from __future__ import annotations

from datetime import date

import pytest

from shebao.benefits.models import Benefit, BenefitPayer, MedicalClaim
from shebao.benefits.services.work_injury_benefits import disability_assess, disability_request
from shebao.benefits.services.work_injury_medical import (
    FOOD_KEY,
    MedicalItem,
    medical_assess,
    medical_request,
)
from shebao.benefits.tests.retirement_factories import WithValues, value
from shebao.benefits.tests.work_injury_support import (
    CLERK,
    REVIEWER,
    approve,
    assessment_make,
    injury_make,
    worker_make,
)
from shebao.core.errors import RuleViolation
from shebao.core.permissions import OutOfScope
from shebao.services.models import Case, CaseStatus
from shebao.services.services import case_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def maojian(agency):
    return agency("420302")


@pytest.fixture
def injury(maojian):
    person, employer = worker_make(maojian, base_fen=600_000)
    return injury_make(person, employer)


# level: (one-time subsidy, monthly allowance, payer)
EXPECTED = {
    1: (16_200_000, 540_000, "fund"),  # 27 months; 90 %
    4: (12_600_000, 450_000, "fund"),  # 21 months; 75 %
    5: (10_800_000, 420_000, "employer"),  # 18 months; 70 %
    6: (9_600_000, 360_000, "employer"),  # 16 months; 60 %
    7: (7_800_000, 0, "none"),  # 13 months
    10: (4_200_000, 0, "none"),  # 7 months
}


@pytest.mark.parametrize("level", sorted(EXPECTED))
def test_lump_sum_and_allowance_by_level(injury, level):
    assessment = assessment_make(injury, level)
    figures = disability_assess(injury=injury, assessment=assessment).figures
    lump, allowance, payer = EXPECTED[level]
    assert (figures["lump_sum_fen"], figures["allowance_fen"], figures["allowance_payer"]) == (
        lump,
        allowance,
        payer,
    )
    assert figures["topped_up"] is False
    assert figures["nursing_fen"] is None
    assert figures["start_period"] == 202610  # the month after the 2026-09-15 conclusion


@pytest.mark.parametrize(
    ("level", "allowance", "topped_up", "payer"),
    [
        (1, 390_204, False, "fund"),  # 4,335.60 × 90 % = 3,902.04
        (4, 350_000, True, "fund"),  # × 75 % = 3,251.70 → 3,500.00
        (5, 350_000, True, "employer"),  # × 70 % = 3,034.92 → 3,500.00
        (6, 350_000, True, "employer"),  # × 60 % = 2,601.36 → 3,500.00
    ],
)
def test_allowance_below_the_minimum_wage_is_topped_up(maojian, level, allowance, topped_up, payer):
    # An own wage clamped up to the floor (60 % of 7,226.00 = 4,335.60) and a minimum wage of
    # 3,500.00 put in for the test: Shiyan's own 2,130.00 is below every allowance an own wage
    # at the floor can give (level 6: 2,601.36), so it never tops one up.
    person, employer = worker_make(maojian, base_fen=300_000)
    injury = injury_make(person, employer)
    assert injury.own_wage_fen == 433_560
    assessment = assessment_make(injury, level)
    source = WithValues(value("wage.minimum_monthly", "420302", date(2026, 9, 1), "3500.00"))
    figures = disability_assess(injury=injury, assessment=assessment, source=source).figures
    assert (figures["allowance_fen"], figures["topped_up"], figures["allowance_payer"]) == (
        allowance,
        topped_up,
        payer,
    )
    steps = disability_assess(injury=injury, assessment=assessment, source=source).calculation
    assert "WI-ALLOWANCE-TOP-UP" in [step["rule"] for step in steps["trace"]]


def test_shiyan_minimum_wage_tops_up_nothing_at_the_floor(maojian):
    person, employer = worker_make(maojian, base_fen=300_000)
    injury = injury_make(person, employer)
    figures = disability_assess(injury=injury, assessment=assessment_make(injury, 6)).figures
    assert (figures["allowance_fen"], figures["topped_up"]) == (260_136, False)


@pytest.mark.parametrize(
    ("dependence", "nursing"),
    [("full", 361_300), ("major", 289_040), ("partial", 216_780)],  # 50/40/30 % of 7,226.00
)
def test_nursing_allowance_by_dependence(injury, dependence, nursing):
    assessment = assessment_make(injury, 2, dependence)
    assert disability_assess(injury=injury, assessment=assessment).figures["nursing_fen"] == nursing


def test_approval_opens_the_benefits_with_their_trace(actor_of, injury):
    assessment = assessment_make(injury, 5, "partial")
    case = disability_request(actor=actor_of(CLERK), injury=injury, assessment=assessment)
    assert not Benefit.objects.filter(person=injury.person).exists()
    approve(case)
    benefits = {b.kind: b for b in Benefit.objects.filter(person=injury.person)}
    assert set(benefits) == {"disability_lump_sum", "disability_allowance", "nursing_allowance"}
    lump = benefits["disability_lump_sum"]
    assert (lump.monthly_fen, lump.start_period, lump.end_period, lump.payer) == (
        10_800_000,
        202610,
        202610,
        BenefitPayer.FUND,
    )
    allowance = benefits["disability_allowance"]
    assert (allowance.monthly_fen, allowance.payer, allowance.end_period) == (
        420_000,
        BenefitPayer.EMPLOYER,
        None,
    )
    nursing = benefits["nursing_allowance"]
    assert (nursing.monthly_fen, nursing.payer) == (216_780, BenefitPayer.FUND)
    assert {b.case_id for b in benefits.values()} == {case.pk}
    assert {b.source for b in benefits.values()} == {f"injury:{injury.pk}"}
    assert lump.payee_resident_id == injury.person.resident_id
    assert "WI-DISABILITY-SUBSIDY" in [s["rule"] for s in lump.calculation["trace"]]


def test_suitable_work_at_level_5_opens_no_allowance(actor_of, injury):
    assessment = assessment_make(injury, 5)
    case = disability_request(
        actor=actor_of(CLERK), injury=injury, assessment=assessment, suitable_work=True
    )
    assert case.data["figures"]["allowance_payer"] == "none"
    approve(case)
    assert list(Benefit.objects.filter(person=injury.person).values_list("kind", flat=True)) == [
        "disability_lump_sum"
    ]


def test_level_3_allowance_is_paid_by_the_fund(actor_of, injury):
    assessment = assessment_make(injury, 3)
    approve(disability_request(actor=actor_of(CLERK), injury=injury, assessment=assessment))
    allowance = Benefit.objects.get(person=injury.person, kind="disability_allowance")
    assert (allowance.monthly_fen, allowance.payer) == (480_000, BenefitPayer.FUND)


def test_a_second_disability_case_is_refused(actor_of, injury):
    assessment = assessment_make(injury, 7)
    case = disability_request(actor=actor_of(CLERK), injury=injury, assessment=assessment)
    with pytest.raises(RuleViolation) as err:
        disability_request(actor=actor_of(CLERK), injury=injury, assessment=assessment)
    assert err.value.code == "WI-DISABILITY-PENDING"
    approve(case)
    with pytest.raises(RuleViolation) as err:
        disability_request(actor=actor_of(CLERK), injury=injury, assessment=assessment)
    assert err.value.code == "WI-DISABILITY-EXISTS"
    assert Benefit.objects.filter(person=injury.person).count() == 1


def test_changed_figures_refuse_the_approval_and_open_nothing(actor_of, injury):
    assessment = assessment_make(injury, 4, "full")
    case = disability_request(actor=actor_of(CLERK), injury=injury, assessment=assessment)
    type(injury).objects.filter(pk=injury.pk).update(own_wage_fen=700_000)
    case = case_transition(actor=actor_of(CLERK), case=case, action="send_for_review")
    with pytest.raises(RuleViolation) as err:
        case_transition(actor=actor_of(REVIEWER), case=case, action="approve")
    assert err.value.code == "WI-FIGURES-CHANGED"
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert not Benefit.objects.filter(person=injury.person).exists()


def test_without_a_bank_account_the_request_is_refused(actor_of, injury):
    injury.person.bank_account = ""
    injury.person.save()
    with pytest.raises(RuleViolation) as err:
        disability_request(
            actor=actor_of(CLERK), injury=injury, assessment=assessment_make(injury, 9)
        )
    assert err.value.code == "WI-BANK-REQUIRED"
    assert not Case.objects.filter(item__code="SBBN032", applicant_person=injury.person).exists()


def test_another_district_cannot_claim(actor_of, injury):
    assessment = assessment_make(injury, 9)
    with pytest.raises(OutOfScope):
        disability_request(actor=actor_of("clerk_wuhan"), injury=injury, assessment=assessment)


# --- medical costs -------------------------------------------------------------------------------


def test_catalogue_items_in_full_others_not(actor_of, injury):
    items = [
        MedicalItem("in_catalogue", "手术费", 1_250_000),
        MedicalItem("in_catalogue", "药品", 330_050),
        MedicalItem("outside_catalogue", "自费进口耗材", 480_000),
    ]
    case = medical_request(
        actor=actor_of(CLERK), injury=injury, items=items, today=date(2026, 11, 2)
    )
    figures = case.data["figures"]
    assert (figures["claimed_fen"], figures["allowed_fen"]) == (2_060_050, 1_580_050)
    assert [row["allowed_fen"] for row in figures["items"]] == [1_250_000, 330_050, 0]
    assert not MedicalClaim.objects.filter(injury=injury).exists()
    approve(case)
    claim = MedicalClaim.objects.get(injury=injury)
    assert (claim.claimed_fen, claim.allowed_fen, claim.case_id) == (2_060_050, 1_580_050, case.pk)
    benefit = claim.benefit
    assert benefit is not None
    assert (benefit.kind, benefit.monthly_fen, benefit.start_period, benefit.end_period) == (
        "medical_reimbursement",
        1_580_050,
        202611,
        202611,
    )


def test_hospital_food_is_refused_while_the_daily_figure_is_not_entered(actor_of, injury):
    items = [
        MedicalItem("in_catalogue", "手术费", 100_000),
        MedicalItem("hospital_food", "伙食", 60_000, 12),
    ]
    with pytest.raises(RuleViolation) as err:
        medical_request(actor=actor_of(CLERK), injury=injury, items=items)
    assert err.value.code == "WI-MEDICAL-FOOD-UNPUBLISHED"
    assert not Case.objects.filter(item__code="SBBN027", applicant_person=injury.person).exists()


def test_hospital_food_is_limited_per_day_once_a_figure_exists(injury):
    source = WithValues(value(FOOD_KEY, "420302", date(2011, 1, 1), "30.00"))
    items = [
        MedicalItem("hospital_food", "伙食", 60_000, 12),
        MedicalItem("hospital_food", "b", 10_000, 1),
    ]
    figures = medical_assess(injury=injury, items=items, on=date(2026, 11, 2), source=source)
    # 12 days × 30.00 = 360.00 of the 600.00 claimed; 100.00 for one day → 30.00
    assert [row["allowed_fen"] for row in figures["figures"]["items"]] == [36_000, 3_000]


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ([], "WI-MEDICAL-NO-ITEMS"),
        ([MedicalItem("in_catalogue", "x", 0)], "WI-MEDICAL-ITEM"),
        ([MedicalItem("dental", "x", 100)], "WI-MEDICAL-ITEM"),
        ([MedicalItem("hospital_food", "x", 100, 0)], "WI-MEDICAL-ITEM"),
        ([MedicalItem("outside_catalogue", "x", 100)], "WI-MEDICAL-NOTHING"),
    ],
)
def test_bad_medical_claims_are_refused(actor_of, injury, items, code):
    with pytest.raises(RuleViolation) as err:
        medical_request(actor=actor_of(CLERK), injury=injury, items=items)
    assert err.value.code == code
