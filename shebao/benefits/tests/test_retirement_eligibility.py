"""Eligibility around the 2024 reform (rules.md §4, §3.6): statutory month and age by group,
minimum contribution months by year of statutory retirement, the flexible window, and the
refusal of a person short of the minimum with the options left to them."""

from __future__ import annotations

from datetime import date

import pytest

from shebao.benefits.services.retirement import (
    ITEM_FLEXIBLE_EARLY,
    ITEM_NORMAL,
    RetirementRequest,
    eligibility_of,
    retirement_assess,
    shortfall_of,
)
from shebao.benefits.tests.retirement_factories import WithValues, history_make, retiree_make, value
from shebao.core.errors import RuleViolation
from shebao.registry.models import Sex
from shebao.rules.store import DatabaseParameters

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 20)


@pytest.fixture
def maojian(agency):
    return agency("420302")


def statutory(person, group="male", **request):
    return eligibility_of(
        person=person,
        request=RetirementRequest(group=group, **request),
        source=DatabaseParameters(),
        today=TODAY,
    )


@pytest.mark.parametrize(
    ("birth", "sex", "group", "age", "month"),
    [
        (date(1964, 12, 5), Sex.MALE, "male", (60, 0), 202412),  # before the reform: no delay
        (date(1965, 1, 20), Sex.MALE, "male", (60, 1), 202502),
        (date(1976, 9, 1), Sex.MALE, "male", (63, 0), 203909),
        # n = 2025-01 … 2034-11 = 119 months; ceil(119 / 2) = 60 = the most: 55 years
        (date(1984, 11, 3), Sex.FEMALE, "female-50", (55, 0), 203911),
        (date(1975, 1, 9), Sex.FEMALE, "female-50", (50, 1), 202502),
        (date(1971, 4, 9), Sex.FEMALE, "female-55", (55, 4), 202608),
    ],
)
def test_statutory_age_and_month(maojian, birth, sex, group, age, month):
    person = retiree_make(maojian, birth=birth, sex=sex)
    outcome = statutory(person, group)
    assert (outcome.statutory_age_months // 12, outcome.statutory_age_months % 12) == age
    assert outcome.statutory_month == month
    assert outcome.retirement_month == month
    assert outcome.retirement_age_months == age[0] * 12 + age[1]
    assert outcome.timing == "statutory"


def test_a_man_is_a_man_whatever_the_clerk_chose(maojian):
    person = retiree_make(maojian, birth=date(1965, 1, 20))
    assert statutory(person, "female-50").group == "male"


def test_a_woman_needs_her_group(maojian):
    person = retiree_make(maojian, birth=date(1975, 1, 9), sex=Sex.FEMALE)
    with pytest.raises(RuleViolation) as refused:
        statutory(person, "male")
    assert refused.value.code == "RET-APP-GROUP"


@pytest.mark.parametrize(
    ("birth", "year", "minimum"),
    [
        (date(1968, 6, 1), 2029, 180),  # original 2028-06, n 42, delay 11 → 2029-05
        (date(1969, 6, 1), 2030, 186),  # original 2029-06, n 54, delay 14 → 2030-08
        (date(1973, 1, 1), 2035, 216),  # original 2033-01, n 97, delay 25 → 2035-02
        (date(1976, 9, 1), 2039, 240),
    ],
)
def test_minimum_contribution_months_by_year_of_statutory_retirement(maojian, birth, year, minimum):
    outcome = statutory(retiree_make(maojian, birth=birth))
    assert outcome.statutory_month // 100 == year
    assert outcome.min_contribution_months == minimum


def test_flexible_early_within_the_window_and_not_before(maojian):
    # Man born 1968-06: statutory 2029-05 at 60y11m; earliest = max(60y, 60y11m − 36m) = 60y
    person = retiree_make(maojian, birth=date(1968, 6, 1))
    early = statutory(person, item_code=ITEM_FLEXIBLE_EARLY, retirement_month=202807)
    assert (early.earliest_month, early.timing, early.retirement_age_months) == (
        202806,
        "early",
        60 * 12 + 1,
    )
    for month in (202805, 202905):
        with pytest.raises(RuleViolation) as refused:
            statutory(person, item_code=ITEM_FLEXIBLE_EARLY, retirement_month=month)
        assert refused.value.code == "RET-APP-EARLY-WINDOW"


def test_a_normal_application_may_be_later_only_by_agreement_and_within_the_window(maojian):
    person = retiree_make(maojian, birth=date(1965, 1, 20))  # statutory 2025-02, latest 2028-02
    with pytest.raises(RuleViolation) as refused:
        statutory(person, item_code=ITEM_NORMAL, retirement_month=202506)
    assert refused.value.code == "RET-APP-LATE-AGREEMENT"
    late = statutory(person, item_code=ITEM_NORMAL, retirement_month=202506, agreement=True)
    assert (late.timing, late.latest_month) == ("late", 202802)
    with pytest.raises(RuleViolation) as refused:
        statutory(person, item_code=ITEM_NORMAL, retirement_month=202803, agreement=True)
    assert refused.value.code == "RET-APP-LATE-LIMIT"
    with pytest.raises(RuleViolation) as refused:
        statutory(person, item_code=ITEM_NORMAL, retirement_month=202501)
    assert refused.value.code == "RET-APP-NORMAL-MONTH"


def test_short_of_the_minimum_is_refused_with_the_months_missing_and_the_options(maojian):
    person = retiree_make(maojian, birth=date(1965, 1, 20))  # retires 2025-02: 180 needed
    history_make(person, 201001, 202212, 500_000)  # 156 months
    source = WithValues(value("wage.reference_average_monthly", "420300", date(2010, 1, 1), "5000"))
    with pytest.raises(RuleViolation) as refused:
        retirement_assess(
            person=person,
            request=RetirementRequest(group="male", deemed_months=0),
            today=TODAY,
            source=source,
        )
    assert refused.value.code == "RET-MIN-CONTRIBUTION-SHORT"
    shortfall = shortfall_of(refused.value)
    assert shortfall is not None
    assert (shortfall["have"], shortfall["minimum"], shortfall["missing"]) == (156, 180, 24)
    assert shortfall["options"] == ("extend", "lump_sum", "residents_scheme", "account_payout")
    assert "还差 24 个月" in refused.value.message_zh
