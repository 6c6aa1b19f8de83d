"""Death of a pension participant: funeral subsidy and survivor payment (rules.md §8)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shebao.core.errors import RuleViolation
from shebao.core.money import round_to_fen
from shebao.rules.calc import run_calc
from shebao.rules.tests.params import shipped


def working(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "status": "working",
        "contribution_months": 255,
        "monthly_income_base": "2818.50",
        "on": "2025-06-01",
    }
    return {**payload, **changes}


def retired(**changes: Any) -> dict[str, Any]:
    return working(status="retired", contribution_months=360, months_drawn=0, **changes)


def test_rules_example_working_21_years_3_months():
    out = run_calc("death-benefit", working(), shipped())
    assert out["funeral_subsidy"] == "5637.00"
    assert out["survivor_months"] == "15.25"
    assert out["survivor_payment"] == "42982.13"
    assert [s["rule"] for s in out["trace"]] == [
        "DEATH-FUNERAL",
        "DEATH-SURVIVOR-MONTHS",
        "DEATH-SURVIVOR-PAYMENT",
    ]


@pytest.mark.parametrize(
    ("months", "survivor_months", "payment"),
    [
        (0, "3", "8455.50"),
        (59, "3", "8455.50"),  # under 5 years
        (60, "6", "16911.00"),
        (119, "6", "16911.00"),
        (120, "9", "25366.50"),
        (180, "9", "25366.50"),  # 15 years: still 9
        (181, "9.0833", "25601.38"),  # one month above 15 years adds 1/12 month: 2,818.50 × 109/12
        (240, "14", "39459.00"),
        (360, "24", "67644.00"),  # 30 years: the maximum
        (480, "24", "67644.00"),  # years above 30 count as 30
    ],
)
def test_survivor_months_by_contribution_months(months, survivor_months, payment):
    out = run_calc("death-benefit", working(contribution_months=months), shipped())
    assert out["survivor_months"] == survivor_months
    assert out["survivor_payment"] == payment


def test_payment_uses_the_exact_fraction_not_the_rounded_months():
    # 0.06 × 109/12 = 0.545 exactly → 0.55; with 9.0833 months it would be 0.54.
    out = run_calc(
        "death-benefit", working(contribution_months=181, monthly_income_base="0.06"), shipped()
    )
    assert out["survivor_payment"] == "0.55"


@pytest.mark.parametrize(
    ("months_drawn", "survivor_months", "payment"),
    [
        (0, "24", "67644.00"),
        (120, "14", "39459.00"),  # 10 years drawn: 24 − 10
        (125, "13.5833", "38284.63"),  # to the month: 24 − 125/12 = 163/12
        (180, "9", "25366.50"),
        (300, "9", "25366.50"),  # never below 9
    ],
)
def test_retiree_survivor_months_fall_with_pension_drawn(months_drawn, survivor_months, payment):
    out = run_calc("death-benefit", retired() | {"months_drawn": months_drawn}, shipped())
    assert out["funeral_subsidy"] == "5637.00"
    assert out["survivor_months"] == survivor_months
    assert out["survivor_payment"] == payment


def test_under_five_years_the_payment_is_capped_by_own_contributions():
    out = run_calc(
        "death-benefit", working(contribution_months=40, own_contributions="5000.00"), shipped()
    )
    assert out["survivor_payment"] == "5000.00"  # not 3 × 2,818.50 = 8,455.50
    assert out["capped_by_own_contributions"] is True


def test_own_contributions_do_not_cap_five_years_or_more():
    out = run_calc(
        "death-benefit", working(contribution_months=60, own_contributions="5000.00"), shipped()
    )
    assert out["survivor_payment"] == "16911.00"
    assert out["capped_by_own_contributions"] is False


def test_date_of_death_defaults_to_today():
    payload = working()
    del payload["on"]
    assert run_calc("death-benefit", payload, shipped())["survivor_payment"] == "42982.13"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (working(status="dead"), "CALC-INPUT-INVALID"),
        (working(contribution_months=-1), "CALC-INPUT-INVALID"),
        (working(monthly_income_base="-2818.50"), "CALC-INPUT-INVALID"),
        (working(own_contributions="-1"), "CALC-INPUT-INVALID"),
        (working(on="2020-12-31"), "PARAM-NO-VALUE"),  # before 人社部发〔2021〕18号
        (
            {"status": "retired", "contribution_months": 360, "monthly_income_base": "2818.50"},
            "CALC-INPUT-MISSING",
        ),
    ],
)
def test_bad_input_is_refused_with_a_rule_code(payload, code):
    with pytest.raises(RuleViolation) as err:
        run_calc("death-benefit", payload, shipped())
    assert err.value.code == code


@given(
    months=st.integers(min_value=0, max_value=600),
    more=st.integers(min_value=0, max_value=120),
    base=st.decimals(min_value=0, max_value=20_000, places=2),
)
def test_survivor_months_stay_within_3_and_24_and_grow_with_contributions(months, more, base):
    def survivor(contribution_months: int) -> dict[str, Any]:
        payload = working(contribution_months=contribution_months, monthly_income_base=str(base))
        return run_calc("death-benefit", payload, shipped())

    shorter, longer = survivor(months), survivor(months + more)
    assert Decimal(3) <= Decimal(shorter["survivor_months"]) <= Decimal(longer["survivor_months"])
    assert Decimal(longer["survivor_months"]) <= 24
    assert Decimal(shorter["survivor_payment"]) <= Decimal(longer["survivor_payment"])
    assert shorter["funeral_subsidy"] == format(round_to_fen(base * 2), "f")
