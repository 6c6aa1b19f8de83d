"""Persons, histories and parameters for the retirement tests."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from shebao.accounts.services.journal import entry_post
from shebao.contributions.models import HistoricalContribution
from shebao.core.actors import system_actor
from shebao.core.errors import RuleViolation
from shebao.core.identifiers import resident_id_with_check
from shebao.core.models import Agency
from shebao.core.periods import period_range
from shebao.registry.models import Person, Sex
from shebao.rules.params import ParamValue, YamlParameters
from shebao.rules.store import DatabaseParameters

_numbers = itertools.count(500)


def retiree_make(agency: Agency, *, birth: date, sex: str = Sex.MALE, bank: bool = True) -> Person:
    """A person of the agency; the sequence's parity matches the sex as in a real ID."""
    number = next(_numbers)
    # 700–999: clear of the demo persons' sequences
    sequence = 700 + (number % 150) * 2 + (1 if sex == Sex.MALE else 0)
    body = f"{agency.division_code}{birth:%Y%m%d}{sequence % 1000:03d}"
    return Person.objects.create(
        resident_id=resident_id_with_check(body),
        name=f"退休测试{number}",
        sex=sex,
        birth_date=birth,
        managing_agency=agency,
        bank_name="中国工商银行" if bank else "",
        bank_account="6222020200112233445" if bank else "",
    )


def history_make(
    person: Person, first: int, last: int, base_fen: int, source: str = "tests"
) -> None:
    HistoricalContribution.objects.bulk_create(
        HistoricalContribution(
            person_id=person.pk, scheme="pension", period=period, base_fen=base_fen, source=source
        )
        for period in period_range(first, last)
    )


def balance_make(person: Person, amount_fen: int, year: int, month: int) -> None:
    entry_post(
        actor=system_actor("tests"),
        person=person,
        kind="migrated",
        amount_fen=amount_fen,
        year=year,
        month=month,
        source="tests",
        key=f"test:retirement:{person.pk}:{year}{month:02d}:{amount_fen}",
    )


def value(key: str, region: str, start: date, amount: str, unit: str = "yuan") -> ParamValue:
    return ParamValue(
        key=key,
        region=region,
        effective_from=start,
        value=Decimal(amount),
        unit=unit,
        reference="test",
        confidence="unverified",
        version=900,
    )


def gap(key: str, region: str, start: date, unit: str = "yuan") -> ParamValue:
    """From ``start`` on, the database's value applies again."""
    return ParamValue(
        key=key,
        region=region,
        effective_from=start,
        value=None,
        unit=unit,
        reference="test",
        confidence="unverified",
        version=901,
    )


class WithValues:
    """The database parameters with some values replaced for a test."""

    def __init__(self, *extra: ParamValue) -> None:
        self.base = DatabaseParameters()
        self.extra = YamlParameters(extra)

    def lookup(self, key: str, region: str, on: date) -> ParamValue:
        try:
            return self.extra.lookup(key, region, on)
        except RuleViolation:
            return self.base.lookup(key, region, on)

    def known_regions(self) -> set[str]:
        return self.base.known_regions() | self.extra.known_regions()


def applicant_make(agency: Agency) -> Person:
    """A man born 1965-01 (retires 2025-02 at 60y1m), employed since 2024 in all three
    schemes, 2024–2025 months at the Shiyan reference wages (index 1.0) and 120,000.00 yuan in
    the account at the end of 2024; with 170 deemed months he has 184 ≥ 180."""
    from shebao.contributions.tests.factories import employer_make, relations_make

    person = retiree_make(agency, birth=date(1965, 1, 20))
    relations_make(person, employer_make(agency), agency=agency, start=202401)
    history_make(person, 202401, 202412, 694_800)
    history_make(person, 202501, 202502, 722_600)
    balance_make(person, 12_000_000, 2024, 12)
    return person
