"""Contributions: base clamping, amounts per scheme, flexible workers, the 110% rule and the
work-injury rate (rules.md §1, §2.1)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shebao.core.errors import RuleViolation
from shebao.rules.calc import run_calc
from shebao.rules.calculators.contribution import (
    BaseBounds,
    EmployeeRates,
    FlexibleRates,
    employee_contribution,
    flexible_contribution,
)
from shebao.rules.tests.params import param, shipped


def contribution(**fields: Any) -> dict[str, Any]:
    payload = {"region": "420000", "period": "2025-03", "kind": "employee", **fields}
    return run_calc("contribution", payload, shipped())


def refused(**fields: Any) -> str:
    with pytest.raises(RuleViolation) as err:
        contribution(**fields)
    return err.value.code


def bounds(floor: Decimal, cap: Decimal) -> BaseBounds:
    return BaseBounds(
        floor=param("contribution.base.floor", floor, unit="yuan"),
        cap=param("contribution.base.cap", cap, unit="yuan"),
    )


EMPLOYEE_RATES = EmployeeRates(
    pension_employer=param("contribution.pension.employer_rate", Decimal("0.16")),
    pension_individual=param("contribution.pension.individual_rate", Decimal("0.08")),
    unemployment_employer=param("contribution.unemployment.employer_rate", Decimal("0.007")),
    unemployment_individual=param("contribution.unemployment.individual_rate", Decimal("0.003")),
    account_credit=param("account.credit_rate", Decimal("0.08")),
)
FLEXIBLE_RATES = FlexibleRates(
    pension=param("contribution.flexible.pension_rate", Decimal("0.20")),
    account_credit=param("account.credit_rate", Decimal("0.08")),
)


# --- rules.md §1 example and the published floors and caps ----------------------------------


@pytest.mark.parametrize("region", ["420000", "420100", "420102"])
def test_rules_example_tier_1_2025_wage_3000_is_raised_to_the_floor(region: str):
    # Wuhan (420100) and its districts take the province's tier-1 figures.
    out = contribution(region=region, declared_wage="3000.00")
    assert out["base"] == "4498.00"
    assert out["pension"] == {"employer": "719.68", "individual": "359.84"}
    assert out["account_credit"] == "359.84"
    assert out["pooled"] == "719.68"


def test_hubei_unemployment_rates_apply_to_the_clamped_base():
    out = contribution(declared_wage="3000.00")
    # 4498.00 × 0.007 = 31.486 and × 0.003 = 13.494, each rounded half-up on its own.
    assert out["unemployment"] == {"employer": "31.49", "individual": "13.49"}


def test_wage_within_floor_and_cap_is_the_base():
    out = contribution(declared_wage="8000.50")
    assert out["base"] == "8000.50"
    assert out["pension"] == {"employer": "1280.08", "individual": "640.04"}


def test_wage_above_the_cap_is_lowered_to_the_cap():
    assert contribution(declared_wage="50000.00")["base"] == "22488.00"


@pytest.mark.parametrize(
    ("region", "period", "wage", "base"),
    [
        ("420000", "2023-06", "1000.00", "4224.00"),
        ("420000", "2023-06", "99999.00", "21120.00"),
        ("420300", "2025-01", "3000.00", "4299.00"),
        ("420300", "2025-12", "30000.00", "21678.00"),
        ("420302", "2025-05", "3000.00", "4299.00"),  # 茅箭区 takes Shiyan's tier-2 figures
        ("420000", "2026-04", "3000.00", "4498.00"),  # 2025 values continue until a new notice
    ],
)
def test_floor_and_cap_by_city_tier_and_year(region: str, period: str, wage: str, base: str):
    out = contribution(region=region, period=period, declared_wage=wage)
    assert out["base"] == base


@pytest.mark.parametrize(("region", "period"), [("420000", "2024-07"), ("420300", "2024-07")])
def test_unpublished_floor_is_refused_not_taken_from_another_year_or_tier(region, period):
    assert refused(region=region, period=period, declared_wage="5000.00") == (
        "PARAM-VALUE-UNPUBLISHED"
    )


def test_trace_names_every_step_and_the_floor_used():
    out = contribution(declared_wage="3000.00", work_injury_rate="0.004")
    assert [step["rule"] for step in out["trace"]] == [
        "CON-BASE-CLAMP",
        "CON-PENSION-EMPLOYER",
        "CON-PENSION-INDIVIDUAL",
        "CON-UNEMPLOYMENT-EMPLOYER",
        "CON-UNEMPLOYMENT-INDIVIDUAL",
        "CON-WI-EMPLOYER",
        "CON-ACCOUNT-CREDIT",
        "CON-POOLED",
    ]
    floor = next(p for p in out["parameters"] if p["key"] == "contribution.base.floor")
    assert floor == {
        "key": "contribution.base.floor",
        "region": "420000",
        "version": 4,
        "effective_from": "2025-01-01",
        "value": "4498.00",
    }


# --- work injury ------------------------------------------------------------------------------


def test_without_a_work_injury_rate_the_employer_amount_is_zero_and_the_trace_says_so():
    out = contribution(declared_wage="3000.00")
    assert out["work_injury"] == {"employer": "0.00"}
    step = next(s for s in out["trace"] if s["rule"] == "CON-WI-EMPLOYER")
    assert "no work-injury rate" in step["description"]


def test_agency_fixed_work_injury_rate_is_employer_only():
    out = contribution(declared_wage="3000.00", work_injury_rate="0.007")
    assert out["work_injury"] == {"employer": "31.49"}
    assert out["total"] == "1155.99"  # 719.68 + 359.84 + 31.49 + 13.49 + 31.49


@pytest.mark.parametrize(
    ("risk_class", "tier", "amount"),
    [
        (1, 100, "9.00"),  # 4498.00 × 0.002 = 8.996
        (1, 150, "13.49"),  # × 0.003 = 13.494
        (2, 50, "9.00"),  # × 0.002
        (3, 120, "37.78"),  # × 0.0084 = 37.7832
        (8, 150, "128.19"),  # × 0.0285 = 128.193
    ],
)
def test_work_injury_rate_from_risk_class_and_floating_tier(risk_class, tier, amount):
    out = contribution(declared_wage="3000.00", risk_class=risk_class, floating_tier=tier)
    assert out["work_injury"] == {"employer": amount}
    assert out["trace"][0]["rule"] == "CON-WI-RATE"


@pytest.mark.parametrize(("risk_class", "tier"), [(1, 50), (1, 80), (4, 110)])
def test_floating_tier_not_allowed_for_the_class_is_refused(risk_class, tier):
    code = refused(declared_wage="5000.00", risk_class=risk_class, floating_tier=tier)
    assert code == "CON-WI-TIER-NOT-ALLOWED"


def test_unknown_risk_class_is_refused():
    assert refused(declared_wage="5000.00", risk_class=9, floating_tier=100) == (
        "CON-WI-CLASS-UNKNOWN"
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"work_injury_rate": "0.7"},  # 0.7% typed as a fraction
        {"work_injury_rate": "-0.001"},
        {"work_injury_rate": "0.004", "risk_class": 2, "floating_tier": 100},
        {"risk_class": 2},
    ],
)
def test_bad_work_injury_input_is_refused(fields):
    code = refused(declared_wage="5000.00", **fields)
    assert code in {"CALC-INPUT-INVALID", "CALC-INPUT-MISSING"}


# --- flexible workers -------------------------------------------------------------------------


def test_flexible_worker_pays_20_percent_8_to_the_account_12_pooled():
    out = contribution(region="420300", kind="flexible", declared_wage="5000.00")
    assert out["base"] == "5000.00"
    assert out["pension"] == {"employer": "0.00", "individual": "1000.00"}
    assert out["account_credit"] == "400.00"
    assert out["pooled"] == "600.00"
    assert out["unemployment"] == {"employer": "0.00", "individual": "0.00"}
    assert out["work_injury"] == {"employer": "0.00"}


@pytest.mark.parametrize("chosen", ["4497.99", "22488.01", "0.00"])
def test_flexible_base_outside_floor_and_cap_is_refused_not_clamped(chosen):
    assert refused(kind="flexible", declared_wage=chosen) == "CON-FLEX-BASE-RANGE"


def test_flexible_worker_with_a_work_injury_rate_is_refused():
    code = refused(kind="flexible", declared_wage="5000.00", work_injury_rate="0.004")
    assert code == "CALC-INPUT-INVALID"


@given(base=st.decimals(min_value=4498, max_value=22488, places=2))
def test_flexible_account_and_pooled_parts_add_up_to_the_amount_paid(base: Decimal):
    result = flexible_contribution(
        chosen_base=base, bounds=bounds(Decimal(4498), Decimal(22488)), rates=FLEXIBLE_RATES
    )
    paid = result.value.pension_individual
    assert result.value.account_credit + result.value.pooled == paid
    assert paid == (base * Decimal("0.20")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- undeclared employer (社会保险法 art. 62) ------------------------------------------------


@pytest.mark.parametrize(("previous", "due"), [("10000.00", "11000.00"), ("1234.57", "1358.03")])
def test_undeclared_employer_owes_110_percent_of_last_month(previous, due):
    out = contribution(undeclared=True, previous_due=previous)
    assert out["undeclared_due"] == due
    assert out["trace"][0]["rule"] == "CON-UNDECLARED-DUE"
    assert out["parameters"][0]["key"] == "contribution.undeclared.due_factor"


def test_undeclared_without_previous_due_is_refused():
    assert refused(undeclared=True) == "CALC-INPUT-MISSING"


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"region": "110000"}, "PARAM-REGION-UNKNOWN"),
        ({"region": "420500"}, "PARAM-REGION-UNKNOWN"),  # 宜昌: no parameters of its own yet
        ({"period": "2018-01"}, "PARAM-NO-VALUE"),
        ({"period": "2025-13"}, "CALC-INPUT-INVALID"),
        ({"declared_wage": "-1.00"}, "CALC-INPUT-INVALID"),
        ({"declared_wage": "3000.005"}, "CALC-INPUT-INVALID"),
        ({"declared_wage": "abc"}, "CALC-INPUT-INVALID"),
        ({"kind": "retired"}, "CALC-INPUT-INVALID"),
        ({"declared_wage": None}, "CALC-INPUT-MISSING"),
    ],
)
def test_bad_input_is_refused_with_a_rule_code(fields, code):
    assert refused(**{"declared_wage": "5000.00", **fields}) == code


# --- properties -------------------------------------------------------------------------------


@given(
    declared=st.decimals(min_value=0, max_value=10_000_000, places=2),
    floor=st.decimals(min_value=1, max_value=20_000, places=2),
    span=st.decimals(min_value=0, max_value=100_000, places=2),
)
def test_base_is_always_within_floor_and_cap(declared: Decimal, floor: Decimal, span: Decimal):
    cap = floor + span
    result = employee_contribution(
        declared_wage=declared, bounds=bounds(floor, cap), rates=EMPLOYEE_RATES, work_injury=None
    )
    assert floor <= result.value.base <= cap
    if floor <= declared <= cap:
        assert result.value.base == declared


@given(
    declared=st.decimals(min_value=0, max_value=1_000_000, places=2),
    region=st.sampled_from(["420000", "420300", "420303"]),
    period=st.sampled_from(["2025-01", "2025-07", "2026-02"]),
)
def test_shipped_base_is_within_the_shipped_floor_and_cap(declared, region, period):
    out = contribution(region=region, period=period, declared_wage=str(declared))
    floor = next(p for p in out["parameters"] if p["key"] == "contribution.base.floor")
    cap = next(p for p in out["parameters"] if p["key"] == "contribution.base.cap")
    assert Decimal(floor["value"]) <= Decimal(out["base"]) <= Decimal(cap["value"])
    assert out["pension"]["individual"] == out["account_credit"]
