"""Owed against paid, month by month (shebao/benefits/ledger.py, pure)."""

from __future__ import annotations

from shebao.benefits.ledger import (
    MonthDifference,
    Rate,
    Terms,
    differences,
    first_comparable,
    owed,
    rate_in_force,
)

RATES = [
    Rate(effective_period=202503, monthly_fen=300_000, seq=1),
    Rate(effective_period=202601, monthly_fen=306_000, seq=2),  # the 2026 adjustment
    Rate(effective_period=202601, monthly_fen=306_500, seq=3),  # corrected the same month
]
TERMS = Terms(start_period=202503, end_period=None, settled_through=None)


def test_the_newest_rate_in_force_applies_and_the_later_of_two_for_one_month():
    assert rate_in_force(RATES, 202502) == 0
    assert rate_in_force(RATES, 202503) == 300_000
    assert rate_in_force(RATES, 202512) == 300_000
    assert rate_in_force(RATES, 202601) == 306_500
    assert rate_in_force(list(reversed(RATES)), 202607) == 306_500


def test_months_settled_outside_shebao_and_before_the_start_are_not_owed():
    settled = Terms(start_period=202001, end_period=None, settled_through=202608)
    assert first_comparable(TERMS) == 202503
    assert first_comparable(settled) == 202609
    assert owed(settled, RATES, 202608) == 0
    assert owed(settled, RATES, 202609) == 306_500
    assert owed(TERMS, RATES, 202502) == 0


def test_nothing_is_owed_after_the_last_month_due():
    died = Terms(start_period=202503, end_period=202605, settled_through=None)
    assert owed(died, RATES, 202605) == 306_500
    assert owed(died, RATES, 202606) == 0


def test_differences_list_back_pay_and_overpayment_oldest_first():
    paid = {202503: 300_000, 202504: 300_000, 202601: 306_000, 202602: 306_500}
    found = differences(terms=TERMS, rates=RATES, paid=paid, first=202503, last=202603)
    assert [(d.period, d.difference_fen) for d in found] == [
        *[(period, 300_000) for period in range(202505, 202513)],
        (202601, 500),
        (202603, 306_500),
    ]
    assert sum(d.difference_fen for d in found) == 8 * 300_000 + 500 + 306_500


def test_a_payment_after_death_is_a_negative_difference():
    died = Terms(start_period=202503, end_period=202601, settled_through=None)
    found = differences(
        terms=died, rates=RATES, paid={202601: 306_500, 202602: 306_500}, first=202601, last=202602
    )
    assert found == [MonthDifference(202602, 0, 306_500)]
    assert found[0].difference_fen == -306_500


def test_a_window_before_the_first_comparable_month_is_empty():
    settled = Terms(start_period=202001, end_period=None, settled_through=202608)
    assert differences(terms=settled, rates=RATES, paid={}, first=202501, last=202608) == []
