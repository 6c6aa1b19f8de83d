"""Yearly pension adjustment: flat + proportional + per contribution year + age extras
(rules.md §5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shebao.core.errors import RuleViolation
from shebao.core.money import round_to_fen
from shebao.rules.calc import run_calc
from shebao.rules.calculators.adjustment import AdjustmentParams, pension_adjustment
from shebao.rules.tests.params import param, shipped

OVERALL = {
    2016: "0.065",
    2017: "0.055",
    2018: "0.05",
    2019: "0.05",
    2020: "0.05",
    2021: "0.045",
    2022: "0.04",
    2023: "0.038",
    2024: "0.03",
    2025: "0.02",
}


def hand_made_split(age_extras: dict[str, str] | None = None) -> AdjustmentParams:
    """Flat 50, 1% of the pension, 2 per contribution year, +30 from 70."""
    return AdjustmentParams(
        overall_rate=param("adjustment.overall_rate", Decimal("0.02")),
        flat_amount=param("adjustment.flat_amount", Decimal(50), unit="yuan", region="420000"),
        proportional_rate=param("adjustment.proportional_rate", Decimal("0.01"), region="420000"),
        per_contribution_year=param(
            "adjustment.per_contribution_year", Decimal(2), unit="yuan", region="420000"
        ),
        age_extras=param(
            "adjustment.age_extras",
            {k: Decimal(v) for k, v in (age_extras or {"70": "30"}).items()},
            unit="table",
            region="420000",
        ),
    )


def adjust(current: str, months: int, age: int, **extras: str) -> tuple[Decimal, Decimal]:
    result = pension_adjustment(
        current_pension=Decimal(current),
        contribution_months=months,
        age_years=age,
        params=hand_made_split(extras or None),
    )
    return result.value.increase, result.value.new_pension


# --- hand-made split: exact figures -----------------------------------------------------------


def test_retiree_of_72_with_30_years_gets_every_part():
    # 50 + 3000.00 × 1% + 2 × 30 + 30 = 170.00
    assert adjust("3000.00", 365, 72) == (Decimal("170.00"), Decimal("3170.00"))


def test_retiree_below_70_gets_no_age_extra():
    # 50 + 30 + 60 = 140.00
    assert adjust("3000.00", 365, 69) == (Decimal("140.00"), Decimal("3140.00"))


def test_only_whole_contribution_years_count():
    # 239 months = 19 whole years: 50 + 30 + 38 = 118.00
    assert adjust("3000.00", 239, 65) == (Decimal("118.00"), Decimal("3118.00"))


def test_increase_is_rounded_half_up_once_after_summing():
    # 50 + 1234.50 × 1% (12.345) + 2 × 20 = 102.345 → 102.35
    assert adjust("1234.50", 240, 65) == (Decimal("102.35"), Decimal("1336.85"))


def test_age_extras_take_the_highest_row_reached_not_their_sum():
    # 50 + 30 + 60 + 50 (the 80 row only) = 190.00
    assert adjust("3000.00", 360, 85, **{"70": "30", "80": "50"}) == (
        Decimal("190.00"),
        Decimal("3190.00"),
    )


def test_trace_names_every_part():
    result = pension_adjustment(
        current_pension=Decimal("3000.00"),
        contribution_months=360,
        age_years=72,
        params=hand_made_split(),
    )
    assert [step.rule for step in result.trace.steps] == [
        "ADJ-OVERALL-RATE",
        "ADJ-FLAT",
        "ADJ-PROPORTIONAL",
        "ADJ-CONTRIBUTION-YEARS",
        "ADJ-AGE-EXTRA",
        "ADJ-INCREASE",
        "ADJ-NEW-PENSION",
    ]
    assert result.value.split_verified is True


def test_a_malformed_age_table_is_refused():
    with pytest.raises(RuleViolation) as err:
        adjust("3000.00", 360, 72, **{"seventy": "30"})
    assert err.value.code == "ADJ-AGE-EXTRAS-INVALID"


# --- shipped defaults: Hubei's split is open --------------------------------------------------


def test_shipped_hubei_default_is_the_national_rate_and_says_it_is_unconfirmed():
    out = run_calc(
        "adjustment",
        {
            "region": "420300",
            "year": 2025,
            "current_pension": "3959.14",
            "contribution_months": 365,
            "age": 72,
        },
        shipped(),
    )
    assert out["increase"] == "79.18"  # 3959.14 × 2% = 79.1828
    assert out["new_pension"] == "4038.32"
    assert out["overall_rate"] == "0.02"
    assert out["split_verified"] is False
    keys = {p["key"] for p in out["parameters"]}
    assert {"adjustment.overall_rate", "adjustment.proportional_rate"} <= keys


@given(
    year=st.sampled_from(sorted(OVERALL)),
    current=st.decimals(min_value=0, max_value=50_000, places=2),
    months=st.integers(min_value=0, max_value=600),
    age=st.integers(min_value=40, max_value=110),
)
def test_shipped_default_reproduces_the_overall_rate_every_year(
    year: int, current: Decimal, months: int, age: int
):
    out = run_calc(
        "adjustment",
        {
            "region": "420000",
            "year": year,
            "current_pension": str(current),
            "contribution_months": months,
            "age": age,
        },
        shipped(),
    )
    assert out["overall_rate"] == OVERALL[year]
    assert out["increase"] == str(round_to_fen(current * Decimal(OVERALL[year])))


@pytest.mark.parametrize(
    ("year", "confidence"),
    [(2016, "verified"), (2017, "unverified"), (2018, "unverified"), (2024, "verified")],
)
def test_unconfirmed_overall_rates_are_unverified(year: int, confidence: str):
    rate = shipped().lookup("adjustment.overall_rate", "CN", date(year, 1, 1))
    assert rate.confidence == confidence


def test_a_year_whose_rate_is_not_published_is_refused():
    with pytest.raises(RuleViolation) as err:
        run_calc(
            "adjustment",
            {
                "region": "420000",
                "year": 2026,
                "current_pension": "3000.00",
                "contribution_months": 360,
                "age": 65,
            },
            shipped(),
        )
    assert err.value.code == "PARAM-VALUE-UNPUBLISHED"


def test_a_year_before_any_rate_is_refused():
    with pytest.raises(RuleViolation) as err:
        run_calc(
            "adjustment",
            {
                "region": "420000",
                "year": 2015,
                "current_pension": "3000.00",
                "contribution_months": 360,
                "age": 65,
            },
            shipped(),
        )
    assert err.value.code == "PARAM-NO-VALUE"


# --- bad input --------------------------------------------------------------------------------

VALID = {
    "region": "420000",
    "year": 2025,
    "current_pension": "3000.00",
    "contribution_months": 360,
    "age": 65,
}


def test_unknown_region_is_refused():
    with pytest.raises(RuleViolation) as err:
        run_calc("adjustment", {**VALID, "region": "420500"}, shipped())
    assert err.value.code == "PARAM-REGION-UNKNOWN"


@pytest.mark.parametrize(
    ("field", "value"),
    [("current_pension", "-1.00"), ("contribution_months", -1), ("age", "65"), ("year", 2025.0)],
)
def test_invalid_fields_are_refused(field: str, value: object):
    with pytest.raises(RuleViolation) as err:
        run_calc("adjustment", {**VALID, field: value}, shipped())
    assert err.value.code == "CALC-INPUT-INVALID"
    assert err.value.params["field"] == field
