"""Individual-account interest, monthly-product method (rules.md §2.2–2.4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shebao.core.errors import RuleViolation
from shebao.rules.calc import run_calc
from shebao.rules.calculators.interest import MonthlyCredit, account_interest
from shebao.rules.params import ParamValue
from shebao.rules.tests.params import param, shipped


def interest(**fields: Any) -> dict[str, Any]:
    return run_calc("interest", fields, shipped())


def refused(**fields: Any) -> str:
    with pytest.raises(RuleViolation) as err:
        interest(**fields)
    return err.value.code


def monthly(year: int, amount: str) -> list[dict[str, str]]:
    return [{"month": f"{year}-{m:02d}", "amount": amount} for m in range(1, 13)]


def rate_of(year: int, value: Decimal) -> ParamValue:
    return ParamValue(
        key="account.crediting_rate",
        region="CN",
        effective_from=date(year, 1, 1),
        value=value,
        unit="rate",
        reference="test",
        confidence="verified",
        version=1,
    )


def test_rules_example_2021_opening_100000_and_800_a_month():
    out = interest(year=2021, opening_balance="100000.00", credits=monthly(2021, "800.00"))
    assert out["rate"] == "0.0669"
    assert out["provisional"] is False
    assert out["interest_on_credits"] == "347.88"
    assert out["interest_on_opening"] == "6690.00"
    assert out["interest"] == "7037.88"
    assert out["closing_balance"] == "116637.88"
    assert [s["rule"] for s in out["trace"]] == [
        "ACC-INT-RATE",
        "ACC-INT-OPENING",
        "ACC-INT-CREDITS",
        "ACC-INT-CLOSING",
    ]


@pytest.mark.parametrize(
    ("year", "rate"),
    [
        (2016, "0.0831"),
        (2017, "0.0712"),
        (2018, "0.0829"),
        (2019, "0.0761"),
        (2020, "0.0604"),
        (2021, "0.0669"),
        (2022, "0.0612"),
        (2023, "0.0397"),
        (2024, "0.0262"),
        (2025, "0.0150"),
    ],
)
def test_national_crediting_rate_of_each_year(year: int, rate: str):
    out = interest(year=year, opening_balance="10000.00")
    assert out["rate"] == rate
    assert out["provisional"] is False
    expected = (Decimal("10000.00") * (1 + Decimal(rate))).quantize(Decimal("0.01"))
    assert out["closing_balance"] == str(expected)


def test_unpublished_year_is_credited_provisionally_at_the_latest_rate():
    out = interest(year=2026, opening_balance="100000.00", credits=[])
    assert out["provisional"] is True
    assert out["rate"] == "0.0150"
    assert out["rate_year"] == 2025
    assert out["closing_balance"] == "101500.00"
    assert "provisionally the 2025 rate" in out["trace"][0]["description"]


def test_a_december_credit_earns_one_month_a_january_credit_twelve():
    rate = rate_of(2030, Decimal("0.06"))
    december = account_interest(
        year=2030,
        opening=Decimal(0),
        credits=[MonthlyCredit(203012, Decimal("1200.00"))],
        rate=rate,
    )
    january = account_interest(
        year=2030,
        opening=Decimal(0),
        credits=[MonthlyCredit(203001, Decimal("1200.00"))],
        rate=rate,
    )
    assert december.value.interest == Decimal("6.00")
    assert january.value.interest == Decimal("72.00")


def test_rounding_happens_once_half_up_at_the_closing_balance():
    # 0.50 × 1% = 0.005 exactly: half-up gives one fen.
    out = interest(year=2030, opening_balance="0.50")
    assert out["interest"] == "0.01"
    # The month products are summed unrounded; only the closing balance is rounded.
    result = account_interest(
        year=2030,
        opening=Decimal(0),
        credits=[MonthlyCredit(203000 + m, Decimal("0.05")) for m in range(1, 13)],
        rate=rate_of(2030, Decimal("0.06")),
    )
    # Σ 0.05 × (13 − n) = 3.90; × 0.06 ÷ 12 = 0.0195 → 0.02 (per-month rounding would give 0.00).
    assert result.value.interest == Decimal("0.02")


def test_credit_outside_the_year_is_refused():
    code = refused(year=2021, opening_balance="0.00", credits=[{"month": "2022-01", "amount": "1"}])
    assert code == "ACC-CREDIT-OUTSIDE-YEAR"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"year": 2015}, "PARAM-NO-VALUE"),
        ({"opening_balance": "-1.00"}, "CALC-INPUT-INVALID"),
        ({"opening_balance": "1.001"}, "CALC-INPUT-INVALID"),
        ({"credits": [{"month": "2021-13", "amount": "1.00"}]}, "CALC-INPUT-INVALID"),
        ({"credits": [{"month": "2021-01"}]}, "CALC-INPUT-MISSING"),
        ({"credits": "800"}, "CALC-INPUT-INVALID"),
        ({"year": "2021"}, "CALC-INPUT-INVALID"),
    ],
)
def test_bad_input_is_refused_with_a_rule_code(fields, code):
    assert refused(**{"year": 2021, "opening_balance": "100.00", **fields}) == code


def test_error_names_the_list_item():
    with pytest.raises(RuleViolation) as err:
        interest(year=2021, opening_balance="0", credits=[{"month": "2021-01", "amount": "x"}])
    assert err.value.params["field"] == "credits[0].amount"


@given(
    opening=st.decimals(min_value=0, max_value=10_000_000, places=2),
    rate=st.decimals(min_value=0, max_value=Decimal("0.2"), places=4),
    credits=st.lists(
        st.tuples(st.integers(1, 12), st.decimals(min_value=0, max_value=50_000, places=2)),
        max_size=24,
    ),
)
def test_interest_is_never_negative_for_a_non_negative_rate(opening, rate, credits):
    result = account_interest(
        year=2030,
        opening=opening,
        credits=[MonthlyCredit(203000 + m, amount) for m, amount in credits],
        rate=param("account.crediting_rate", rate),
    )
    outcome = result.value
    assert outcome.interest >= 0
    assert outcome.interest_on_opening >= 0
    assert outcome.interest_on_credits >= 0
    assert outcome.interest_on_opening + outcome.interest_on_credits == outcome.interest
    assert outcome.closing_balance == opening + outcome.credits_total + outcome.interest
