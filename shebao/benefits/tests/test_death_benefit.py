"""Funeral subsidy and survivor payment on a participant's death (rules.md §8) with exact
amounts: working by contribution years (deemed included), under 5 years capped at the own
contributions, 30 years at most; a retiree the maximum less the years drawn, never below 9."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from shebao.benefits.services.death_benefits import death_benefit_assess
from shebao.benefits.tests.death_benefit_support import died, income_base, worker
from shebao.benefits.tests.lifecycle_support import retiree
from shebao.benefits.tests.test_death import approved_death
from shebao.core.errors import RuleViolation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _november_2026():
    with time_machine.travel(date(2026, 11, 20)):
        yield


def test_rules_example_working_21_years_3_months(actor_of, agency):
    income_base("2818.50")
    person = worker(agency("420302"), months=21 * 12 + 3)
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))

    figures = death_benefit_assess(person=person)

    assert figures.status == "working"
    assert figures.contribution_months == 255
    assert figures.survivor_months == "15.25"
    assert figures.survivor_fen == 4298213  # 2,818.50 × 15.25 = 42,982.125 → 42,982.13
    assert figures.funeral_fen == 563700
    assert figures.income_base_fen == 281850
    assert figures.own_contributions_fen is None
    assert figures.estate_fen == 0


def test_deemed_months_entered_by_the_clerk_count(actor_of, agency):
    income_base("2818.50")
    person = worker(agency("420302"), months=195, birth=date(1970, 1, 10))
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))

    figures = death_benefit_assess(person=person, deemed_months=60)

    assert (figures.contributed_months, figures.deemed_months) == (195, 60)
    assert figures.deemed_from == "clerk"
    assert figures.survivor_fen == 4298213


def test_deemed_months_beyond_what_can_be_deemed_are_refused(actor_of, agency):
    income_base("2818.50")
    person = worker(agency("420302"), months=100, birth=date(1975, 3, 8))
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))
    with pytest.raises(RuleViolation) as err:
        death_benefit_assess(person=person, deemed_months=200)  # 1991-03 to 1995-12: 58
    assert err.value.code == "RET-DEEMED-TOO-MANY"


def test_under_5_years_the_payment_is_capped_at_the_own_contributions(actor_of, agency):
    income_base("2818.50")
    person = worker(agency("420302"), months=24, base_fen=400000)
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))

    figures = death_benefit_assess(person=person)

    # 3 months × 2,818.50 = 8,455.50, more than 24 × 4,000.00 × 8% = 7,680.00.
    assert figures.survivor_months == "3"
    assert figures.own_contributions_fen == 768000
    assert figures.survivor_fen == 768000
    assert figures.capped_by_own_contributions is True
    assert figures.funeral_fen == 563700


def test_under_5_years_below_the_own_contributions_is_not_capped(actor_of, agency):
    income_base("2818.50")
    person = worker(agency("420302"), months=48, base_fen=900000)
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))

    figures = death_benefit_assess(person=person)

    assert figures.own_contributions_fen == 48 * 72000
    assert figures.survivor_fen == 845550
    assert figures.capped_by_own_contributions is False


def test_thirty_years_cap_at_24_months(actor_of, agency):
    income_base("2818.50")
    person = worker(agency("420302"), months=400, birth=date(1966, 1, 1))
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))

    figures = death_benefit_assess(person=person)

    assert figures.survivor_months == "24"
    assert figures.survivor_fen == 6764400


def test_retiree_maximum_less_the_months_drawn(actor_of, agency):
    income_base("2818.50")
    pension = retiree(agency("420302"), retirement_month=202412)
    approved_death(actor_of, pension, date(2026, 9, 14))

    figures = death_benefit_assess(person=pension.person)

    # Drawn 2025-01 to 2026-09: 21 months → 24 − 21/12 = 22.25 months.
    assert figures.status == "retired"
    assert figures.months_drawn == 21
    assert figures.survivor_months == "22.25"
    assert figures.survivor_fen == 6271163  # 2,818.50 × 22.25 = 62,711.625
    assert figures.funeral_fen == 563700


def test_retiree_never_below_9_months(actor_of, agency):
    income_base("2818.50")
    pension = retiree(agency("420302"), retirement_month=201012, birth=date(1950, 11, 15))
    approved_death(actor_of, pension, date(2026, 9, 14))

    figures = death_benefit_assess(person=pension.person)

    # Drawn 2011-01 to 2026-09: 189 months → 24 − 15.75 = 8.25, raised to the floor of 9.
    assert figures.months_drawn == 189
    assert figures.survivor_months == "9"
    assert figures.survivor_fen == 2536650


def test_unpublished_base_refuses_with_the_stores_code(actor_of, agency):
    # 2025's M is null in parameters/ (the demo enters a placeholder for 2026 only).
    person = worker(agency("420302"), months=120, last_month=202509)
    died(actor_of("clerk_maojian"), person, date(2025, 10, 3))
    with pytest.raises(RuleViolation) as err:
        death_benefit_assess(person=person)
    assert err.value.code == "PARAM-VALUE-UNPUBLISHED"


def test_no_death_registered_is_refused(agency):
    income_base("2818.50")
    person = worker(agency("420302"), months=120)
    with pytest.raises(RuleViolation) as err:
        death_benefit_assess(person=person)
    assert err.value.code == "DBEN-NO-DEATH"
