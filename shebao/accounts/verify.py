"""Verification of the pension accounts (个人账户核对): every account recomputed from its
journal, and again from the contribution history, with the discrepancies listed.

For each person and year:

* the journal's figures: Σ entries per year (the year-end balances), its contribution credits
  per period, its interest per year;
* the history's: the account credits of the person's *paid* assessment lines per period, and
  the interest the calculator (monthly-product method, rules.md §2.3) gives on that history
  at the year's own published crediting rate. Transfers, payouts, inheritances, refunds,
  migrated balances and corrections are taken from the journal as given.

An entry that reverses another counts with what it reverses: a reversed contribution credit
with the credit's period, a reversed interest entry with that interest's year; so a mistake put
right by its reversal compares equal.

Interest is checked for the years that have ended and whose own rate is published (the annual
crediting has run for them); in the current year, or one whose rate is not out yet, the
journal's interest (a provisional crediting at a retirement or a transfer) is taken as given.

Set-based: two aggregate queries (paid lines per person and period; entries per person, year,
month and kind), both ordered by person and streamed side by side, so one person's figures
are in memory at a time; the interest part is computed in Python from those aggregates.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from shebao.accounts.models import AccountEntry, EntryKind
from shebao.contributions.models import AccountPosting, AssessmentLine
from shebao.core.errors import RuleViolation
from shebao.core.masking import mask_resident_id
from shebao.core.models import Agency
from shebao.core.money import fen_to_yuan, format_yuan, yuan_to_fen
from shebao.core.periods import period_format
from shebao.registry.models import Person
from shebao.rules.calculators.interest import MonthlyCredit, account_interest
from shebao.rules.params import NATIONAL, ParameterSource, ParamValue
from shebao.rules.store import DatabaseParameters

RATE_KEY = "account.crediting_rate"
STREAM_CHUNK = 5000
_PERSON_BATCH = 2000


@dataclass
class Ledger:
    """One person's figures, from the two aggregates."""

    person_id: int
    paid: dict[int, int] = field(default_factory=dict)  # period → Σ paid account credits
    credited: dict[int, int] = field(default_factory=dict)  # period → Σ journal credits
    interest: dict[int, int] = field(default_factory=dict)  # year → Σ journal interest
    others: dict[int, dict[int, int]] = field(default_factory=dict)  # year → month → Σ
    carried: dict[int, int] = field(default_factory=dict)  # year → Σ migrated year-end balances
    movements: dict[int, int] = field(default_factory=dict)  # year → Σ all entries

    def years(self) -> set[int]:
        periods = set(self.paid) | set(self.credited)
        return (
            {period // 100 for period in periods}
            | set(self.interest)
            | set(self.others)
            | set(self.carried)
            | set(self.movements)
        )


@dataclass(frozen=True)
class Difference:
    """One figure of a year that the journal and the history disagree on."""

    what: str  # "contributions" or "interest"
    year: int
    period: int | None
    expected_fen: int
    found_fen: int

    def describe(self) -> str:
        label = period_format(self.period) if self.period is not None else str(self.year)
        return (
            f"{self.what} {label}: expected {format_yuan(self.expected_fen)}, "
            f"found {format_yuan(self.found_fen)}"
        )


@dataclass(frozen=True)
class Discrepancy:
    """An account that differs from its history: the balance now by the history and by the
    journal, the first year a figure differs and that year's differences."""

    person_id: int
    first_year: int
    expected_fen: int
    found_fen: int
    differences: tuple[Difference, ...]
    later_differences: int
    resident_id: str = ""  # masked

    def describe(self) -> str:
        details = "; ".join(difference.describe() for difference in self.differences)
        if self.later_differences:
            details += f" (+{self.later_differences} in later years)"
        return (
            f"{self.resident_id or self.person_id}  first differs in {self.first_year}  "
            f"balance expected {format_yuan(self.expected_fen)}, found "
            f"{format_yuan(self.found_fen)}  [{details}]"
        )


@dataclass(frozen=True)
class VerifyReport:
    checked: int
    discrepancies: tuple[Discrepancy, ...]
    waiting_postings: int

    @property
    def clean(self) -> bool:
        return not self.discrepancies


class CreditingRates:
    """The crediting rate of each year once published, and the last year interest is due
    for: the latest ended year with its own published rate."""

    def __init__(self, source: ParameterSource, today: date) -> None:
        self._source = source
        self._today = today
        self._cache: dict[int, ParamValue | None] = {}

    def published(self, year: int) -> ParamValue | None:
        """The year's own rate, when it is published and the year has ended."""
        if year not in self._cache:
            try:
                rate = self._source.lookup(RATE_KEY, NATIONAL, date(year, 12, 31))
            except RuleViolation:  # before the first published rate
                rate = None
            if rate is not None and rate.effective_from.year != year:
                rate = None
            self._cache[year] = rate if year < self._today.year else None
        return self._cache[year]

    @cached_property
    def last_due_year(self) -> int | None:
        """The year the latest crediting was due for: the last ended year's own rate, or the
        latest published before it."""
        year = self._today.year - 1
        try:
            rate = self._source.lookup(RATE_KEY, NATIONAL, date(year, 12, 31))
        except RuleViolation:
            return None
        return rate.effective_from.year


def ledger_check(ledger: Ledger, rates: CreditingRates) -> Discrepancy | None:
    """Walk the person's years in order, recomputing the history's balance as it goes."""
    years = ledger.years()
    if not years:
        return None
    last = max(years)
    due = rates.last_due_year
    if due is not None:
        last = max(last, due)
    paid, credited = _by_year(ledger.paid), _by_year(ledger.credited)
    opening = 0
    differences: list[Difference] = []
    for year in range(min(years), last + 1):
        found_interest = ledger.interest.get(year, 0)
        interest, closing = _year_recomputed(
            year,
            opening,
            paid.get(year, {}),
            ledger.others.get(year, {}),
            rates.published(year),
            found_interest,
            ledger.carried.get(year, 0),
        )
        for month in sorted(set(paid.get(year, {})) | set(credited.get(year, {}))):
            period = year * 100 + month
            expected, found = ledger.paid.get(period, 0), ledger.credited.get(period, 0)
            if expected != found:
                differences.append(Difference("contributions", year, period, expected, found))
        if interest != found_interest:
            differences.append(Difference("interest", year, None, interest, found_interest))
        opening = closing
    if not differences:
        return None
    first_year = min(difference.year for difference in differences)
    first = tuple(d for d in differences if d.year == first_year)
    return Discrepancy(
        person_id=ledger.person_id,
        first_year=first_year,
        expected_fen=opening,
        found_fen=sum(ledger.movements.values()),
        differences=first,
        later_differences=len(differences) - len(first),
    )


def _by_year(per_period: dict[int, int]) -> dict[int, dict[int, int]]:
    """period → amount, as year → month → amount."""
    years: dict[int, dict[int, int]] = {}
    for period, amount in per_period.items():
        years.setdefault(period // 100, {})[period % 100] = amount
    return years


def _year_recomputed(
    year: int,
    opening_fen: int,
    paid: dict[int, int],
    others: dict[int, int],
    rate: ParamValue | None,
    found_interest: int,
    carried_fen: int = 0,
) -> tuple[int, int]:
    """The year's interest and closing balance by the history: the paid credits and the
    other entries of each month, at the year's rate; without one, the journal's interest.
    A migrated year-end balance (``carried_fen``) earns nothing in its own year."""
    credits = dict(paid)
    for month, amount in others.items():
        credits[month] = credits.get(month, 0) + amount
    if rate is None:
        interest = found_interest  # not checked: taken as given
    else:
        outcome = account_interest(
            year=year,
            opening=fen_to_yuan(opening_fen),
            credits=[
                MonthlyCredit(period=year * 100 + month, amount=fen_to_yuan(amount))
                for month, amount in sorted(credits.items())
            ],
            rate=rate,
        ).value
        interest = yuan_to_fen(outcome.interest)
    return interest, opening_fen + sum(credits.values()) + interest + carried_fen


# --- the two aggregates, streamed by person -------------------------------------------------


def _in_agency(agency: Agency | None) -> Q:
    return Q(person__managing_agency__path__startswith=agency.path) if agency else Q()


def paid_credits_query(agency: Agency | None) -> QuerySet[AssessmentLine, tuple[Any, ...]]:
    """(person, period, Σ account credit) of the paid lines."""
    return (
        AssessmentLine.objects.filter(_in_agency(agency), paid_on__isnull=False)
        .exclude(account_credit_fen=0)
        .values_list("person_id", "period")
        .annotate(total=Sum("account_credit_fen"))
        .order_by("person_id", "period")
    )


def entry_sums_query(agency: Agency | None) -> QuerySet[AccountEntry, tuple[Any, ...]]:
    """(person, year, month, kind, period, and the kind, year and period of the entry it
    reverses, Σ amount) of the journal."""
    return (
        AccountEntry.objects.filter(_in_agency(agency))
        .values_list(
            "person_id",
            "year",
            "month",
            "kind",
            "period",
            "reverses__kind",
            "reverses__year",
            "reverses__period",
        )
        .annotate(total=Sum("amount_fen"))
        .order_by("person_id", "year", "month")
    )


def ledger_add_entries(ledger: Ledger, rows: list[tuple[Any, ...]]) -> None:
    for row in rows:
        year, month, kind, period, reversed_kind, reversed_year, reversed_period, total = row[1:]
        amount = int(total)
        ledger.movements[year] = ledger.movements.get(year, 0) + amount
        if EntryKind.CONTRIBUTION in (kind, reversed_kind):
            if reversed_kind == EntryKind.CONTRIBUTION:
                period = reversed_period
            credited = int(period) if period is not None else year * 100 + month
            ledger.credited[credited] = ledger.credited.get(credited, 0) + amount
        elif EntryKind.INTEREST in (kind, reversed_kind):
            counts_in = reversed_year if reversed_kind == EntryKind.INTEREST else year
            ledger.interest[counts_in] = ledger.interest.get(counts_in, 0) + amount
        elif EntryKind.MIGRATED in (kind, reversed_kind):
            ledger.carried[year] = ledger.carried.get(year, 0) + amount
        else:
            months = ledger.others.setdefault(year, {})
            months[month] = months.get(month, 0) + amount


def _by_person(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    for person_id, group in itertools.groupby(rows, key=lambda row: row[0]):
        yield int(person_id), list(group)


def ledgers_stream(agency: Agency | None) -> Iterator[Ledger]:
    """Each person's ledger, merging the two streams ordered by person."""
    lines = _by_person(paid_credits_query(agency).iterator(chunk_size=STREAM_CHUNK))
    entries = _by_person(entry_sums_query(agency).iterator(chunk_size=STREAM_CHUNK))
    line = next(lines, None)
    entry = next(entries, None)
    while line is not None or entry is not None:
        person_id = min(group[0] for group in (line, entry) if group is not None)
        ledger = Ledger(person_id)
        if line is not None and line[0] == person_id:
            ledger.paid = {int(period): int(total) for _person, period, total in line[1]}
            line = next(lines, None)
        if entry is not None and entry[0] == person_id:
            ledger_add_entries(ledger, entry[1])
            entry = next(entries, None)
        yield ledger


def _masked(discrepancies: list[Discrepancy]) -> tuple[Discrepancy, ...]:
    named: list[Discrepancy] = []
    for start in range(0, len(discrepancies), _PERSON_BATCH):
        batch = discrepancies[start : start + _PERSON_BATCH]
        ids = dict(
            Person.objects.filter(pk__in=[d.person_id for d in batch]).values_list(
                "pk", "resident_id"
            )
        )
        for discrepancy in batch:
            resident_id = mask_resident_id(ids.get(discrepancy.person_id))
            named.append(_with_resident_id(discrepancy, resident_id))
    return tuple(named)


def _with_resident_id(discrepancy: Discrepancy, resident_id: str) -> Discrepancy:
    return Discrepancy(
        person_id=discrepancy.person_id,
        first_year=discrepancy.first_year,
        expected_fen=discrepancy.expected_fen,
        found_fen=discrepancy.found_fen,
        differences=discrepancy.differences,
        later_differences=discrepancy.later_differences,
        resident_id=resident_id,
    )


def accounts_verify(
    *,
    agency: Agency | None = None,
    source: ParameterSource | None = None,
    today: date | None = None,
) -> VerifyReport:
    """Check every account of ``agency``'s subtree (the whole province without one)."""
    rates = CreditingRates(source or DatabaseParameters(), today or timezone.localdate())
    checked = 0
    found: list[Discrepancy] = []
    # One transaction, so PostgreSQL streams both aggregates through plain server-side
    # cursors instead of materialising them WITH HOLD.
    with transaction.atomic():
        for ledger in ledgers_stream(agency):
            checked += 1
            discrepancy = ledger_check(ledger, rates)
            if discrepancy is not None:
                found.append(discrepancy)
        waiting = AccountPosting.objects.filter(
            _in_agency(agency), consumed_at__isnull=True
        ).count()
    return VerifyReport(checked=checked, discrepancies=_masked(found), waiting_postings=waiting)
