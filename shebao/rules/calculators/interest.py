"""Yearly interest crediting (结息) of the individual pension account at the national crediting
rate (记账利率), by the monthly-product method (rules.md §2.2–2.4, 劳办发〔1997〕116号).

    closing = opening × (1 + r) + Σ credits + Σ(credit of month n × (13 − n)) × r / 12

A credit of month n earns interest for 13 − n months: January's for twelve, December's for
one. The amount is rounded once, at the closing balance; interest is what the closing balance
adds to the opening balance and the credits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from shebao.core.errors import RuleViolation, register_rule
from shebao.core.money import round_to_fen
from shebao.rules.params import ParamValue
from shebao.rules.trace import Result, Trace

_BASIS = "劳办发〔1997〕116号; 社会保险法 art. 14"
register_rule(
    "ACC-INT-RATE",
    "按当年记账利率计息；当年利率未公布时，按最近公布的利率暂计，公布后多退少补",
    "Interest at the year's crediting rate; before it is published, provisionally at the latest "
    "published rate, trued up when it appears",
    "劳办发〔1997〕116号; rules.md §2.4",
    kind="calculation",
)
register_rule(
    "ACC-INT-OPENING",
    "上年结转额利息 = 年初余额 × 记账利率",
    "Interest on the opening balance = opening balance × crediting rate",
    _BASIS,
    kind="calculation",
)
register_rule(
    "ACC-INT-CREDITS",
    "当年记账额利息 = Σ(第n月记账额 × (13 − n)) × 记账利率 ÷ 12（月积数法）",
    "Interest on the year's credits = Σ(credit of month n × (13 − n)) × rate ÷ 12 "
    "(monthly products)",
    _BASIS,
    kind="calculation",
)
register_rule(
    "ACC-INT-CLOSING",
    "年末余额 = 年初余额 + 当年记账额 + 利息，仅在此处四舍五入到分",
    "Closing balance = opening + credits + interest, rounded half-up to the fen here only",
    _BASIS,
    kind="calculation",
)
register_rule(
    "ACC-CREDIT-OUTSIDE-YEAR",
    "记账月份 {month} 不在计息年度 {year} 之内。",
    "The credit of {month} is not in the interest year {year}.",
    "劳办发〔1997〕116号",
)

# Shown in the trace only: the unrounded interest on credits has up to 28 digits.
_SHOWN = Decimal("0.000001")


@dataclass(frozen=True)
class MonthlyCredit:
    """An amount credited to the account in a period (YYYYMM)."""

    period: int
    amount: Decimal


@dataclass(frozen=True)
class InterestOutcome:
    rate: Decimal
    rate_year: int
    provisional: bool
    credits_total: Decimal
    interest_on_opening: Decimal
    interest_on_credits: Decimal
    interest: Decimal
    closing_balance: Decimal


def account_interest(
    *, year: int, opening: Decimal, credits: Sequence[MonthlyCredit], rate: ParamValue
) -> Result[InterestOutcome]:
    """A year's interest and closing balance; ``rate`` is the crediting rate in force for the
    year, which is provisional when it was published for an earlier year."""
    for credit in credits:
        if credit.period // 100 != year:
            month = f"{credit.period // 100:04d}-{credit.period % 100:02d}"
            raise RuleViolation("ACC-CREDIT-OUTSIDE-YEAR", month=month, year=year)
    trace = Trace()
    r = rate.decimal()
    rate_year = rate.effective_from.year
    provisional = rate_year != year
    if provisional:
        note = f"{year} rate not published: provisionally the {rate_year} rate"
    else:
        note = f"{year} rate"
    trace.add("ACC-INT-RATE", note, r, rate.ref)
    on_opening = opening * r
    trace.add("ACC-INT-OPENING", f"{opening} × {r}", on_opening, rate.ref)
    month_products = sum(
        (credit.amount * (13 - credit.period % 100) for credit in credits), Decimal(0)
    )
    on_credits = month_products * r / 12
    trace.add(
        "ACC-INT-CREDITS",
        f"{month_products} × {r} ÷ 12 (shown to 6 places, unrounded)",
        on_credits.quantize(_SHOWN),
        rate.ref,
    )
    credits_total = sum((credit.amount for credit in credits), Decimal(0))
    closing = round_to_fen(opening + on_opening + credits_total + on_credits)
    trace.add("ACC-INT-CLOSING", f"{opening} + {credits_total} + interest", closing)
    interest = closing - opening - credits_total
    # The parts are shown to the fen and must add up to the interest: the credits' part is
    # rounded on its own, so any fen left over by the single rounding of the closing balance
    # belongs to the opening balance's part.
    interest_on_credits = round_to_fen(on_credits)
    outcome = InterestOutcome(
        rate=r,
        rate_year=rate_year,
        provisional=provisional,
        credits_total=credits_total,
        interest_on_opening=interest - interest_on_credits,
        interest_on_credits=interest_on_credits,
        interest=interest,
        closing_balance=closing,
    )
    return Result(outcome, trace)
