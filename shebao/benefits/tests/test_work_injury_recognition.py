"""The injury recognition record (SBRG017) with the own wage of rules.md §7.1, and the
work-ability assessment record (SBRG018): made by a clerk, recorded when a second person
approves; refusals write nothing."""

from __future__ import annotations

from datetime import date

import pytest

from shebao.benefits.models import Injury, WorkAbilityAssessment
from shebao.benefits.services.work_injury import InjuryRecord, injury_get, injury_request
from shebao.benefits.services.work_injury_assessment import AssessmentRecord, assessment_request
from shebao.benefits.tests.work_injury_support import (
    CLERK,
    REVIEWER,
    approve,
    assessment_make,
    injury_make,
    worker_make,
)
from shebao.contributions.tests.factories import employer_make
from shebao.core.errors import RuleViolation
from shebao.core.models import Staff
from shebao.core.permissions import OutOfScope
from shebao.core.services import claim_grant
from shebao.services.models import Case, CaseStatus
from shebao.services.services import case_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def maojian(agency):
    return agency("420302")


def record(employer, **fields):
    values = {
        "decision_no": "十人社工认〔2026〕901号",
        "decided_on": date(2026, 6, 1),
        "injured_on": date(2026, 3, 10),
        "employer_id": employer.pk,
        "description": "叉车碰撞",
    }
    return InjuryRecord(**(values | fields))


def test_own_wage_is_the_average_of_the_year_before_and_recorded_on_approval(actor_of, maojian):
    person, employer = worker_make(maojian, base_fen=600_000)
    case = injury_request(actor=actor_of(CLERK), person=person, record=record(employer))
    own = case.data["own_wage"]
    assert (own["first_month"], own["last_month"], len(own["months"])) == (202503, 202602, 12)
    assert (own["average_fen"], own["own_wage_fen"]) == (600_000, 600_000)
    assert [s["rule"] for s in own["trace"]] == ["WI-OWN-WAGE-AVERAGE", "WI-OWN-WAGE-CLAMP"]
    assert not Injury.objects.filter(person=person).exists()

    approve(case)

    injury = Injury.objects.get(person=person)
    assert (injury.decision_no, injury.own_wage_fen, injury.case_id) == (
        "十人社工认〔2026〕901号",
        600_000,
        case.pk,
    )
    assert injury.agency == maojian
    assert injury.employer == employer


def test_own_wage_is_clamped_to_60_and_300_percent_of_the_average_wage(actor_of, maojian):
    # Shiyan's average monthly wage in force in 2026 is 7,226.00: floor 4,335.60, cap 21,678.00
    low, employer = worker_make(maojian, base_fen=300_000)
    case = injury_request(actor=actor_of(CLERK), person=low, record=record(employer))
    assert (case.data["own_wage"]["average_fen"], case.data["own_wage"]["own_wage_fen"]) == (
        300_000,
        433_560,
    )
    high, employer = worker_make(maojian, base_fen=3_000_000)
    case = injury_request(
        actor=actor_of(CLERK), person=high, record=record(employer, decision_no="X-2")
    )
    assert case.data["own_wage"]["own_wage_fen"] == 2_167_800


def test_fewer_months_average_over_the_months_there_are(actor_of, maojian):
    # 202509–202602: six months, three at 5,000.00 and three at 6,000.00 → 5,500.00
    person, employer = worker_make(maojian, base_fen=500_000, first=202509, last=202511)
    from shebao.contributions.models import HistoricalContribution

    for period in (202512, 202601, 202602):
        HistoricalContribution.objects.create(
            person_id=person.pk, scheme="pension", period=period, base_fen=600_000, source="t"
        )
    case = injury_request(actor=actor_of(CLERK), person=person, record=record(employer))
    own = case.data["own_wage"]
    assert len(own["months"]) == 6
    assert {m["scheme"] for m in own["months"]} == {"work_injury", "pension"}
    assert own["own_wage_fen"] == 550_000


def test_an_employer_without_work_injury_cover_is_refused_and_nothing_written(actor_of, maojian):
    person, _employer = worker_make(maojian)
    other = employer_make(maojian)
    with pytest.raises(RuleViolation) as err:
        injury_request(actor=actor_of(CLERK), person=person, record=record(other))
    assert err.value.code == "WI-NOT-INSURED"
    assert not Case.objects.filter(applicant_person=person).exists()


def test_injury_before_the_cover_started_is_refused(actor_of, maojian):
    person, employer = worker_make(maojian)
    with pytest.raises(RuleViolation) as err:
        injury_request(
            actor=actor_of(CLERK),
            person=person,
            record=record(employer, injured_on=date(2023, 12, 20)),
        )
    assert err.value.code == "WI-NOT-INSURED"


def test_no_contribution_months_is_refused(actor_of, maojian):
    person, employer = worker_make(maojian, first=202401, last=202402)
    with pytest.raises(RuleViolation) as err:
        injury_request(actor=actor_of(CLERK), person=person, record=record(employer))
    assert err.value.code == "WI-OWN-WAGE-NO-MONTHS"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"decided_on": date(2026, 3, 1)}, "WI-DATE-ORDER"),
        ({"fatal": True}, "WI-DEATH-DATE"),
        ({"died_on": date(2026, 3, 11)}, "WI-DEATH-DATE"),
        ({"decision_no": "  "}, "WI-DECISION-NO-REQUIRED"),
    ],
)
def test_bad_records_are_refused(actor_of, maojian, fields, code):
    person, employer = worker_make(maojian)
    with pytest.raises(RuleViolation) as err:
        injury_request(actor=actor_of(CLERK), person=person, record=record(employer, **fields))
    assert err.value.code == code
    assert not Case.objects.filter(applicant_person=person).exists()


def test_a_decision_number_is_recorded_once(actor_of, maojian):
    person, employer = worker_make(maojian)
    case = injury_request(actor=actor_of(CLERK), person=person, record=record(employer))
    with pytest.raises(RuleViolation) as err:
        injury_request(actor=actor_of(CLERK), person=person, record=record(employer))
    assert err.value.code == "WI-DECISION-PENDING"
    approve(case)
    with pytest.raises(RuleViolation) as err:
        injury_request(actor=actor_of(CLERK), person=person, record=record(employer))
    assert err.value.code == "WI-DECISION-EXISTS"


def test_the_maker_cannot_approve(actor_of, maojian):
    # the clerk may also review, but not a case she made herself
    claim_grant(
        actor=actor_of("head_maojian"),
        staff=Staff.objects.get(user__username=CLERK),
        role_code="reviewer",
        item_scope="*",
    )
    person, employer = worker_make(maojian)
    clerk = actor_of(CLERK)
    case = injury_request(actor=clerk, person=person, record=record(employer))
    case = case_transition(actor=clerk, case=case, action="send_for_review")
    with pytest.raises(RuleViolation) as err:
        case_transition(actor=clerk, case=case, action="approve")
    assert err.value.code == "CASE-MAKER-CHECKER"
    assert not Injury.objects.filter(person=person).exists()


def test_changed_figures_refuse_the_approval(actor_of, maojian):
    person, employer = worker_make(maojian)
    case = injury_request(actor=actor_of(CLERK), person=person, record=record(employer))
    from shebao.contributions.models import HistoricalContribution

    HistoricalContribution.objects.filter(person_id=person.pk, period=202602).update(
        base_fen=1_200_000
    )
    case = case_transition(actor=actor_of(CLERK), case=case, action="send_for_review")
    with pytest.raises(RuleViolation) as err:
        case_transition(actor=actor_of(REVIEWER), case=case, action="approve")
    assert err.value.code == "WI-FIGURES-CHANGED"
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert not Injury.objects.filter(person=person).exists()


def test_out_of_scope_staff_neither_see_nor_record(actor_of, maojian):
    person, employer = worker_make(maojian)
    injury = injury_make(person, employer)
    with pytest.raises(OutOfScope):
        injury_get(actor_of("clerk_zhangwan"), injury.pk)
    with pytest.raises(OutOfScope):
        injury_request(
            actor=actor_of("clerk_wuhan"), person=person, record=record(employer, decision_no="W")
        )
    assert injury_get(actor_of("fund_shiyan"), injury.pk) == injury


def test_assessment_recorded_on_approval(actor_of, maojian):
    person, employer = worker_make(maojian)
    injury = injury_make(person, employer)
    assessment = assessment_make(injury, 5, "partial")
    assert (assessment.level, assessment.dependence, assessment.injury) == (5, "partial", injury)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"level": 11}, "WI-LEVEL-UNKNOWN"),
        ({"dependence": "some"}, "WI-DEPENDENCE-UNKNOWN"),
        ({"concluded_on": date(2026, 3, 1)}, "WI-CONCLUSION-DATE"),
        ({"conclusion_no": ""}, "WI-CONCLUSION-NO-REQUIRED"),
    ],
)
def test_bad_assessments_are_refused(actor_of, maojian, fields, code):
    person, employer = worker_make(maojian)
    injury = injury_make(person, employer)
    values = {
        "conclusion_no": "十劳鉴〔2026〕77号",
        "concluded_on": date(2026, 9, 15),
        "level": 5,
        "dependence": "none",
    }
    with pytest.raises(RuleViolation) as err:
        assessment_request(
            actor=actor_of(CLERK), injury=injury, record=AssessmentRecord(**(values | fields))
        )
    assert err.value.code == code
    assert not WorkAbilityAssessment.objects.filter(injury=injury).exists()


def test_a_fatal_injury_has_no_assessment(actor_of, maojian):
    person, employer = worker_make(maojian)
    injury = injury_make(person, employer, fatal=True, died_on=date(2026, 3, 12))
    with pytest.raises(RuleViolation) as err:
        assessment_request(
            actor=actor_of(CLERK),
            injury=injury,
            record=AssessmentRecord("N-1", date(2026, 9, 15), 1, "full"),
        )
    assert err.value.code == "WI-INJURY-FATAL"
