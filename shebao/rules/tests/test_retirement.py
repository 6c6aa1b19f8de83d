"""Statutory retirement age under the 2024 reform, minimum contribution months, flexible window
(rules.md §4, §3.6)."""

from __future__ import annotations

from datetime import date
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shebao.core.errors import RuleViolation
from shebao.rules.adapters.retirement import retirement_params
from shebao.rules.calc import run_calc
from shebao.rules.calculators.retirement import (
    GROUPS,
    RetirementParams,
    statutory_retirement,
)
from shebao.rules.tests.params import param, shipped

ON = "2025-06-01"


def retire(birth: str, group: str) -> dict:
    return run_calc("retirement", {"birth": birth, "group": group, "on": ON}, shipped())


@cache
def shipped_params(group: str) -> RetirementParams:
    return retirement_params(shipped(), group, date(2025, 6, 1))


def months_of(period: str) -> int:
    year, month = period.split("-")
    return int(year) * 12 + int(month) - 1


# --- the examples of rules.md §4 -------------------------------------------------------------


def test_man_born_1965_01_retires_at_60y1m_in_2025_02():
    out = retire("1965-01", "male")
    assert out["original_age"] == {"years": 60, "months": 0}
    assert out["delay_months"] == 1
    assert out["age"] == {"years": 60, "months": 1}
    assert out["retirement_month"] == "2025-02"
    assert [step["rule"] for step in out["trace"]] == [
        "RET-ORIGINAL-MONTH",
        "RET-REFORM-COUNT",
        "RET-DELAY",
        "RET-AGE",
        "RET-MIN-CONTRIBUTION",
        "RET-FLEX-EARLY",
        "RET-FLEX-LATE",
    ]


@pytest.mark.parametrize("birth", ["1976-09", "1976-12", "1990-05"])
def test_man_born_1976_09_or_later_retires_at_63(birth: str):
    out = retire(birth, "male")
    assert out["age"] == {"years": 63, "months": 0}
    assert out["delay_months"] == 36
    assert months_of(out["retirement_month"]) == months_of(birth) + 63 * 12


def test_man_born_one_month_earlier_is_one_month_short_of_63():
    out = retire("1976-08", "male")
    assert out["age"] == {"years": 62, "months": 11}
    assert out["retirement_month"] == "2039-07"


def test_woman_50_born_1975_01_retires_at_50y1m_in_2025_02():
    out = retire("1975-01", "female-50")
    assert out["age"] == {"years": 50, "months": 1}
    assert out["retirement_month"] == "2025-02"


def test_woman_55_born_1971_04_retires_at_55y4m_in_2026_08():
    out = retire("1971-04", "female-55")
    assert out["delay_months"] == 4
    assert out["age"] == {"years": 55, "months": 4}
    assert out["retirement_month"] == "2026-08"


def test_woman_50_reaches_55_after_a_delay_of_60_months():
    out = retire("1990-01", "female-50")
    assert out["delay_months"] == 60
    assert out["age"] == {"years": 55, "months": 0}


def test_original_month_before_the_reform_is_not_delayed_and_has_no_window():
    out = retire("1964-12", "male")
    assert out["delay_months"] == 0
    assert out["retirement_month"] == "2024-12"
    assert out["earliest_month"] == out["latest_month"] == "2024-12"


# --- minimum contribution months (§3.6) ------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "retirement_month", "minimum"),
    [
        ("1968-12", "2029-12", 180),  # n = 48 → 12 months of delay, retires 2029: 15y
        ("1969-01", "2030-02", 186),  # n = 49 → 13 months, retires 2030: 15y6m
        ("1970-01", "2031-05", 192),  # 2031: 16y
        ("1976-09", "2039-09", 240),  # 2039 and later: 20y
        ("1990-05", "2053-05", 240),
    ],
)
def test_minimum_contribution_months_follow_the_year_of_statutory_retirement(
    birth: str, retirement_month: str, minimum: int
):
    out = retire(birth, "male")
    assert out["retirement_month"] == retirement_month
    assert out["min_contribution_months"] == minimum


def test_retirement_year_before_the_table_is_refused():
    with pytest.raises(RuleViolation) as err:
        retire("1930-01", "female-50")  # would have retired in 1980
    assert err.value.code == "RET-MIN-CONTRIBUTION-UNDEFINED"


# --- flexible window --------------------------------------------------------------------------


def test_early_window_never_goes_below_the_original_age():
    out = retire("1976-09", "male")
    assert out["earliest_age"] == {"years": 60, "months": 0}
    assert out["earliest_month"] == "2036-09"
    assert out["latest_age"] == {"years": 66, "months": 0}
    assert out["latest_month"] == "2042-09"


def test_early_window_is_at_most_three_years_when_the_delay_is_longer():
    out = retire("1990-01", "female-50")
    assert out["earliest_age"] == {"years": 52, "months": 0}
    assert out["earliest_month"] == "2042-01"
    assert out["latest_age"] == {"years": 58, "months": 0}


# --- properties -------------------------------------------------------------------------------

# From 1950: earlier births retire before the minimum-contribution table begins (1998).
births = st.integers(min_value=1950 * 12, max_value=2030 * 12 + 11).map(
    lambda index: (index // 12) * 100 + index % 12 + 1
)


@given(birth=births, group=st.sampled_from(GROUPS))
def test_delay_never_exceeds_its_cap(birth: int, group: str):
    outcome = statutory_retirement(birth=birth, params=shipped_params(group)).value
    cap = 60 if group == "female-50" else 36
    assert outcome.max_delay_months == cap
    assert 0 <= outcome.delay_months <= cap
    assert outcome.earliest_age_months <= outcome.age_months <= outcome.latest_age_months
    assert outcome.earliest_age_months >= outcome.original_age_months


@given(first=births, second=births, group=st.sampled_from(GROUPS))
def test_delay_is_never_smaller_for_a_later_birth_month(first: int, second: int, group: str):
    earlier, later = sorted((first, second))
    params = shipped_params(group)
    delay_earlier = statutory_retirement(birth=earlier, params=params).value.delay_months
    delay_later = statutory_retirement(birth=later, params=params).value.delay_months
    assert delay_earlier <= delay_later


# --- bad input --------------------------------------------------------------------------------


def test_unknown_group_is_refused():
    with pytest.raises(RuleViolation) as err:
        retire("1970-01", "female")
    assert err.value.code == "RET-GROUP-UNKNOWN"
    assert "female-50" in err.value.message_en


@pytest.mark.parametrize("birth", ["1965/01", "1965-13", "196501", 196501, "1965-1", "1899-12"])
def test_birth_not_yyyy_mm_is_refused(birth: object):
    with pytest.raises(RuleViolation) as err:
        run_calc("retirement", {"birth": birth, "group": "male", "on": ON}, shipped())
    assert err.value.code == "RET-BIRTH-INVALID"


def test_missing_birth_is_refused():
    with pytest.raises(RuleViolation) as err:
        run_calc("retirement", {"group": "male"}, shipped())
    assert err.value.code == "CALC-INPUT-MISSING"


def test_rules_before_the_reform_have_no_parameters():
    with pytest.raises(RuleViolation) as err:
        run_calc("retirement", {"birth": "1965-01", "group": "male", "on": "2024-12-31"}, shipped())
    assert err.value.code == "PARAM-NO-VALUE"


def test_without_on_the_rules_in_force_today_apply():
    out = run_calc("retirement", {"birth": "1971-04", "group": "female-55"}, shipped())
    assert out["retirement_month"] == "2026-08"


def test_group_table_without_its_step_is_refused():
    params = shipped_params("male")
    broken = param(
        "retirement.group.male", {"original_age_years": 60, "target_age_years": 63}, unit="table"
    )
    with pytest.raises(RuleViolation) as err:
        statutory_retirement(
            birth=197001,
            params=RetirementParams(
                group=broken,
                reform_start=params.reform_start,
                max_early_months=params.max_early_months,
                max_late_months=params.max_late_months,
                min_contribution_months=params.min_contribution_months,
            ),
        )
    assert err.value.code == "RET-PARAM-TABLE-INVALID"
