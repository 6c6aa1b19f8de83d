"""Death at work (SBBN033), rules.md §7.4: the funeral subsidy (6 × 7,226.00 = 43,356.00 for a
2026 death in Shiyan), the one-time death subsidy (20 × 56,502 = 1,130,040.00 in 2026,
20 × 54,188 = 1,083,760.00 in 2025), survivor pensions of the own wage (6,000.00) capped
together at it, and one funeral subsidy per person across schemes."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from shebao.benefits.models import Benefit, BenefitStatus, Death
from shebao.benefits.services.benefits import Payee, benefit_open
from shebao.benefits.services.work_injury_death import (
    Claimant,
    Survivor,
    death_assess,
    death_request,
)
from shebao.benefits.tests.work_injury_support import (
    CLERK,
    REVIEWER,
    approve,
    injury_make,
    worker_make,
)
from shebao.core.actors import system_actor
from shebao.core.errors import RuleViolation
from shebao.core.identifiers import resident_id_with_check
from shebao.registry.models import InsuredRelation
from shebao.services.models import Case, CaseStatus
from shebao.services.services import case_transition

pytestmark = pytest.mark.django_db

BANK = {"bank_name": "中国建设银行", "bank_account": "6217002870011112222"}
BANK_NAME, BANK_ACCOUNT = BANK["bank_name"], BANK["bank_account"]


@pytest.fixture
def maojian(agency):
    return agency("420302")


@pytest.fixture
def injury(maojian):
    person, employer = worker_make(maojian, base_fen=600_000)
    return injury_make(
        person, employer, injured_on=date(2026, 5, 18), fatal=True, died_on=date(2026, 5, 20)
    )


def spouse() -> Survivor:
    return Survivor(
        "林秀英",
        resident_id_with_check("42030219860304262"),
        "spouse",
        bank_name=BANK_NAME,
        bank_account=BANK_ACCOUNT,
    )


def child(name: str, body: str, *, orphan: bool = False) -> Survivor:
    return Survivor(
        name,
        resident_id_with_check(body),
        "child",
        orphan=orphan,
        bank_name=BANK_NAME,
        bank_account=BANK_ACCOUNT,
    )


CHILDREN = [child("林小明", "42030220120601451"), child("林小红", "42030220150802462")]
WIDOW = Claimant(
    "林秀英",
    resident_id_with_check("42030219860304262"),
    "配偶",
    bank_name=BANK_NAME,
    bank_account=BANK_ACCOUNT,
)


def test_spouse_and_two_children_reach_the_cap_exactly(injury):
    figures = death_assess(injury=injury, claimant=WIDOW, survivors=[spouse(), *CHILDREN])[
        "figures"
    ]
    # 6,000.00 × 40 % + 2 × 6,000.00 × 30 % = 6,000.00: at the cap, not above it
    assert [s["monthly_fen"] for s in figures["survivors"]] == [240_000, 180_000, 180_000]
    assert (figures["survivor_total_fen"], figures["capped"]) == (600_000, False)
    assert figures["funeral_fen"] == 4_335_600
    assert figures["death_lump_sum_fen"] == 113_004_000


def test_an_orphan_lifts_the_shares_above_the_own_wage_and_the_cap_shares_it_out(injury):
    # A child of an earlier marriage whose mother has died is an orphan now: 40 + 30 + 40 =
    # 110 % > 100 %, so 6,000.00 is shared 40 : 30 : 40 → 2,181.82, 1,636.36, 2,181.82
    survivors = [spouse(), CHILDREN[0], child("林小红", "42030220150802462", orphan=True)]
    figures = death_assess(injury=injury, claimant=WIDOW, survivors=survivors)["figures"]
    assert [s["ratio"] for s in figures["survivors"]] == ["0.40", "0.30", "0.40"]
    assert [s["monthly_fen"] for s in figures["survivors"]] == [218_182, 163_636, 218_182]
    assert (figures["survivor_total_fen"], figures["capped"]) == (600_000, True)


def test_approval_opens_the_grants_and_a_pension_for_each_dependant(actor_of, injury):
    survivors = [spouse(), CHILDREN[0], child("林小红", "42030220150802462", orphan=True)]
    case = death_request(
        actor=actor_of(CLERK),
        injury=injury,
        claimant=WIDOW,
        survivors=survivors,
        today=date(2026, 11, 2),
    )
    assert not Benefit.objects.filter(person=injury.person).exists()
    approve(case)
    benefits = list(Benefit.objects.filter(person=injury.person).order_by("pk"))
    assert [(b.kind, b.monthly_fen, b.start_period, b.end_period) for b in benefits] == [
        ("funeral_grant", 4_335_600, 202611, 202611),
        ("death_lump_sum", 113_004_000, 202611, 202611),
        ("survivor_pension", 218_182, 202606, None),
        ("survivor_pension", 163_636, 202606, None),
        ("survivor_pension", 218_182, 202606, None),
    ]
    assert [b.payee_name for b in benefits] == ["林秀英", "林秀英", "林秀英", "林小明", "林小红"]
    assert [b.payee_relation for b in benefits[2:]] == ["spouse", "child", "child"]
    assert benefits[3].payee_resident_id == resident_id_with_check("42030220120601451")
    assert {b.case_id for b in benefits} == {case.pk}
    assert "WI-SURVIVOR-CAP" in [s["rule"] for s in benefits[2].calculation["trace"]]


def test_a_2025_death_gets_the_2025_subsidy(maojian):
    person, employer = worker_make(maojian, first=202406, last=202505)
    injury = injury_make(
        person, employer, injured_on=date(2025, 6, 1), fatal=True, died_on=date(2025, 6, 3)
    )
    figures = death_assess(injury=injury, claimant=WIDOW, survivors=[spouse()])["figures"]
    assert figures["death_lump_sum_fen"] == 108_376_000
    assert figures["funeral_fen"] == 4_335_600  # 6 × 7,226.00, in force from 2025-01-01


def _funeral_elsewhere(person) -> Benefit:
    with transaction.atomic():
        return benefit_open(
            actor=system_actor("tests"),
            person=person,
            scheme="pension",
            kind="funeral_grant",
            payee=Payee("林秀英", resident_id_with_check("42030219860304262"), "配偶"),
            agency=person.managing_agency,
            start_period=202606,
            monthly_fen=563_700,
        )


def test_one_funeral_grant_only_a_second_request_is_refused(actor_of, injury):
    _funeral_elsewhere(injury.person)
    with pytest.raises(RuleViolation) as err:
        death_request(actor=actor_of(CLERK), injury=injury, claimant=WIDOW, survivors=[spouse()])
    assert err.value.code == "BEN-FUNERAL-ONCE"
    assert not Case.objects.filter(item__code="SBBN033", applicant_person=injury.person).exists()


def test_one_funeral_grant_only_the_approval_after_another_grant_is_refused(actor_of, injury):
    case = death_request(
        actor=actor_of(CLERK), injury=injury, claimant=WIDOW, survivors=[spouse(), *CHILDREN]
    )
    _funeral_elsewhere(injury.person)  # the pension scheme granted it meanwhile
    case = case_transition(actor=actor_of(CLERK), case=case, action="send_for_review")
    with pytest.raises(RuleViolation) as err:
        case_transition(actor=actor_of(REVIEWER), case=case, action="approve")
    assert err.value.code == "BEN-FUNERAL-ONCE"
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    # nothing of the refused approval stays: only the other scheme's grant
    assert list(Benefit.objects.filter(person=injury.person).values_list("scheme", "kind")) == [
        ("pension", "funeral_grant")
    ]


def test_the_deceased_s_running_benefits_stop_after_the_month_of_death(actor_of, injury):
    with transaction.atomic():
        running = benefit_open(
            actor=system_actor("tests"),
            person=injury.person,
            scheme="work_injury",
            kind="disability_allowance",
            payee=Payee.of(injury.person),
            agency=injury.agency,
            start_period=202401,
            monthly_fen=300_000,
        )
    approve(
        death_request(actor=actor_of(CLERK), injury=injury, claimant=WIDOW, survivors=[spouse()])
    )
    running.refresh_from_db()
    assert (running.status, running.stop_period, running.stop_reason) == (
        BenefitStatus.STOPPED,
        202605,
        "death",
    )


def test_a_second_death_case_is_refused(actor_of, injury):
    death_request(actor=actor_of(CLERK), injury=injury, claimant=WIDOW, survivors=[spouse()])
    with pytest.raises(RuleViolation) as err:
        death_request(actor=actor_of(CLERK), injury=injury, claimant=WIDOW, survivors=[spouse()])
    assert err.value.code == "WI-DEATH-PENDING"


def test_a_living_worker_has_no_death_benefits(actor_of, maojian):
    person, employer = worker_make(maojian)
    injury = injury_make(person, employer)
    with pytest.raises(RuleViolation) as err:
        death_request(actor=actor_of(CLERK), injury=injury, claimant=WIDOW, survivors=[spouse()])
    assert err.value.code == "WI-DEATH-NOT-FATAL"


@pytest.mark.parametrize(
    "survivors",
    [
        [
            Survivor(
                "无效",
                "420302201206014500",
                "child",
                bank_name=BANK_NAME,
                bank_account=BANK_ACCOUNT,
            )
        ],  # bad check character
        [Survivor("无账户", resident_id_with_check("42030220120601451"), "child")],
        [spouse(), spouse()],
    ],
)
def test_incomplete_dependants_are_refused(actor_of, injury, survivors):
    with pytest.raises(RuleViolation) as err:
        death_request(actor=actor_of(CLERK), injury=injury, claimant=WIDOW, survivors=survivors)
    assert err.value.code == "WI-SURVIVOR-DETAILS"
    assert not Case.objects.filter(item__code="SBBN033").filter(applicant_person=injury.person)


def test_an_unknown_relation_is_refused(injury):
    stranger = Survivor(
        "路人",
        resident_id_with_check("42030219900101123"),
        "friend",
        bank_name=BANK_NAME,
        bank_account=BANK_ACCOUNT,
    )
    with pytest.raises(RuleViolation) as err:
        death_assess(injury=injury, claimant=WIDOW, survivors=[stranger])
    assert err.value.code == "WI-RELATION-UNKNOWN"


def test_the_approval_registers_the_death(actor_of, injury):
    approve(
        death_request(actor=actor_of(CLERK), injury=injury, claimant=WIDOW, survivors=[spouse()])
    )
    death = Death.objects.get(person=injury.person)
    assert (death.died_on, death.source, death.reference) == (
        date(2026, 5, 20),
        "other",
        injury.decision_no,
    )
    relations = InsuredRelation.objects.filter(person=injury.person)
    assert set(relations.values_list("status", flat=True)) == {"deceased"}
    # the pension scheme's death-benefit case opens too; its funeral subsidy will be refused
    assert Case.objects.filter(item__code="SBBN009", applicant_person=injury.person).exists()


def test_a_death_registered_on_another_date_refuses_the_approval(actor_of, injury):
    case = death_request(actor=actor_of(CLERK), injury=injury, claimant=WIDOW, survivors=[spouse()])
    Death.objects.create(
        person=injury.person, died_on=date(2026, 5, 21), source="counter", recorded_by="t"
    )
    case = case_transition(actor=actor_of(CLERK), case=case, action="send_for_review")
    with pytest.raises(RuleViolation) as err:
        case_transition(actor=actor_of(REVIEWER), case=case, action="approve")
    assert err.value.code == "WI-DEATH-DATE-DIFFERS"
    assert not Benefit.objects.filter(person=injury.person).exists()
