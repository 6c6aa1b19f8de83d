"""Pensions for the payroll tests, opened with the pension service itself."""

from __future__ import annotations

import itertools
from datetime import date

from django.db import transaction

from shebao.benefits.models import Pension, PensionGroup
from shebao.benefits.services.pensions import AwardFigures, pension_open
from shebao.contributions.tests.factories import person_make
from shebao.core.actors import system_actor
from shebao.core.models import Agency

_accounts = itertools.count(1)


def figures(monthly_fen: int) -> AwardFigures:
    basic = monthly_fen // 2
    return AwardFigures(
        benefit_base_fen=734000,
        benefit_base_year=2025,
        provisional=False,
        average_index="1.0000",
        contribution_months=360,
        deemed_months=0,
        account_balance_fen=15000000,
        retirement_age_months=720,
        basic_fen=basic,
        account_fen=monthly_fen - basic,
        transitional_fen=0,
        total_fen=monthly_fen,
        calculation={},
    )


def pension_make(
    agency: Agency,
    *,
    monthly_fen: int = 300000,
    retirement_month: int = 202607,
    settled_through: int | None = None,
    bank_name: str = "中国工商银行十堰分行",
) -> Pension:
    """A retiree of ``agency`` paid from the month after ``retirement_month``; with
    ``settled_through`` the months up to it were paid by a city system (a migrated pension)."""
    person = person_make(agency, birth=date(1966, 6, 1))
    person.bank_name = bank_name
    person.bank_account = f"62220{next(_accounts):014d}"
    person.save(update_fields=["bank_name", "bank_account"])
    with transaction.atomic():
        return pension_open(
            actor=system_actor("tests"),
            person=person,
            agency=agency,
            group=PensionGroup.MALE,
            retirement_month=retirement_month,
            figures=figures(monthly_fen),
            settled_through=settled_through,
        )
