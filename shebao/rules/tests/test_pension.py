"""Pension at retirement: basic, account, Hubei transitional, total (rules.md §3)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shebao.core.errors import RuleViolation
from shebao.rules.calc import run_calc
from shebao.rules.calculators.pension import PensionClaim, PensionParams, pension_at_retirement
from shebao.rules.tests.params import param, shipped

EXAMPLE = {
    "region": "420000",
    "benefit_base": "8000.00",
    "average_index": "1.0",
    "contribution_months": 360,
    "deemed_months": 60,
    "account_balance": "150000.00",
    "retirement_age": {"years": 60, "months": 0},
}


def pension(**changes: object) -> dict:
    return run_calc("pension", {**EXAMPLE, **changes}, shipped())


def shipped_params() -> PensionParams:
    on = date(2025, 1, 1)
    source = shipped()
    return PensionParams(
        basic_rate=source.lookup("pension.basic.rate_per_year", "420000", on),
        divisor_table=source.lookup("pension.divisor.table", "420000", on),
        divisor_rule=source.lookup("pension.divisor.part_year_rule", "420000", on),
        transitional_rate=source.lookup("pension.transitional.rate_per_year", "420000", on),
    )


# --- the example of rules.md §3.5 -------------------------------------------------------------


@pytest.mark.parametrize("region", ["420000", "420100", "420300", "420302"])
def test_rules_example_total_is_3959_14(region: str):
    out = pension(region=region)
    assert out["basic"] == "2400.00"
    assert out["account"] == "1079.14"
    assert out["transitional"] == "480.00"
    assert out["total"] == "3959.14"
    assert out["divisor"] == 139
    assert [step["rule"] for step in out["trace"]] == [
        "PEN-BASIC",
        "PEN-DIVISOR",
        "PEN-ACCOUNT",
        "PEN-TRANSITIONAL",
        "PEN-TOTAL",
    ]
    keys = {p["key"] for p in out["parameters"]}
    assert "pension.transitional.rate_per_year" in keys


def test_each_part_is_rounded_and_the_total_is_their_sum():
    # basic 2508.0214… → 2508.02; account 98765.43 ÷ 132 = 748.2229… → 748.22;
    # transitional 7340 × 1.2345 × 73/12 × 1.2% = 661.4697… → 661.47
    out = pension(
        benefit_base="7340.00",
        average_index="1.2345",
        contribution_months=367,
        deemed_months=73,
        account_balance="98765.43",
        retirement_age={"years": 61, "months": 5},
    )
    assert (out["basic"], out["account"], out["transitional"]) == ("2508.02", "748.22", "661.47")
    assert out["total"] == "3917.71"


def test_no_deemed_years_means_no_transitional_pension():
    out = pension(deemed_months=0)
    assert out["transitional"] == "0.00"
    assert out["total"] == "3479.14"


# --- divisor ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("years", "months", "divisor"),
    [(40, 0, 233), (50, 0, 195), (55, 0, 170), (60, 7, 139), (63, 0, 117), (70, 11, 56)],
)
def test_divisor_uses_the_completed_whole_years(years: int, months: int, divisor: int):
    out = pension(retirement_age={"years": years, "months": months})
    assert out["divisor"] == divisor
    assert out["divisor_age_years"] == years


@pytest.mark.parametrize(("years", "months"), [(39, 11), (71, 0), (30, 0)])
def test_divisor_age_outside_40_to_70_is_refused(years: int, months: int):
    with pytest.raises(RuleViolation) as err:
        pension(retirement_age={"years": years, "months": months})
    assert err.value.code == "PEN-DIVISOR-AGE-OUT-OF-RANGE"


def test_an_unknown_part_year_rule_is_refused():
    params = shipped_params()
    params = PensionParams(
        basic_rate=params.basic_rate,
        divisor_table=params.divisor_table,
        divisor_rule=param("pension.divisor.part_year_rule", "interpolate", unit="text"),
        transitional_rate=params.transitional_rate,
    )
    claim = PensionClaim(Decimal(8000), Decimal(1), 360, 60, Decimal(150000), 60 * 12)
    with pytest.raises(RuleViolation) as err:
        pension_at_retirement(claim=claim, params=params)
    assert err.value.code == "PEN-DIVISOR-RULE-UNKNOWN"


def test_divisor_rule_is_shipped_as_an_open_unverified_default():
    rule = shipped().lookup("pension.divisor.part_year_rule", "CN", date(2025, 1, 1))
    assert rule.value == "completed_years"
    assert rule.confidence == "unverified"


# --- published benefit base -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "year", "amount", "provisional"),
    [
        ("420000", 2023, "8880.00", False),
        ("420100", 2024, "9022.00", False),
        ("420000", 2025, "9112.00", False),
        ("420300", 2024, "7079.00", False),
        ("420303", 2025, "7340.00", False),
        ("420300", 2026, "7340.00", True),
    ],
)
def test_published_benefit_base_is_shown_next_to_the_one_applied(
    region: str, year: int, amount: str, provisional: bool
):
    out = pension(region=region, year=year)
    published = out["published_benefit_base"]
    assert published["amount"] == amount
    assert published["provisional"] is provisional
    assert published["confidence"] == "unverified"
    assert out["total"] == "3959.14"  # the input's benefit_base is what counts
    assert out["trace"][0]["rule"] == "PEN-BENEFIT-BASE-PUBLISHED"


def test_shiyan_base_before_2024_is_unpublished_not_the_provinces():
    out = pension(region="420300", year=2023)
    assert out["published_benefit_base"] is None


def test_without_a_year_no_published_base_is_shown():
    assert pension()["published_benefit_base"] is None


# --- property ---------------------------------------------------------------------------------


@given(
    base=st.decimals(min_value=3000, max_value=20000, places=2),
    index=st.decimals(min_value="0.6", max_value=3, places=4),
    months=st.integers(min_value=0, max_value=600),
    deemed_share=st.integers(min_value=0, max_value=100),
    balance=st.decimals(min_value=0, max_value=1_000_000, places=2),
    age_months=st.integers(min_value=40 * 12, max_value=70 * 12 + 11),
)
def test_total_is_the_sum_of_the_parts_rounded_to_the_fen(
    base: Decimal,
    index: Decimal,
    months: int,
    deemed_share: int,
    balance: Decimal,
    age_months: int,
):
    claim = PensionClaim(base, index, months, months * deemed_share // 100, balance, age_months)
    outcome = pension_at_retirement(claim=claim, params=shipped_params()).value
    parts = (outcome.basic, outcome.account, outcome.transitional)
    assert all(part == part.quantize(Decimal("0.01")) and part >= 0 for part in parts)
    assert outcome.total == sum(parts)


# --- bad input --------------------------------------------------------------------------------


def test_deemed_months_above_all_months_are_refused():
    with pytest.raises(RuleViolation) as err:
        pension(contribution_months=120, deemed_months=121)
    assert err.value.code == "PEN-DEEMED-EXCEEDS-TOTAL"


def test_negative_account_balance_is_refused():
    with pytest.raises(RuleViolation) as err:
        pension(account_balance="-0.01")
    assert err.value.code == "CALC-INPUT-INVALID"
    assert err.value.params["field"] == "account_balance"


@pytest.mark.parametrize("region", ["420500", "990000", "42030"])
def test_unknown_region_is_refused(region: str):
    with pytest.raises(RuleViolation) as err:
        pension(region=region)
    assert err.value.code == "PARAM-REGION-UNKNOWN"


def test_region_as_a_number_is_refused():
    with pytest.raises(RuleViolation) as err:
        pension(region=420300)
    assert err.value.code == "CALC-INPUT-INVALID"


@pytest.mark.parametrize(
    "retirement_age",
    [60, "60", {"years": 60}, {"years": 60, "months": 12}, {"years": -1, "months": 0}],
)
def test_retirement_age_must_be_years_and_months(retirement_age: object):
    with pytest.raises(RuleViolation) as err:
        pension(retirement_age=retirement_age)
    assert err.value.code == "CALC-INPUT-INVALID"
    assert err.value.params["field"] == "retirement_age"


def test_a_year_before_the_2006_formula_has_no_parameters():
    with pytest.raises(RuleViolation) as err:
        pension(year=2005)
    assert err.value.code == "PARAM-NO-VALUE"
