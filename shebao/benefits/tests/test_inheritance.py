"""Inheritance of the account balance (SBBN008): the balance at death with its part-year
interest, a retiree's remainder after the account pension drawn, heirs' shares exact to the
fen with the remainder to the first heir, the account closed by keyed journal entries, one
one-time benefit per heir, reviewed; nothing written on a refusal."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
import time_machine

from shebao.accounts.models import AccountEntry, EntryKind
from shebao.accounts.services.journal import balance_fen, entry_post
from shebao.benefits.models import Benefit, BenefitKind, Death, Inheritance
from shebao.benefits.services.inheritance import (
    heirs_check,
    inheritance_assess,
    inheritance_request,
    inheritance_split,
)
from shebao.benefits.tests.death_benefit_support import died, relative, worker
from shebao.benefits.tests.lifecycle_support import retiree
from shebao.benefits.tests.test_death import approved_death
from shebao.core.actors import system_actor
from shebao.core.errors import RuleViolation
from shebao.core.permissions import OutOfScope
from shebao.services.models import CaseStatus
from shebao.services.services import case_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _november_2026():
    with time_machine.travel(date(2026, 11, 20)):
        yield


def heir(n: int, share: str) -> dict[str, str]:
    return relative(n) | {"share": share}


def _deceased_worker(actor_of, agency, balance_fen: int = 10000001):
    person = worker(agency("420302"), months=120, balance_fen=balance_fen)
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))
    return person


def test_split_is_exact_to_the_fen_with_the_remainder_to_the_first_heir():
    thirds = [Fraction(1, 3)] * 3
    assert inheritance_split(10000001, thirds) == [3333335, 3333333, 3333333]


def test_split_of_a_half_and_two_quarters():
    # 1.01 yuan: 50 + 25 + 25 = 100 fen, the 1 fen left over to the first heir.
    assert inheritance_split(101, [Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)]) == [51, 25, 25]
    assert sum(inheritance_split(99999, [Fraction(2, 3), Fraction(1, 3)])) == 99999
    assert inheritance_split(99999, [Fraction(2, 3), Fraction(1, 3)]) == [66666, 33333]


def test_shares_must_sum_to_exactly_one(actor_of, agency):
    person = _deceased_worker(actor_of, agency)
    with pytest.raises(RuleViolation) as err:
        heirs_check(person, [heir(1, "1/2"), heir(2, "1/3")])
    assert err.value.code == "INH-SHARES-SUM"
    for bad in ("0", "abc", "3/2", "1/0"):
        with pytest.raises(RuleViolation) as err:
            heirs_check(person, [heir(1, bad)])
        assert err.value.code == "INH-SHARE-FORMAT"
    with pytest.raises(RuleViolation) as err:
        heirs_check(person, [heir(1, "1/2"), heir(1, "1/2")])
    assert err.value.code == "INH-HEIR-TWICE"
    with pytest.raises(RuleViolation) as err:
        heirs_check(person, [heir(1, "1") | {"resident_id": person.resident_id}])
    assert err.value.code == "INH-HEIR-IS-DECEASED"
    with pytest.raises(RuleViolation) as err:
        heirs_check(person, [{"name": "", "resident_id": "", "share": ""}])
    assert err.value.code == "INH-NO-HEIRS"
    assert heirs_check(person, [heir(1, "0.5"), heir(2, "1/2")])[1].share == Fraction(1, 2)


def test_working_balance_with_part_year_interest_to_the_month_of_death(actor_of, agency):
    person = _deceased_worker(actor_of, agency)

    figures = inheritance_assess(person=person)

    # 100,000.01 at the end of 2025; 2026 at the latest published rate 1.50%, 9 months.
    assert figures.status == "working"
    assert figures.balance_fen == 10000001
    assert figures.interest_fen == 112500
    assert figures.interest_provisional is True
    assert figures.amount_fen == 10112501


def test_approval_closes_the_account_and_pays_each_heir(actor_of, agency):
    person = _deceased_worker(actor_of, agency)
    heirs = heirs_check(person, [heir(1, "1/2"), heir(2, "1/2")])

    case = inheritance_request(actor=actor_of("clerk_maojian"), person=person, heirs=heirs)
    assert [h["amount_fen"] for h in case.data["heirs"]] == [5056251, 5056250]
    assert balance_fen(person) == 10000001  # nothing moves before the approval
    case = case_transition(actor=actor_of("clerk_maojian"), case=case, action="send_for_review")
    with pytest.raises(RuleViolation):
        case_transition(actor=actor_of("clerk_maojian"), case=case, action="approve")
    case = case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")

    assert case.status == CaseStatus.APPROVED
    inheritance = Inheritance.objects.get(person=person)
    assert inheritance.balance_fen == 10112501
    assert inheritance.case_id == case.pk
    assert [h["share"] for h in inheritance.heirs] == ["1/2", "1/2"]
    entries = AccountEntry.objects.filter(person=person, source=f"inheritance:{inheritance.pk}")
    assert sorted(entries.values_list("kind", "amount_fen", "year", "month")) == [
        (EntryKind.INHERITANCE, -10112501, 2026, 10),
        (EntryKind.INTEREST, 112500, 2026, 10),
    ]
    assert balance_fen(person) == 0
    benefits = Benefit.objects.filter(person=person, kind=BenefitKind.INHERITANCE).order_by("pk")
    assert [(b.payee_name, b.monthly_fen) for b in benefits] == [
        (relative(1)["name"], 5056251),
        (relative(2)["name"], 5056250),
    ]
    assert all(b.start_period == b.end_period == 202611 for b in benefits)
    with pytest.raises(RuleViolation) as err:
        inheritance_request(actor=actor_of("clerk_maojian"), person=person, heirs=heirs)
    assert err.value.code == "INH-ALREADY"


def test_retiree_inherits_what_the_account_pension_has_not_used(actor_of, agency):
    pension = retiree(agency("420302"), monthly_fen=300000)  # account pension 1,500.00
    entry_post(
        actor=system_actor("tests"),
        person=pension.person,
        kind=EntryKind.MIGRATED,
        amount_fen=15000000,
        year=2024,
        month=12,
        source="tests",
        key=f"tests:retiree:{pension.pk}",
    )
    approved_death(actor_of, pension, date(2026, 9, 14))

    figures = inheritance_assess(person=pension.person)
    # 150,000.00 less 1,500.00 × 21 months (2025-01 to 2026-09) = 118,500.00.
    assert (figures.status, figures.drawn_months) == ("retired", 21)
    assert figures.payout_fen == 3150000
    assert figures.amount_fen == 11850000

    heirs = heirs_check(pension.person, [heir(1, "2/3"), heir(2, "1/3")])
    case = inheritance_request(actor=actor_of("clerk_maojian"), person=pension.person, heirs=heirs)
    case = case_transition(actor=actor_of("clerk_maojian"), case=case, action="send_for_review")
    case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")

    kinds = dict(
        AccountEntry.objects.filter(
            person=pension.person, source__startswith="inheritance:"
        ).values_list("kind", "amount_fen")
    )
    assert kinds == {EntryKind.PAYOUT: -3150000, EntryKind.INHERITANCE: -11850000}
    assert balance_fen(pension.person) == 0
    amounts = Benefit.objects.filter(person=pension.person, kind=BenefitKind.INHERITANCE)
    assert sorted(amounts.values_list("monthly_fen", flat=True)) == [3950000, 7900000]


def test_a_pension_still_running_cannot_be_inherited(agency):
    pension = retiree(agency("420302"))
    Death.objects.create(
        person=pension.person, died_on=date(2026, 9, 14), source="other", recorded_by="tests"
    )
    with pytest.raises(RuleViolation) as err:
        inheritance_assess(person=pension.person)
    assert err.value.code == "INH-PENSION-RUNNING"


def test_no_death_no_inheritance(agency):
    person = worker(agency("420302"), months=120, balance_fen=500000)
    with pytest.raises(RuleViolation) as err:
        inheritance_assess(person=person)
    assert err.value.code == "DBEN-NO-DEATH"


def test_a_changed_balance_refuses_the_approval_and_writes_nothing(actor_of, agency):
    person = _deceased_worker(actor_of, agency)
    heirs = heirs_check(person, [heir(1, "1")])
    case = inheritance_request(actor=actor_of("clerk_maojian"), person=person, heirs=heirs)
    with pytest.raises(RuleViolation) as err:
        inheritance_request(actor=actor_of("clerk_maojian"), person=person, heirs=heirs)
    assert err.value.code == "INH-OPEN-REQUEST"
    case = case_transition(actor=actor_of("clerk_maojian"), case=case, action="send_for_review")
    entry_post(
        actor=system_actor("tests"),
        person=person,
        kind=EntryKind.CORRECTION,
        amount_fen=-100,
        year=2026,
        month=11,
        source="tests",
        key=f"tests:correction:{person.pk}",
    )

    with pytest.raises(RuleViolation) as err:
        case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")

    assert err.value.code == "INH-FIGURES-CHANGED"
    assert not Inheritance.objects.filter(person=person).exists()
    assert not AccountEntry.objects.filter(person=person, source__startswith="inherit").exists()
    assert not Benefit.objects.filter(person=person).exists()


def test_out_of_scope_request_is_a_404(actor_of, agency):
    person = _deceased_worker(actor_of, agency)
    heirs = heirs_check(person, [heir(1, "1")])
    with pytest.raises(OutOfScope):
        inheritance_request(actor=actor_of("clerk_wuhan"), person=person, heirs=heirs)
