"""Back-payment (补缴): the periods' own rates and bases, less what was assessed, plus late fee."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from shebao.contributions.models import AssessmentLine, Bill, BillKind
from shebao.contributions.services.assessments import (
    assessment_run_create,
    assessment_run_execute,
)
from shebao.contributions.services.backpay import back_payment_request
from shebao.contributions.tests.conftest import base_set
from shebao.contributions.tests.factories import employer_make, person_make, relations_make
from shebao.core.errors import RuleViolation
from shebao.registry.services.employers import deregistration_blockers
from shebao.services.services import case_transition

pytestmark = pytest.mark.django_db
APPROVAL_DAY = date(2025, 7, 31)


def approve(case, actor_of):
    case = case_transition(actor=actor_of("clerk_maojian"), case=case, action="send_for_review")
    return case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")


@pytest.fixture
def employee(maojian):
    employer = employer_make(maojian, risk_class=2, tier=100)  # work injury 0.4%
    person = person_make(maojian)
    relations_make(person, employer, agency=maojian, start=202501)
    base_set(person, 2025, 500000)
    return employer, person


@time_machine.travel(APPROVAL_DAY, tick=False)
def test_back_payment_adds_the_late_fee_per_day_from_each_due_date(actor_of, employee):
    employer, person = employee

    case = back_payment_request(
        actor=actor_of("clerk_maojian"),
        employer=employer,
        resident_id=person.resident_id,
        start=202501,
        end=202503,
    )
    # 1,270.00 a month; late fees for 181, 153 and 122 days at 0.05% per day, line by line:
    # 108.60 + 4.53 + 1.81 + 91.80 + 3.83 + 1.53 + 73.20 + 3.05 + 1.22 = 289.57.
    assert case.data["preview"] == {
        "lines": 9,
        "employer_fen": 3 * (80000 + 3500 + 2000),
        "individual_fen": 3 * (40000 + 1500),
        "late_fee_fen": 28957,
        "total_fen": 381000 + 28957,
    }

    approve(case, actor_of)

    bill = Bill.objects.get(employer=employer, kind=BillKind.BACK_PAYMENT)
    assert (bill.total_fen, bill.late_fee_fen, bill.lines) == (409957, 28957, 9)
    assert bill.due_date == APPROVAL_DAY
    fees = dict(
        AssessmentLine.objects.filter(run=bill.run, scheme="unemployment").values_list(
            "period", "late_fee_fen"
        )
    )
    assert fees == {202501: 453, 202502: 383, 202503: 305}


@time_machine.travel(APPROVAL_DAY, tick=False)
def test_months_already_assessed_are_not_billed_again(actor_of, system, employee, maojian):
    employer, person = employee
    run = assessment_run_create(actor=system, period=202502, agency=maojian)
    assessment_run_execute(run, actor=system)

    case = back_payment_request(
        actor=actor_of("clerk_maojian"),
        employer=employer,
        resident_id=person.resident_id,
        start=202501,
        end=202503,
    )

    assert case.data["preview"]["lines"] == 6
    approve(case, actor_of)
    bill = Bill.objects.get(employer=employer, kind=BillKind.BACK_PAYMENT)
    periods = set(AssessmentLine.objects.filter(run=bill.run).values_list("period", flat=True))
    assert periods == {202501, 202503}


@time_machine.travel(APPROVAL_DAY, tick=False)
def test_a_month_without_a_relation_is_refused(actor_of, employee):
    employer, person = employee
    with pytest.raises(RuleViolation) as refused:
        back_payment_request(
            actor=actor_of("clerk_maojian"),
            employer=employer,
            resident_id=person.resident_id,
            start=202412,
            end=202501,
        )
    assert refused.value.code == "BACKPAY-NOT-INSURED"
    assert refused.value.params["period"] == 202412


@time_machine.travel(APPROVAL_DAY, tick=False)
def test_the_current_month_cannot_be_back_paid(actor_of, employee):
    employer, person = employee
    with pytest.raises(RuleViolation) as refused:
        back_payment_request(
            actor=actor_of("clerk_maojian"),
            employer=employer,
            resident_id=person.resident_id,
            start=202506,
            end=202507,
        )
    assert refused.value.code == "BACKPAY-PERIODS"


def test_an_employer_with_unpaid_bills_cannot_deregister(system, employee, maojian):
    employer, person = employee
    run = assessment_run_create(actor=system, period=202510, agency=maojian)
    assessment_run_execute(run, actor=system)
    person.relations.update(status="ended", end_period=202510)

    with pytest.raises(RuleViolation) as refused:
        deregistration_blockers(employer)

    assert refused.value.code == "REG-DEREGISTER-ARREARS"
    assert refused.value.params["bills"] == 1
