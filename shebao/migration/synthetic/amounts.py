"""Periods and money of the synthetic history: its months, the schemes' contribution shares,
a month's contribution to the fen, and the crediting rate of a year's account interest."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from shebao.core.money import round_to_fen
from shebao.rules.params import NATIONAL, ParamValue, YamlParameters, default_parameter_dir

FIRST_PERIOD = 201601  # the first month of the generated history
LAST_START = 202412  # the latest start of a relation
LAST_PERIOD = 202512  # the last month paid, and the paid_through of every retiree
LAST_YEAR = LAST_PERIOD // 100
PENSION, UNEMPLOYMENT, WORK_INJURY = "110", "210", "410"


# (employer, individual, account credit) shares of the base. A flexible worker (灵活就业)
# pays the whole 20 % himself; 8 points of it go to his account as for an employee.
_SHARES: dict[tuple[str, bool], tuple[Decimal, Decimal, Decimal]] = {
    (PENSION, False): (Decimal("0.16"), Decimal("0.08"), Decimal("0.08")),
    (PENSION, True): (Decimal(0), Decimal("0.20"), Decimal("0.08")),
    (UNEMPLOYMENT, False): (Decimal("0.007"), Decimal("0.003"), Decimal(0)),
    (WORK_INJURY, False): (Decimal("0.005"), Decimal(0), Decimal(0)),
}


def add_months(period: int, months: int) -> int:
    index = (period // 100) * 12 + period % 100 - 1 + months
    return (index // 12) * 100 + index % 12 + 1


def month_span(first: int, last: int) -> int:
    """Months from ``first`` to ``last``, both included."""
    return (last // 100 - first // 100) * 12 + last % 100 - first % 100 + 1


def year_months(first: int, last: int) -> Iterator[tuple[int, range]]:
    """The months from ``first`` to ``last`` (YYYYMM, both included), year by year."""
    for year in range(first // 100, last // 100 + 1):
        low = first if year == first // 100 else year * 100 + 1
        high = last if year == last // 100 else year * 100 + 12
        yield year, range(low, high + 1)


def yuan(fen: int) -> str:
    """Fen as the file writes money: yuan with two decimals, no separators (``4299.00``)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def to_fen(amount: Decimal) -> int:
    return int(round_to_fen(amount).scaleb(2))


@dataclass(frozen=True)
class _Amounts:
    """One month's contribution for a base and scheme, as fen and as the file's text."""

    fen: tuple[int, int, int, int]  # base, employer, individual, account credit
    text: tuple[str, str, str, str]
    credit: Decimal


@lru_cache(maxsize=65536)
def contribution_amounts(base_yuan: int, scheme: str, flexible: bool) -> _Amounts:
    """Every part of a month's contribution, each rounded half-up to the fen on its own."""
    base = Decimal(base_yuan)
    employer, individual, credit = (
        round_to_fen(base * share) for share in _SHARES[scheme, flexible]
    )
    fen = (base_yuan * 100, to_fen(employer), to_fen(individual), to_fen(credit))
    return _Amounts(fen, (yuan(fen[0]), yuan(fen[1]), yuan(fen[2]), yuan(fen[3])), credit)


@lru_cache(maxsize=1)
def _parameters() -> YamlParameters:
    return YamlParameters.from_directory(default_parameter_dir())


@lru_cache(maxsize=64)
def crediting_rate(year: int) -> ParamValue:
    """The national crediting rate in force for a year's interest (as the loader looks it up)."""
    return _parameters().lookup("account.crediting_rate", NATIONAL, date(year, 12, 31))
