"""The death of a working participant at the counter and the SBBN009 case: every benefit stops
at the death, the clerk prepares, a second person approves, the benefits go to the relative;
one funeral subsidy across schemes; the pension months owed to the estate; scope."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import transaction

from shebao.benefits.models import Benefit, BenefitKind, BenefitStatus, Death
from shebao.benefits.services.benefits import Payee, benefit_open
from shebao.benefits.services.certification import (
    certification_sweep_create,
    certification_sweep_execute,
)
from shebao.benefits.services.death_benefits import (
    ESTATE_SOURCE,
    applicant_payee,
    death_benefit_prepare,
    participant_death_register,
    unemployment_death_assess,
)
from shebao.benefits.tests.death_benefit_support import died, income_base, relative, sbbn009, worker
from shebao.benefits.tests.lifecycle_support import paid, retiree
from shebao.benefits.tests.test_death import approved_death
from shebao.core.actors import system_actor
from shebao.core.errors import RuleViolation
from shebao.core.models import Staff
from shebao.core.periods import period_range
from shebao.core.permissions import OutOfScope
from shebao.core.services import claim_grant
from shebao.registry.models import InsuredRelation, RelationStatus
from shebao.services.models import CaseStatus
from shebao.services.services import case_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _november_2026():
    with time_machine.travel(date(2026, 11, 20)):
        yield


def _open(person, kind: str, scheme: str, monthly_fen: int, start: int, end: int | None = None):
    with transaction.atomic():
        return benefit_open(
            actor=system_actor("tests"),
            person=person,
            scheme=scheme,
            kind=kind,
            payee=Payee.of(person),
            agency=person.managing_agency,
            start_period=start,
            end_period=end,
            monthly_fen=monthly_fen,
        )


def _prepare(actor_of, person, **overrides):
    case = sbbn009(person)
    payee = applicant_payee(person=person, **(relative() | overrides))
    return death_benefit_prepare(actor=actor_of("clerk_maojian"), case=case, payee=payee)


def test_a_working_participants_death_stops_every_benefit_and_opens_the_case(actor_of, agency):
    person = worker(agency("420302"), months=120)
    unemployment = _open(person, BenefitKind.UNEMPLOYMENT, "unemployment", 190000, 202605, 202704)
    lump_sum = _open(person, BenefitKind.DISABILITY_LUMP_SUM, "work_injury", 5000000, 202608)

    death = died(actor_of("clerk_maojian"), person, date(2026, 10, 3))

    assert Death.objects.get(person=person) == death
    assert (death.source, death.reference, death.recorded_by) == ("counter", "D-1", "clerk_maojian")
    unemployment.refresh_from_db()
    assert (unemployment.status, unemployment.stop_period) == (BenefitStatus.STOPPED, 202610)
    assert unemployment.stop_reason == "death"
    lump_sum.refresh_from_db()
    assert lump_sum.status == BenefitStatus.ACTIVE  # a one-time benefit granted stays
    relation = InsuredRelation.objects.get(person=person)
    assert (relation.status, relation.end_period) == (RelationStatus.DECEASED, 202610)
    case = sbbn009(person)
    assert case is not None
    assert case.status == CaseStatus.ACCEPTED
    assert case.data["death_id"] == death.pk


def test_a_retirees_death_stops_the_other_benefits_too(actor_of, agency):
    pension = retiree(agency("420302"))
    nursing = _open(pension.person, BenefitKind.NURSING_ALLOWANCE, "work_injury", 150000, 202501)

    approved_death(actor_of, pension, date(2026, 9, 14))

    nursing.refresh_from_db()
    assert (nursing.status, nursing.stop_period) == (BenefitStatus.STOPPED, 202609)


def test_the_counter_registration_is_for_a_person_without_a_pension(actor_of, agency):
    pension = retiree(agency("420302"))
    with pytest.raises(RuleViolation) as err:
        participant_death_register(
            actor=actor_of("clerk_maojian"), person=pension.person, died_on=date(2026, 9, 1)
        )
    assert err.value.code == "DEATH-USE-PENSION-END"
    assert not Death.objects.filter(person=pension.person).exists()


def test_a_second_registration_and_a_future_date_are_refused(actor_of, agency):
    person = worker(agency("420302"), months=120)
    with pytest.raises(RuleViolation) as err:
        died(actor_of("clerk_maojian"), person, date(2026, 12, 1))
    assert err.value.code == "DEATH-DATE-FUTURE"
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))
    with pytest.raises(RuleViolation) as err:
        died(actor_of("clerk_maojian"), person, date(2026, 10, 4))
    assert err.value.code == "DEATH-ALREADY-REGISTERED"


def test_prepared_by_the_clerk_approved_by_another_person(actor_of, agency):
    income_base("2818.50")
    person = worker(agency("420302"), months=255)
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))

    case = _prepare(actor_of, person)

    assert case.status == CaseStatus.IN_REVIEW
    assert case.data["claim"]["figures"]["survivor_fen"] == 4298213
    assert not Benefit.objects.filter(person=person).exists()
    with pytest.raises(RuleViolation) as err:
        case_transition(actor=actor_of("clerk_maojian"), case=case, action="approve")
    assert err.value.code == "CORE-PERMISSION"  # a clerk holds no approval
    case = case_transition(actor=actor_of("head_maojian"), case=case, action="approve")

    assert case.status == CaseStatus.APPROVED
    benefits = {b.kind: b for b in Benefit.objects.filter(person=person)}
    assert set(benefits) == {BenefitKind.FUNERAL_GRANT, BenefitKind.SURVIVOR_PAYMENT}
    funeral, survivor = benefits[BenefitKind.FUNERAL_GRANT], benefits[BenefitKind.SURVIVOR_PAYMENT]
    assert (funeral.monthly_fen, survivor.monthly_fen) == (563700, 4298213)
    assert funeral.start_period == funeral.end_period == 202611
    assert funeral.payee_name == relative()["name"]
    assert funeral.payee_relation == "child"
    assert funeral.bank_account == relative()["bank_account"]
    assert funeral.case_id == case.pk
    assert funeral.scheme == "pension"


def test_the_maker_holding_approve_cannot_approve_their_own_preparation(actor_of, agency, system):
    income_base("2818.50")
    person = worker(agency("420302"), months=255)
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))
    staff = Staff.objects.get(user__username="clerk_maojian")
    claim_grant(actor=system, staff=staff, role_code="reviewer", item_scope="*")
    case = _prepare(actor_of, person)
    with pytest.raises(RuleViolation) as err:
        case_transition(actor=actor_of("clerk_maojian"), case=case, action="approve")
    assert err.value.code == "CASE-MAKER-CHECKER"
    assert not Benefit.objects.filter(person=person).exists()


def test_a_funeral_subsidy_granted_by_work_injury_refuses_the_pension_ones(actor_of, agency):
    income_base("2818.50")
    person = worker(agency("420302"), months=255)
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))
    _open(person, BenefitKind.FUNERAL_GRANT, "work_injury", 4400000, 202610)

    with pytest.raises(RuleViolation) as err:
        _prepare(actor_of, person)

    assert err.value.code == "BEN-FUNERAL-ONCE"
    assert sbbn009(person).status == CaseStatus.ACCEPTED


def test_a_funeral_subsidy_granted_after_the_preparation_refuses_the_approval(actor_of, agency):
    income_base("2818.50")
    person = worker(agency("420302"), months=255)
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))
    case = _prepare(actor_of, person)
    _open(person, BenefitKind.FUNERAL_GRANT, "work_injury", 4400000, 202610)

    with pytest.raises(RuleViolation) as err:
        case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")

    assert err.value.code == "BEN-FUNERAL-ONCE"
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    kinds = list(Benefit.objects.filter(person=person).values_list("scheme", "kind"))
    assert kinds == [("work_injury", BenefitKind.FUNERAL_GRANT)]  # nothing half-written


def test_changed_figures_refuse_the_approval(actor_of, agency):
    income_base("2818.50")
    person = worker(agency("420302"), months=255)
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))
    case = _prepare(actor_of, person)
    income_base("3000.00")  # an administrator corrects M meanwhile

    with pytest.raises(RuleViolation) as err:
        case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")

    assert err.value.code == "DBEN-FIGURES-CHANGED"
    assert not Benefit.objects.filter(person=person).exists()


def test_the_applicant_must_be_complete_and_not_the_deceased(actor_of, agency):
    income_base("2818.50")
    person = worker(agency("420302"), months=255)
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))
    with pytest.raises(RuleViolation) as err:
        applicant_payee(person=person, **(relative() | {"bank_account": " "}))
    assert err.value.code == "DBEN-APPLICANT"
    with pytest.raises(RuleViolation) as err:
        applicant_payee(person=person, **(relative() | {"resident_id": person.resident_id}))
    assert err.value.code == "DBEN-APPLICANT-IS-DECEASED"


def test_retiree_estate_months_paid_to_the_applicant(actor_of, agency):
    income_base("2818.50")
    monthly = 345678
    pension = retiree(agency("420302"), monthly_fen=monthly, certified_on=date(2025, 7, 1))
    paid(pension, *period_range(202501, 202607))
    run = certification_sweep_create(
        actor=actor_of("fund_shiyan"),
        agency=agency("420300"),
        period=202608,
        as_of=date(2026, 8, 1),
    )
    certification_sweep_execute(run, actor=actor_of("fund_shiyan"))
    approved_death(actor_of, pension, date(2026, 9, 30))

    case = _prepare(actor_of, pension.person)
    assert case.data["claim"]["figures"]["estate_months"] == [202608, 202609]
    case_transition(actor=actor_of("head_maojian"), case=case, action="approve")

    estate = Benefit.objects.get(person=pension.person, source=f"{ESTATE_SOURCE}:{pension.pk}")
    assert estate.kind == BenefitKind.SURVIVOR_PAYMENT
    assert estate.monthly_fen == 2 * monthly
    assert estate.payee_name == relative()["name"]
    survivor = Benefit.objects.filter(
        person=pension.person, kind=BenefitKind.SURVIVOR_PAYMENT
    ).exclude(pk=estate.pk)
    assert survivor.get().monthly_fen == 6271163  # 22.25 months, as the retiree rule gives


def test_out_of_scope_clerk_cannot_prepare(actor_of, agency):
    income_base("2818.50")
    person = worker(agency("420302"), months=255)
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))
    case = sbbn009(person)
    payee = applicant_payee(person=person, **relative())
    with pytest.raises(OutOfScope):
        death_benefit_prepare(actor=actor_of("clerk_wuhan"), case=case, payee=payee)
    with pytest.raises(OutOfScope):
        died(actor_of("clerk_wuhan"), worker(agency("420302"), months=12), date(2026, 10, 3))


def test_unemployment_death_refused_until_the_amounts_are_configured(actor_of, agency):
    person = worker(agency("420302"), months=120)
    _open(person, BenefitKind.UNEMPLOYMENT, "unemployment", 190000, 202605, 202704)
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))

    with pytest.raises(RuleViolation) as err:
        unemployment_death_assess(person=person)
    assert err.value.code == "UDEATH-RULES-OPEN"

    _open(person, BenefitKind.FUNERAL_GRANT, "pension", 563700, 202611)
    with pytest.raises(RuleViolation) as err:
        unemployment_death_assess(person=person)
    assert err.value.code == "BEN-FUNERAL-ONCE"


def test_unemployment_death_needs_a_claimant_at_the_death(actor_of, agency):
    person = worker(agency("420302"), months=120)
    _open(person, BenefitKind.UNEMPLOYMENT, "unemployment", 190000, 202601, 202606)
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))
    with pytest.raises(RuleViolation) as err:
        unemployment_death_assess(person=person)
    assert err.value.code == "UDEATH-NOT-CLAIMANT"
