"""Unemployment benefit: eligibility, maximum months with carry-over, amount (rules.md §6)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shebao.core.errors import RuleViolation
from shebao.rules.calc import run_calc
from shebao.rules.calculators.unemployment import (
    UnemploymentClaim,
    UnemploymentRules,
    unemployment_benefit,
)
from shebao.rules.tests.params import param, shipped


def claim(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "region": "420302",
        "on": "2025-12-15",
        "contribution_months": 84,
        "involuntary": True,
        "registered": True,
        "carried_over_months": 0,
    }
    return {**payload, **changes}


@pytest.mark.parametrize(
    ("region", "minimum_wage", "amount"),
    [
        ("420302", "2130.00", "1917.00"),  # 茅箭区: tier 2,130
        ("420303", "2130.00", "1917.00"),  # 张湾区: tier 2,130
        ("420325", "1970.00", "1773.00"),  # 房县 falls back to Shiyan: 1,970
        ("420300", "1970.00", "1773.00"),
        ("420100", "2400.00", "2160.00"),  # Wuhan
        ("420000", "2400.00", "2160.00"),
    ],
)
def test_monthly_amount_is_90_percent_of_the_tier_minimum_wage(region, minimum_wage, amount):
    out = run_calc("unemployment", claim(region=region), shipped())
    assert out["eligible"] is True
    assert out["monthly_amount"] == amount
    used = {p["key"]: p["value"] for p in out["parameters"]}
    assert used["wage.minimum_monthly"] == minimum_wage
    assert used["unemployment.benefit_ratio"] == "0.90"


@pytest.mark.parametrize(
    ("months", "max_months"),
    [(12, 12), (59, 12), (60, 18), (119, 18), (120, 24), (400, 24)],
)
def test_maximum_months_by_contribution_years(months, max_months):
    out = run_calc("unemployment", claim(contribution_months=months), shipped())
    assert out["max_months"] == max_months


def test_carried_over_months_are_added():
    out = run_calc("unemployment", claim(contribution_months=30, carried_over_months=5), shipped())
    assert out["max_months"] == 17
    assert [s["rule"] for s in out["trace"]] == [
        "UNE-ELIGIBLE",
        "UNE-MAX-MONTHS",
        "UNE-CARRY-OVER",
        "UNE-MONTHLY-AMOUNT",
    ]


def test_carried_over_months_are_capped_at_24():
    out = run_calc("unemployment", claim(contribution_months=84, carried_over_months=10), shipped())
    assert out["max_months"] == 24


@pytest.mark.parametrize(
    ("changes", "reasons"),
    [
        ({"contribution_months": 11}, ["UNE-ELIG-CONTRIBUTION"]),
        ({"involuntary": False}, ["UNE-ELIG-INVOLUNTARY"]),
        ({"registered": False}, ["UNE-ELIG-REGISTERED"]),
        (
            {"contribution_months": 0, "involuntary": False, "registered": False},
            ["UNE-ELIG-CONTRIBUTION", "UNE-ELIG-INVOLUNTARY", "UNE-ELIG-REGISTERED"],
        ),
    ],
)
def test_not_eligible_pays_nothing_and_says_why(changes, reasons):
    out = run_calc("unemployment", claim(**changes), shipped())
    assert out["eligible"] is False
    assert out["max_months"] == 0
    assert out["monthly_amount"] == "0.00"
    assert [r["code"] for r in out["reasons"]] == reasons
    assert all(r["message_zh"] and r["message_en"] for r in out["reasons"])


def test_a_refusal_is_explained_before_the_minimum_wage_is_published():
    out = run_calc("unemployment", claim(on="2024-06-01", involuntary=False), shipped())
    assert out["eligible"] is False
    assert "wage.minimum_monthly" not in {p["key"] for p in out["parameters"]}


def test_an_eligible_claim_needs_the_published_minimum_wage():
    with pytest.raises(RuleViolation) as err:
        run_calc("unemployment", claim(on="2024-06-01"), shipped())
    assert err.value.code == "PARAM-VALUE-UNPUBLISHED"


def test_carried_over_months_are_optional():
    payload = claim(contribution_months=60)
    del payload["carried_over_months"]
    assert run_calc("unemployment", payload, shipped())["max_months"] == 18


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"region": "990000"}, "PARAM-REGION-UNKNOWN"),
        ({"region": "420800"}, "PARAM-REGION-UNKNOWN"),  # Jingzhou: not configured
        ({"on": "1998-06-01"}, "PARAM-NO-VALUE"),  # before the 1999 regulation
        ({"on": "2025-13-01"}, "CALC-INPUT-INVALID"),
        ({"contribution_months": -1}, "CALC-INPUT-INVALID"),
        ({"carried_over_months": -3}, "CALC-INPUT-INVALID"),
        ({"involuntary": "yes"}, "CALC-INPUT-INVALID"),
        ({"registered": None}, "CALC-INPUT-MISSING"),
    ],
)
def test_bad_input_is_refused_with_a_rule_code(changes, code):
    with pytest.raises(RuleViolation) as err:
        run_calc("unemployment", claim(**changes), shipped())
    assert err.value.code == code


RULES = UnemploymentRules(
    min_contribution_months=param("unemployment.min_contribution_months", 12, "months"),
    max_months_by_years=param(
        "unemployment.max_months_by_years", {"1": 12, "5": 18, "10": 24}, "table"
    ),
    max_months_cap=param("unemployment.max_months_cap", 24, "months"),
)


@given(
    months=st.integers(min_value=12, max_value=600),
    more=st.integers(min_value=0, max_value=120),
    carried=st.integers(min_value=0, max_value=48),
)
def test_max_months_never_above_24_and_never_smaller_for_longer_contributions(
    months, more, carried
):
    def max_months(contribution_months: int) -> int:
        result = unemployment_benefit(
            claim=UnemploymentClaim(contribution_months, True, True, carried),
            rules=RULES,
            minimum_wage=param("wage.minimum_monthly", Decimal("2130.00"), "yuan"),
            benefit_ratio=param("unemployment.benefit_ratio", Decimal("0.90")),
        )
        return result.value.max_months

    assert 12 <= max_months(months) <= max_months(months + more) <= 24
