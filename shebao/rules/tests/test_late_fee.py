"""Late fee: 0.05% a day (rules.md §10)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from shebao.rules.calc import run_calc
from shebao.rules.calculators.late_fee import late_fee
from shebao.rules.tests.params import param, shipped


def test_rules_example_10000_for_30_days_is_150():
    out = run_calc(
        "late-fee", {"amount": "10000.00", "due": "2025-01-15", "paid": "2025-02-14"}, shipped()
    )
    assert out["days"] == 30
    assert out["late_fee"] == "150.00"
    assert out["parameters"][0]["key"] == "collection.late_fee.daily_rate"
    assert [step["rule"] for step in out["trace"]] == ["LATE-DAYS", "LATE-FEE"]


def test_paid_on_the_due_date_costs_nothing():
    rate = param("collection.late_fee.daily_rate", Decimal("0.0005"))
    result = late_fee(
        amount=Decimal("999.99"), due=date(2025, 3, 1), paid=date(2025, 3, 1), daily_rate=rate
    )
    assert result.value.late_fee == Decimal("0.00")


@given(
    amount=st.decimals(min_value=0, max_value=10_000_000, places=2),
    days=st.integers(min_value=0, max_value=3650),
)
def test_fee_is_half_up_rounded_product(amount: Decimal, days: int):
    rate = param("collection.late_fee.daily_rate", Decimal("0.0005"))
    due = date(2020, 1, 1)
    result = late_fee(
        amount=amount, due=due, paid=date.fromordinal(due.toordinal() + days), daily_rate=rate
    )
    exact = amount * Decimal("0.0005") * days
    assert abs(result.value.late_fee - exact) <= Decimal("0.005")
    assert result.value.late_fee >= 0
