"""The award through the service equals the pension calculator (rules.md §3.1–§3.5), with the
benefit base of the first paid month's year, provisional while unpublished, and the account
balance from the journal with the year's provisional interest."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shebao.benefits.services.retirement import RetirementRequest, retirement_assess
from shebao.benefits.tests.retirement_factories import (
    WithValues,
    balance_make,
    gap,
    history_make,
    retiree_make,
    value,
)
from shebao.core.errors import RuleViolation
from shebao.rules.calculators.pension import PensionClaim, PensionParams, pension_at_retirement
from shebao.rules.store import DatabaseParameters

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 20)


@pytest.fixture
def maojian(agency):
    return agency("420302")


def assess(person, source, **request):
    return retirement_assess(
        person=person,
        request=RetirementRequest(group="male", **request),
        today=TODAY,
        source=source,
    )


def test_rules_example_3_5_through_the_service(maojian):
    """B 8,000, I 1.0, 30 years of which 5 deemed, balance 150,000.00, age 60 → basic 2,400.00,
    account 1,079.14 (÷ 139), transitional 480.00, total 3,959.14."""
    person = retiree_make(maojian, birth=date(1964, 12, 5))  # 60y0m, retires 2024-12
    history_make(person, 200001, 202412, 500_000)  # 300 months at the reference wage
    balance_make(person, 15_000_000, 2024, 12)  # the retirement month's credit earns nothing
    source = WithValues(
        value("wage.reference_average_monthly", "420300", date(2000, 1, 1), "5000.00"),
        value("pension.benefit_base", "420300", date(2025, 1, 1), "8000.00"),
    )
    assessed = assess(person, source, deemed_months=60)
    figures = assessed.figures
    assert (figures.basic_fen, figures.account_fen, figures.transitional_fen) == (
        240_000,
        107_914,
        48_000,
    )
    assert figures.total_fen == 395_914
    assert (figures.average_index, figures.contribution_months, figures.deemed_months) == (
        "1.0000",
        360,
        60,
    )
    assert (figures.account_balance_fen, figures.retirement_age_months) == (15_000_000, 720)
    assert (figures.benefit_base_fen, figures.benefit_base_year, figures.provisional) == (
        800_000,
        2025,
        False,
    )
    rules = [step["rule"] for step in figures.calculation["trace"]]
    for rule in ("RET-AGE", "RET-INDEX", "RET-ACCOUNT-BALANCE", "RET-BENEFIT-BASE", "PEN-TOTAL"):
        assert rule in rules


def test_award_equals_the_calculator_with_the_published_parameters(maojian):
    """Retiring 2026-10 in Shiyan: 2026's base is not published, so 2025's 7,340 provisionally;
    the index from real bases over the 2024 and 2025 wages (6,948 and 7,226)."""
    person = retiree_make(maojian, birth=date(1966, 5, 10))  # 60y5m → 2026-10
    history_make(person, 199601, 201812, 400_000)  # 276 months
    history_make(person, 202401, 202412, 694_800)  # 12 months at index 1.0
    history_make(person, 202501, 202610, 361_300)  # 22 months at index 0.5
    balance_make(person, 9_876_543, 2025, 12)
    source = WithValues(
        value("wage.reference_average_monthly", "420300", date(1996, 1, 1), "2000.00"),
        gap("wage.reference_average_monthly", "420300", date(2019, 1, 1)),
    )
    assessed = assess(person, source, deemed_months=24)
    figures = assessed.figures
    # (276 × 2.0 + 12 × 1.0 + 22 × 0.5) / 310 = 575 / 310 = 1.85483… → 1.8548
    assert figures.average_index == "1.8548"
    assert (figures.contribution_months, figures.provisional, figures.benefit_base_year) == (
        334,
        True,
        2025,
    )
    # The 2026 part year to October at 2025's 1.50%: 98,765.43 × 9 / 12 × 1.5% = 1,111.11
    assert figures.account_balance_fen == 9_876_543 + 111_111
    params = DatabaseParameters()
    on = date(2026, 1, 1)
    expected = pension_at_retirement(
        claim=PensionClaim(
            benefit_base=Decimal("7340.00"),
            average_index=Decimal("1.8548"),
            contribution_months=334,
            deemed_months=24,
            account_balance=Decimal("99876.54"),
            retirement_age_months=60 * 12 + 5,
        ),
        params=PensionParams(
            basic_rate=params.lookup("pension.basic.rate_per_year", "420302", on),
            divisor_table=params.lookup("pension.divisor.table", "420302", on),
            divisor_rule=params.lookup("pension.divisor.part_year_rule", "420302", on),
            transitional_rate=params.lookup("pension.transitional.rate_per_year", "420302", on),
        ),
    ).value
    assert figures.basic_fen == int(expected.basic * 100)
    assert figures.account_fen == int(expected.account * 100)
    assert figures.transitional_fen == int(expected.transitional * 100)
    assert figures.total_fen == int(expected.total * 100)
    # (7,340 + 7,340 × 1.8548) / 2 × 334 / 12 × 1% = 2,916.13; 99,876.54 ÷ 139 = 718.54;
    # 7,340 × 1.8548 × 24 / 12 × 1.2% = 326.74
    assert (figures.basic_fen, figures.account_fen, figures.transitional_fen) == (
        291_613,
        71_854,
        32_674,
    )


def test_a_year_without_a_reference_wage_is_refused_naming_the_year(maojian):
    person = retiree_make(maojian, birth=date(1964, 12, 5))
    history_make(person, 201701, 202412, 500_000)  # 2019–2023 are unpublished for Shiyan
    source = WithValues(
        value("wage.reference_average_monthly", "420300", date(1990, 1, 1), "1000.00")
    )
    # The override covers every year; the parameter files have no Shiyan wage before 2019.
    assert assess(person, source, deemed_months=120).history.contributed_months == 96
    with pytest.raises(RuleViolation) as refused:
        assess(person, DatabaseParameters(), deemed_months=120)
    assert refused.value.code == "RET-WAGE-UNPUBLISHED"
    assert refused.value.params == {"year": 2017, "region": "420302"}
