"""Transfer out of the province: the whole account + 12% pooled part (rules.md §2.6)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shebao.core.errors import RuleViolation
from shebao.rules.calc import run_calc
from shebao.rules.calculators.transfer import MonthlyBase, transfer_out
from shebao.rules.tests.params import param, shipped


def transfer(**fields: Any) -> dict[str, Any]:
    return run_calc("transfer", {"on": "2025-06-30", **fields}, shipped())


def refused(**fields: Any) -> str:
    with pytest.raises(RuleViolation) as err:
        transfer(**fields)
    return err.value.code


def months(first: str, count: int, base: str) -> list[dict[str, str]]:
    year, month = map(int, first.split("-"))
    out = []
    for _ in range(count):
        out.append({"period": f"{year:04d}-{month:02d}", "base": base})
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def test_rules_example_6000_a_month_for_12_months_sends_8640():
    out = transfer(account_balance="35000.00", monthly_bases=months("2024-01", 12, "6000.00"))
    assert out["pooled"] == "8640.00"
    assert out["account"] == "35000.00"
    assert out["total"] == "43640.00"
    assert [s["rule"] for s in out["trace"]] == [
        "TRF-ACCOUNT",
        "TRF-POOLED-START",
        "TRF-POOLED",
        "TRF-TOTAL",
    ]


def test_months_before_1998_are_ignored_and_the_trace_says_so():
    bases = months("1997-11", 4, "1000.00")  # 1997-11, 1997-12, 1998-01, 1998-02
    out = transfer(account_balance="0.00", monthly_bases=bases)
    assert out["pooled"] == "240.00"
    assert (out["months_counted"], out["months_ignored"]) == (2, 2)
    assert "2 earlier months ignored" in out["trace"][1]["description"]


def test_part_year_counts_by_month():
    out = transfer(account_balance="0.00", monthly_bases=months("2025-01", 5, "4321.37"))
    assert out["pooled"] == "2592.82"  # 21606.85 × 0.12 = 2592.822


def test_pooled_part_is_rounded_once_on_the_sum():
    # Per month 1000.04 × 0.12 = 120.0048 → 120.00 (360.00 in all); on the sum 3000.12 × 0.12 =
    # 360.0144 → 360.01.
    out = transfer(account_balance="0.00", monthly_bases=months("2025-01", 3, "1000.04"))
    assert out["pooled"] == "360.01"


def test_no_months_moves_the_account_only():
    out = transfer(account_balance="1234.56", monthly_bases=[])
    assert (out["pooled"], out["total"]) == ("0.00", "1234.56")


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"monthly_bases": months("2025-01", 1, "1.00") * 2}, "TRF-PERIOD-DUPLICATE"),
        ({"monthly_bases": months("2025-07", 1, "1.00")}, "TRF-PERIOD-AFTER-TRANSFER"),
        ({"on": "2009-12-31", "monthly_bases": []}, "PARAM-NO-VALUE"),
        ({"monthly_bases": months("2025-01", 1, "-1.00")}, "CALC-INPUT-INVALID"),
        ({"monthly_bases": [{"period": "2025-1", "base": "1.00"}]}, "CALC-INPUT-INVALID"),
        ({"account_balance": "-5.00", "monthly_bases": []}, "CALC-INPUT-INVALID"),
        ({"on": "2025-02-30", "monthly_bases": []}, "CALC-INPUT-INVALID"),
        ({}, "CALC-INPUT-MISSING"),
    ],
)
def test_bad_input_is_refused_with_a_rule_code(fields, code):
    assert refused(**{"account_balance": "100.00", **fields}) == code


def test_without_a_date_the_transfer_is_as_of_today():
    out = run_calc("transfer", {"account_balance": "0.00", "monthly_bases": []}, shipped())
    assert date.fromisoformat(out["on"]) >= date(2025, 1, 1)


@given(
    balance=st.decimals(min_value=0, max_value=1_000_000, places=2),
    bases=st.dictionaries(
        st.integers(min_value=1990 * 12, max_value=2030 * 12 + 11),
        st.decimals(min_value=0, max_value=100_000, places=2),
        max_size=60,
    ),
)
def test_pooled_is_12_percent_of_the_bases_from_1998_rounded_once(balance, bases):
    monthly = [MonthlyBase(period=(i // 12) * 100 + i % 12 + 1, base=b) for i, b in bases.items()]
    result = transfer_out(
        account_balance=balance,
        monthly_bases=monthly,
        pooled_rate=param("transfer.pooled_rate", Decimal("0.12")),
        pooled_start=param("transfer.pooled_start", date(1998, 1, 1), unit="date"),
    )
    counted = sum((m.base for m in monthly if m.period >= 199801), Decimal(0))
    expected = (counted * Decimal("0.12")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert result.value.pooled == expected >= 0
    assert result.value.total == balance + expected
    assert result.value.months_counted + result.value.months_ignored == len(monthly)
