"""Death of a retiree: the pension stops after the month of death, what was paid for later
months is an overpayment, the months owed and not paid go to the estate, one death-benefit
case opens, and nothing can certify the pension afterwards."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from shebao.benefits.models import (
    Death,
    NoticeKind,
    Overpayment,
    OverpaymentStatus,
    PensionNotice,
    PensionStatus,
)
from shebao.benefits.services.certification import (
    certification_record,
    certification_sweep_create,
    certification_sweep_execute,
)
from shebao.benefits.services.death import (
    death_request,
    overpayment_recover,
)
from shebao.benefits.tests.lifecycle_support import paid, retiree
from shebao.core.errors import RuleViolation
from shebao.core.periods import period_range
from shebao.registry.models import InsuredRelation, RelationStatus
from shebao.services.models import Case
from shebao.services.services import case_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _november_2026():
    with time_machine.travel(date(2026, 11, 20)):
        yield


MONTHLY = 345678


def approved_death(actor_of, pension, died_on: date) -> Case:
    case = death_request(actor=actor_of("clerk_maojian"), pension=pension, died_on=died_on)
    case = case_transition(actor=actor_of("clerk_maojian"), case=case, action="send_for_review")
    return case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")


def test_death_stops_the_pension_and_recovers_the_months_paid_after_it(actor_of, agency):
    pension = retiree(agency("420302"), monthly_fen=MONTHLY)
    paid(pension, *period_range(202501, 202610))

    case = approved_death(actor_of, pension, date(2026, 9, 14))

    pension.refresh_from_db()
    assert case.status == "approved"
    assert pension.status == PensionStatus.STOPPED
    assert pension.end_period == 202609
    assert pension.end_reason == "death"
    death = Death.objects.get(person=pension.person)
    assert death.case_id == case.pk
    assert death.source == "counter"
    overpayment = Overpayment.objects.get(pension=pension)
    assert overpayment.key == f"death:{pension.person_id}"
    assert overpayment.periods == [202610]
    assert overpayment.amount_fen == MONTHLY
    assert overpayment.reason == "death"
    assert overpayment.status == OverpaymentStatus.OPEN
    stop = PensionNotice.objects.get(pension=pension, kind=NoticeKind.STOP)
    assert stop.period == 202610
    assert stop.details["overpaid_fen"] == MONTHLY
    assert stop.details["estate_fen"] == 0
    assert PensionNotice.objects.filter(pension=pension, kind=NoticeKind.OVERPAYMENT).count() == 1
    benefit_cases = Case.objects.filter(item__code="SBBN009", applicant_person=pension.person)
    assert benefit_cases.count() == 1
    benefit = benefit_cases.get()
    assert benefit.status == "accepted"
    assert benefit.channel == "counter"
    assert benefit.data == {"died_on": "2026-09-14", "source": "counter", "death_id": death.pk}
    relations = InsuredRelation.objects.filter(person=pension.person)
    assert set(relations.values_list("status", flat=True)) == {RelationStatus.DECEASED}


def test_months_withheld_before_the_death_are_owed_to_the_estate(actor_of, agency):
    pension = retiree(agency("420302"), monthly_fen=MONTHLY, certified_on=date(2025, 7, 1))
    paid(pension, *period_range(202501, 202607))
    run = certification_sweep_create(
        actor=actor_of("fund_shiyan"),
        agency=agency("420300"),
        period=202608,
        as_of=date(2026, 8, 1),
    )
    certification_sweep_execute(run, actor=actor_of("fund_shiyan"))

    approved_death(actor_of, pension, date(2026, 9, 30))

    stop = PensionNotice.objects.get(pension=pension, kind=NoticeKind.STOP)
    assert stop.details["estate_months"] == [202608, 202609]
    assert stop.details["estate_fen"] == 2 * MONTHLY
    assert not Overpayment.objects.filter(pension=pension).exists()
    pension.refresh_from_db()
    assert pension.suspended_from is None
    assert pension.status == PensionStatus.STOPPED


def test_a_second_death_registration_is_refused(actor_of, agency):
    pension = retiree(agency("420302"))
    approved_death(actor_of, pension, date(2026, 9, 14))
    with pytest.raises(RuleViolation) as err:
        death_request(actor=actor_of("clerk_maojian"), pension=pension, died_on=date(2026, 9, 1))
    assert err.value.code == "DEATH-ALREADY-REGISTERED"
    assert Case.objects.filter(item__code="SBBN009", applicant_person=pension.person).count() == 1


def test_a_stopped_pension_cannot_be_certified(actor_of, agency):
    pension = retiree(agency("420302"))
    approved_death(actor_of, pension, date(2026, 9, 14))
    pension.refresh_from_db()
    with pytest.raises(RuleViolation) as err:
        certification_record(
            actor=actor_of("clerk_maojian"),
            pension=pension,
            certified_on=date(2026, 11, 1),
            channel="counter",
        )
    assert err.value.code == "CERT-PENSION-STOPPED"


def test_the_approval_is_the_effect_not_the_request(actor_of, agency):
    pension = retiree(agency("420302"))
    death_request(actor=actor_of("clerk_maojian"), pension=pension, died_on=date(2026, 9, 14))
    pension.refresh_from_db()
    assert pension.status == PensionStatus.ACTIVE
    assert not Death.objects.filter(person=pension.person).exists()
    with pytest.raises(RuleViolation) as err:
        death_request(actor=actor_of("clerk_maojian"), pension=pension, died_on=date(2026, 9, 14))
    assert err.value.code == "DEATH-OPEN-REQUEST"


def test_recovery_is_recorded_and_closes_the_overpayment(actor_of, agency):
    pension = retiree(agency("420302"), monthly_fen=MONTHLY)
    paid(pension, *period_range(202501, 202610))
    approved_death(actor_of, pension, date(2026, 8, 31))
    overpayment = Overpayment.objects.get(pension=pension)
    assert overpayment.periods == [202609, 202610]
    fund = actor_of("fund_shiyan")
    with pytest.raises(RuleViolation) as err:
        overpayment_recover(
            actor=fund,
            overpayment=overpayment,
            amount_fen=2 * MONTHLY + 1,
            recovered_on=date(2026, 11, 20),
        )
    assert err.value.code == "OVERPAY-RECOVERY-AMOUNT"
    overpayment_recover(
        actor=fund, overpayment=overpayment, amount_fen=MONTHLY, recovered_on=date(2026, 11, 20)
    )
    done = overpayment_recover(
        actor=fund, overpayment=overpayment, amount_fen=MONTHLY, recovered_on=date(2026, 11, 21)
    )
    assert done.recovered_fen == 2 * MONTHLY
    assert done.status == OverpaymentStatus.RECOVERED
