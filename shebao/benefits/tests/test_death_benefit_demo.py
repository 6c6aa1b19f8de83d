"""The death demo: a working participant's death with the rules' example figures waiting for
reviewer_maojian, an inheritance with two heirs waiting too, the lifecycle demo's retiree's case
filled in; seeding again changes nothing, and the reviewer's approval pays what it shows."""

from __future__ import annotations

import pytest

from shebao.benefits import demo_death
from shebao.benefits.models import Benefit, BenefitKind, Death
from shebao.services.models import Case, CaseStatus
from shebao.services.services import case_transition

pytestmark = pytest.mark.django_db


def _worker_death() -> Death:
    return Death.objects.select_related("person").get(reference=demo_death.DEATH_REFERENCE)


def test_the_working_participants_cases_wait_for_the_reviewer(demo, actor_of):
    death = _worker_death()
    assert death.died_on == demo_death.DIED_ON
    claim = Case.objects.get(item__code="SBBN009", applicant_person=death.person)
    assert claim.status == CaseStatus.IN_REVIEW
    figures = claim.data["claim"]["figures"]
    assert (figures["contribution_months"], figures["deemed_months"]) == (255, 60)
    assert (figures["funeral_fen"], figures["survivor_fen"]) == (563700, 4298213)
    inheritance = Case.objects.get(item__code="SBBN008", applicant_person=death.person)
    assert inheritance.status == CaseStatus.IN_REVIEW
    heirs = inheritance.data["heirs"]
    assert [h["share"] for h in heirs] == ["2/3", "1/3"]
    assert sum(h["amount_fen"] for h in heirs) == inheritance.data["figures"]["amount_fen"]

    approved = case_transition(actor=actor_of("reviewer_maojian"), case=claim, action="approve")

    assert approved.status == CaseStatus.APPROVED
    paid = Benefit.objects.filter(person=death.person, case_id=claim.pk)
    assert sorted(paid.values_list("kind", "monthly_fen")) == [
        (BenefitKind.FUNERAL_GRANT, 563700),
        (BenefitKind.SURVIVOR_PAYMENT, 4298213),
    ]


def test_the_lifecycle_retirees_case_is_filled(demo):
    death = Death.objects.get(died_on=demo_death.RETIREE_DIED_ON, person__pension__isnull=False)
    claim = Case.objects.get(item__code="SBBN009", applicant_person=death.person)
    assert claim.status == CaseStatus.IN_REVIEW
    assert claim.data["claim"]["figures"]["status"] == "retired"
    assert claim.data["claim"]["figures"]["funeral_fen"] == 563700


def test_seeding_again_changes_nothing(demo):
    cases = Case.objects.count()
    deaths = Death.objects.count()
    demo_death.seed_demo()
    assert (Case.objects.count(), Death.objects.count()) == (cases, deaths)
