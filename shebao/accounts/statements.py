"""The yearly account statement (个人账户对账单), assembled from journal entries.

Pure: the entries of the year, the balance brought forward and the credited amount of each
contribution period are passed in; nothing here reads the database. The figures add up by
construction, to the fen: opening + credits + interest + other entries = closing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from shebao.accounts.models import AccountEntry, EntryKind


@dataclass(frozen=True)
class MonthCredit:
    """The contribution credits that count in one month of the year (the month is their
    contribution period, so ``periods`` is normally that one period)."""

    month: int
    periods: tuple[int, ...]
    amount_fen: int
    entries: int


@dataclass(frozen=True)
class InterestLine:
    """One interest entry: the year's crediting, or a provisional crediting at an event and
    its true-up when the year's rate is published (rules.md §2.4)."""

    month: int
    amount_fen: int
    rate: str
    provisional: bool
    note: str

    @property
    def rate_percent(self) -> str:
        return rate_percent(self.rate)


@dataclass(frozen=True)
class OtherLine:
    """A transfer, correction, payout, inheritance, refund or migrated balance."""

    kind: str
    month: int
    period: int | None
    amount_fen: int
    note: str

    @property
    def kind_label(self) -> str:
        return str(EntryKind(self.kind).label)


@dataclass(frozen=True)
class Statement:
    year: int
    opening_fen: int
    credits: tuple[MonthCredit, ...]
    interest: tuple[InterestLine, ...]
    others: tuple[OtherLine, ...]
    contribution_months: int

    @property
    def credits_fen(self) -> int:
        return sum(credit.amount_fen for credit in self.credits)

    @property
    def interest_fen(self) -> int:
        return sum(line.amount_fen for line in self.interest)

    @property
    def others_fen(self) -> int:
        return sum(line.amount_fen for line in self.others)

    @property
    def closing_fen(self) -> int:
        return self.opening_fen + self.credits_fen + self.interest_fen + self.others_fen

    @property
    def provisional(self) -> bool:
        return any(line.provisional for line in self.interest)


def rate_percent(rate: str) -> str:
    """``"0.0262"`` → ``"2.62%"``; what is not a number is shown as stored."""
    try:
        value = Decimal(rate)
    except InvalidOperation:
        return rate
    if not value.is_finite():
        return rate
    percent = (value * 100).normalize()
    text = format(percent, "f")
    if "." not in text:
        text += ".00"
    elif len(text.split(".")[1]) < 2:
        text += "0"
    return f"{text}%"


def contribution_months(period_totals: Mapping[int, int]) -> int:
    """Months with a contribution credit (累计缴费月数): each period whose credits add up to
    more than nothing counts once, however many entries it has; a credit reversed in full
    leaves its month uncounted."""
    return sum(1 for total in period_totals.values() if total > 0)


def statement_assemble(
    *,
    year: int,
    opening_fen: int,
    entries: Iterable[AccountEntry],
    period_totals: Mapping[int, int],
) -> Statement:
    """The statement of ``year`` from the entries that count in it (any order).

    ``period_totals`` is the net credit of every contribution period up to the end of the
    year, for the cumulative months.
    """
    credits: dict[int, list[AccountEntry]] = {}
    interest: list[InterestLine] = []
    others: list[OtherLine] = []
    for entry in sorted(entries, key=lambda e: (e.month, e.pk or 0)):
        if entry.year != year:
            raise ValueError(f"entry {entry.pk} counts in {entry.year}, not {year}")
        if entry.kind == EntryKind.CONTRIBUTION:
            credits.setdefault(entry.month, []).append(entry)
        elif entry.kind == EntryKind.INTEREST:
            interest.append(
                InterestLine(
                    month=entry.month,
                    amount_fen=entry.amount_fen,
                    rate=entry.rate,
                    provisional=entry.provisional,
                    note=entry.note,
                )
            )
        else:
            others.append(
                OtherLine(
                    kind=entry.kind,
                    month=entry.month,
                    period=entry.period,
                    amount_fen=entry.amount_fen,
                    note=entry.note,
                )
            )
    return Statement(
        year=year,
        opening_fen=opening_fen,
        credits=tuple(_month_credit(month, group) for month, group in sorted(credits.items())),
        interest=tuple(interest),
        others=tuple(others),
        contribution_months=contribution_months(period_totals),
    )


def _month_credit(month: int, entries: Sequence[AccountEntry]) -> MonthCredit:
    periods = sorted({entry.period for entry in entries if entry.period is not None})
    return MonthCredit(
        month=month,
        periods=tuple(periods),
        amount_fen=sum(entry.amount_fen for entry in entries),
        entries=len(entries),
    )
