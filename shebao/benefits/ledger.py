"""Owed against paid, month by month (pure: no database).

A month is owed the rate in force for it when it lies between the pension's first paid month
and its last month due, and after the months settled outside shebao. It is paid the sum of its
payroll lines the bank did not return. Every back payment, resumption and overpayment is a
difference of the two.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shebao.core.periods import period_add, period_range


@dataclass(frozen=True)
class Rate:
    effective_period: int
    monthly_fen: int
    seq: int  # the later of two rates with the same effective period applies


@dataclass(frozen=True)
class Terms:
    """What decides which months are owed."""

    start_period: int
    end_period: int | None
    settled_through: int | None


@dataclass(frozen=True)
class MonthDifference:
    period: int
    owed_fen: int
    paid_fen: int

    @property
    def difference_fen(self) -> int:
        """Positive: still to pay; negative: paid too much."""
        return self.owed_fen - self.paid_fen


def rate_in_force(rates: Iterable[Rate], period: int) -> int:
    """The monthly amount of the newest rate effective in or before ``period`` (0 before any)."""
    applicable = [r for r in rates if r.effective_period <= period]
    if not applicable:
        return 0
    return max(applicable, key=lambda r: (r.effective_period, r.seq)).monthly_fen


def first_comparable(terms: Terms) -> int:
    """The first month shebao answers for: after the settled months, from the first paid."""
    if terms.settled_through is None:
        return terms.start_period
    return max(terms.start_period, period_add(terms.settled_through, 1))


def owed(terms: Terms, rates: Iterable[Rate], period: int) -> int:
    if period < first_comparable(terms):
        return 0
    if terms.end_period is not None and period > terms.end_period:
        return 0
    return rate_in_force(rates, period)


def differences(
    *,
    terms: Terms,
    rates: list[Rate],
    paid: Mapping[int, int],
    first: int,
    last: int,
) -> list[MonthDifference]:
    """The months from ``first`` to ``last`` where owed and paid differ, oldest first.

    Months before the first comparable month are never compared (they were settled outside
    shebao or precede the pension).
    """
    start = max(first, first_comparable(terms))
    if start > last:
        return []
    out = []
    for period in period_range(start, last):
        owed_fen = owed(terms, rates, period)
        paid_fen = paid.get(period, 0)
        if owed_fen != paid_fen:
            out.append(MonthDifference(period, owed_fen, paid_fen))
    return out
