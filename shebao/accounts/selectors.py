"""Reads of the pension accounts: a person's year-end balances and the statement of a year.

The person is found through the registry's scoped read, so an account outside the viewer's
agency subtree reads as absent (404), exactly like the person.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from shebao.accounts.models import AccountEntry, EntryKind
from shebao.accounts.statements import Statement, statement_assemble
from shebao.core.actors import Actor
from shebao.core.periods import MAX_YEAR, MIN_YEAR
from shebao.registry.models import Person
from shebao.registry.selectors import person_get


@dataclass(frozen=True)
class YearEnd:
    """What a year added to the account, and the balance at its end (年末余额)."""

    year: int
    movement_fen: int
    balance_fen: int


@dataclass(frozen=True)
class AccountSummary:
    person: Person
    year_ends: tuple[YearEnd, ...]

    @property
    def balance_fen(self) -> int:
        return self.year_ends[-1].balance_fen if self.year_ends else 0

    @property
    def years(self) -> list[int]:
        return [year_end.year for year_end in self.year_ends]

    def opening_fen(self, year: int) -> int:
        """The balance brought forward into ``year``: the end of the last year before it."""
        balance = 0
        for year_end in self.year_ends:
            if year_end.year >= year:
                break
            balance = year_end.balance_fen
        return balance


def account_person_get(actor: Actor, person_id: int) -> Person:
    return person_get(actor, person_id)


def statement_year_valid(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR


def account_summary(person: Person) -> AccountSummary:
    """Every year from the first entry's to the last's, gaps included (a year without entries
    carries its balance over), in one query."""
    movements = dict(
        AccountEntry.objects.filter(person=person)
        .values("year")
        .annotate(total=Sum("amount_fen"))
        .order_by("year")
        .values_list("year", "total")
    )
    year_ends: list[YearEnd] = []
    if movements:
        balance = 0
        for year in range(min(movements), max(movements) + 1):
            movement = int(movements.get(year) or 0)
            balance += movement
            year_ends.append(YearEnd(year, movement, balance))
    return AccountSummary(person, tuple(year_ends))


def entries_of_year(person: Person, year: int) -> QuerySet[AccountEntry]:
    return AccountEntry.objects.filter(person=person, year=year).order_by("month", "id")


def contribution_period_totals(person: Person, *, through_year: int) -> dict[int, int]:
    """The net credit of each contribution period up to the end of ``through_year``, from the
    entries that count by then: the credits, and the entries that reverse a credit (they count
    with the period of the credit they reverse)."""
    rows = (
        AccountEntry.objects.filter(person=person, year__lte=through_year)
        .filter(Q(kind=EntryKind.CONTRIBUTION) | Q(reverses__kind=EntryKind.CONTRIBUTION))
        .annotate(credit_period=Coalesce("reverses__period", "period"))
        .filter(credit_period__lte=through_year * 100 + 12)
        .values("credit_period")
        .annotate(total=Sum("amount_fen"))
        .values_list("credit_period", "total")
    )
    return {int(period): int(total) for period, total in rows if period is not None}


def statement_of(
    person: Person,
    year: int,
    *,
    summary: AccountSummary | None = None,
    entries: list[AccountEntry] | None = None,
) -> Statement:
    """The statement of ``year``; pass what was read already (the summary, the year's
    entries) to save the queries."""
    summary = summary or account_summary(person)
    return statement_assemble(
        year=year,
        opening_fen=summary.opening_fen(year),
        entries=entries if entries is not None else list(entries_of_year(person, year)),
        period_totals=contribution_period_totals(person, through_year=year),
    )
