"""Refund of an overpayment: only what was overpaid, approved by a second person."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from shebao.contributions.models import Bill, Payment, Refund, RefundStatus
from shebao.contributions.services.assessments import (
    assessment_run_create,
    assessment_run_execute,
)
from shebao.contributions.services.refunds import overpaid_fen, refund_request
from shebao.contributions.tests.conftest import base_set
from shebao.contributions.tests.factories import employer_make, person_make, relations_make
from shebao.core.errors import RuleViolation
from shebao.services.models import Case
from shebao.services.services import case_transition

pytestmark = pytest.mark.django_db
PERIOD = 202510


@pytest.fixture
def overpaid_bill(system, maojian):
    employer = employer_make(maojian)
    person = person_make(maojian)
    relations_make(person, employer, agency=maojian, schemes=["pension"])
    base_set(person, 2025, 500000, schemes=("pension",))
    assessment_run_execute(
        assessment_run_create(actor=system, period=PERIOD, agency=maojian), actor=system
    )
    bill = Bill.objects.get(employer=employer)  # 800.00 + 400.00
    Payment.objects.create(
        reference="T1",
        bill=bill,
        bill_number=bill.number,
        amount_fen=130000,
        paid_on=date(2025, 10, 20),
    )
    return employer, bill


def test_only_the_overpaid_amount_can_be_refunded(actor_of, system, overpaid_bill):
    employer, _bill = overpaid_bill
    assert overpaid_fen(system, employer=employer, person=None, period=PERIOD) == 10000

    with pytest.raises(RuleViolation) as refused:
        refund_request(
            actor=actor_of("clerk_maojian"),
            employer=employer,
            period=PERIOD,
            amount_fen=10001,
            reason="多缴",
        )
    assert refused.value.code == "REFUND-EXCEEDS"
    assert not Refund.objects.exists()


def test_a_refund_is_approved_by_a_second_person(actor_of, system, overpaid_bill):
    employer, _bill = overpaid_bill
    clerk, reviewer = actor_of("clerk_maojian"), actor_of("reviewer_maojian")
    refund = refund_request(
        actor=clerk, employer=employer, period=PERIOD, amount_fen=10000, reason="多缴一个月"
    )
    assert refund.status == RefundStatus.REQUESTED
    assert refund.case_id is not None
    case = case_transition(
        actor=clerk, case=Case.objects.get(pk=refund.case_id), action="send_for_review"
    )

    with pytest.raises(RuleViolation) as refused:
        case_transition(actor=clerk, case=case, action="approve")
    assert refused.value.code in {"CASE-MAKER-CHECKER", "CORE-PERMISSION"}

    case_transition(actor=reviewer, case=case, action="approve")
    refund.refresh_from_db()
    assert refund.status == RefundStatus.APPROVED
    assert refund.decided_by == reviewer.user
    assert overpaid_fen(system, employer=employer, person=None, period=PERIOD) == 0


def test_the_database_refuses_a_refund_decided_by_its_requester(actor_of, overpaid_bill):
    employer, _bill = overpaid_bill
    clerk = actor_of("clerk_maojian")
    refund = refund_request(
        actor=clerk, employer=employer, period=PERIOD, amount_fen=5000, reason="多缴"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Refund.objects.filter(pk=refund.pk).update(decided_by=clerk.user)
