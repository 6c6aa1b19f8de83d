"""Retirees and payments for the adjustment, certification and death tests: pensions opened
with the pension service itself, payroll lines written directly (as a payroll run would)."""

from __future__ import annotations

import itertools
from datetime import date

from django.db import transaction

from shebao.benefits.ledger import owed
from shebao.benefits.models import LineKind, LineStatus, PayrollLine, Pension, PensionGroup
from shebao.benefits.services.pensions import (
    AwardFigures,
    pension_open,
    pension_rates,
    pension_terms,
)
from shebao.core.actors import system_actor
from shebao.core.identifiers import resident_id_with_check
from shebao.core.models import Agency, BatchRun, BatchStatus
from shebao.registry.models import InsuredRelation, Person, RelationKind, RelationStatus, Sex

_numbers = itertools.count(1)


def figures(monthly_fen: int, contribution_months: int) -> AwardFigures:
    basic = monthly_fen // 2
    return AwardFigures(
        benefit_base_fen=734000,
        benefit_base_year=2024,
        provisional=False,
        average_index="1.0000",
        contribution_months=contribution_months,
        deemed_months=0,
        account_balance_fen=15000000,
        retirement_age_months=720,
        basic_fen=basic,
        account_fen=monthly_fen - basic,
        transitional_fen=0,
        total_fen=monthly_fen,
        calculation={},
    )


def retiree(
    agency: Agency,
    *,
    monthly_fen: int = 300000,
    retirement_month: int = 202412,
    birth: date = date(1964, 11, 15),
    contribution_months: int = 360,
    certified_on: date | None = None,
    settled_through: int | None = None,
) -> Pension:
    """A retiree of ``agency`` paid from the month after ``retirement_month``, with a retired
    pension relation."""
    number = next(_numbers)
    body = f"{agency.division_code}{birth:%Y%m%d}{(number * 7) % 1000:03d}"
    person = Person.objects.create(
        resident_id=resident_id_with_check(body),
        name=f"退休{number}",
        sex=Sex.MALE,
        birth_date=birth,
        managing_agency=agency,
        bank_name="中国工商银行十堰分行",
        bank_account=f"62220{number:014d}",
    )
    InsuredRelation.objects.create(
        person=person,
        scheme="pension",
        kind=RelationKind.FLEXIBLE,
        start_period=200001,
        end_period=retirement_month,
        status=RelationStatus.RETIRED,
        start_reason="new",
        agency=agency,
    )
    with transaction.atomic():
        return pension_open(
            actor=system_actor("tests"),
            person=person,
            agency=agency,
            group=PensionGroup.MALE,
            retirement_month=retirement_month,
            figures=figures(monthly_fen, contribution_months),
            settled_through=settled_through,
            certified_on=certified_on,
        )


def paid(pension: Pension, *periods: int) -> list[PayrollLine]:
    """Regular lines paying each month what it is owed, as a payroll run would; the pension's
    recheck mark is cleared as the payroll clears it."""
    run = BatchRun.objects.create(
        kind="pension_payroll",
        period=max(periods),
        agency=pension.agency,
        status=BatchStatus.DONE,
        actor_label="tests",
    )
    terms, rates = pension_terms(pension), pension_rates(pension)
    lines = [
        PayrollLine.objects.create(
            run=run,
            pension_id=pension.pk,
            person_id=pension.person_id,
            agency_id=pension.agency_id,
            period=period,
            kind=LineKind.REGULAR,
            amount_fen=owed(terms, rates, period),
            bank_name=pension.bank_name,
            bank_account=pension.bank_account,
            status=LineStatus.PAID,
        )
        for period in periods
    ]
    Pension.objects.filter(pk=pension.pk).update(recheck_from=None)
    pension.refresh_from_db()
    return lines
