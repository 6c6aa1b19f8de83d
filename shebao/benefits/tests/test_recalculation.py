"""Pensions awarded on a provisional benefit base are recomputed once the year's base is
published, and the payroll pays the difference for every month since (rules.md §3.4)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from shebao.benefits.models import (
    AwardKind,
    NoticeKind,
    PayrollLine,
    PensionAward,
    PensionGroup,
)
from shebao.benefits.services.payroll import payroll_run_create, payroll_run_execute
from shebao.benefits.services.pensions import AwardFigures, pension_differences, pension_open
from shebao.benefits.services.recalculation import (
    recalculation_run_create,
    recalculation_run_execute,
)
from shebao.contributions.tests.factories import person_make
from shebao.core.periods import period_range
from shebao.rules.models import Parameter
from shebao.rules.services import parameter_value_decide, parameter_value_propose

# Shiyan's 2025 base 7,340.00 used provisionally for a pension beginning in 2026:
# I 1.0, 30 years, none deemed, balance 150,000.00 at 60 → basic 2,202.00, account
# 150,000.00 ÷ 139 = 1,079.14, total 3,281.14. With a 2026 base of 7,500.00 the basic part is
# 2,250.00: 48.00 more a month.
PROVISIONAL = AwardFigures(
    benefit_base_fen=734000,
    benefit_base_year=2025,
    provisional=True,
    average_index="1.0000",
    contribution_months=360,
    deemed_months=0,
    account_balance_fen=15_000_000,
    retirement_age_months=720,
    basic_fen=220_200,
    account_fen=107_914,
    transitional_fen=0,
    total_fen=328_114,
    calculation={},
)


def provisional_pension(agency, system):
    person = person_make(agency, birth=date(1966, 2, 1))
    with transaction.atomic():
        return pension_open(
            actor=system,
            person=person,
            agency=agency,
            group=PensionGroup.MALE,
            retirement_month=202602,
            figures=PROVISIONAL,
        )


def publish_2026_base(actor_of, value: str = "7500.00") -> None:
    proposal = parameter_value_propose(
        actor=actor_of("policy_hubei"),
        parameter=Parameter.objects.get(key="pension.benefit_base"),
        region="420300",
        effective_from=date(2026, 1, 1),
        value_text=value,
        reference="十堰市2026年度基本养老金计发基数（测试）",
        confidence="verified",
    )
    parameter_value_decide(actor=actor_of("admin"), proposal=proposal, approve=True)


def recalculate(system, agency, year=2026):
    run = recalculation_run_create(actor=system, agency=agency, year=year)
    return recalculation_run_execute(run, actor=system)


def test_an_unpublished_base_leaves_the_award_provisional(agency, system):
    maojian = agency("420302")
    pension = provisional_pension(maojian, system)
    run = recalculate(system, maojian)
    assert run.totals == {"recalculated": 0, "still_provisional": 1, "difference_fen": 0}
    assert pension.awards.get().provisional


def test_the_published_base_recomputes_and_the_payroll_pays_every_month_since(
    agency, system, actor_of
):
    maojian = agency("420302")
    pension = provisional_pension(maojian, system)
    payroll_run_execute(
        payroll_run_create(actor=system, period=202611, agency=maojian), actor=system
    )
    publish_2026_base(actor_of)

    run = recalculate(system, maojian)

    assert run.totals == {"recalculated": 1, "still_provisional": 0, "difference_fen": 4800}
    award = PensionAward.objects.filter(pension=pension).latest("id")
    assert (award.kind, award.provisional, award.benefit_base_fen) == (
        AwardKind.RECALCULATION,
        False,
        750_000,
    )
    assert (award.basic_fen, award.account_fen, award.total_fen) == (225_000, 107_914, 332_914)
    pension.refresh_from_db()
    assert (pension.monthly_fen, pension.recheck_from) == (332_914, 202603)
    # March to November were paid at the provisional amount: 48.00 is owed for each.
    owed = pension_differences(pension, first=202603, last=202611)
    assert [(m.period, m.difference_fen) for m in owed] == [
        (period, 4800) for period in period_range(202603, 202611)
    ]
    notice = pension.notices.get(kind=NoticeKind.AWARD)
    assert notice.details["difference_fen"] == 4800

    december = payroll_run_execute(
        payroll_run_create(actor=system, period=202612, agency=maojian), actor=system
    )
    lines = PayrollLine.objects.filter(run_id=december.pk, pension_id=pension.pk)
    assert sorted((line.kind, line.period, line.amount_fen) for line in lines) == sorted(
        [("back_pay", period, 4800) for period in period_range(202603, 202611)]
        + [("regular", 202612, 332_914)]
    )
    # A second run finds nothing provisional left.
    again = recalculate(system, maojian)
    assert again.totals["recalculated"] == 0


def test_a_lower_published_base_becomes_an_overpayment_not_a_negative_payment(
    agency, system, actor_of
):
    maojian = agency("420302")
    pension = provisional_pension(maojian, system)
    payroll_run_execute(
        payroll_run_create(actor=system, period=202611, agency=maojian), actor=system
    )
    publish_2026_base(actor_of, "7300.00")  # basic 2,190.00: 12.00 less a month
    recalculate(system, maojian)
    december = payroll_run_execute(
        payroll_run_create(actor=system, period=202612, agency=maojian), actor=system
    )
    assert not PayrollLine.objects.filter(run_id=december.pk, amount_fen__lt=0).exists()
    overpayment = pension.overpayments.get()
    assert overpayment.amount_fen == 9 * 1200
    assert overpayment.periods == period_range(202603, 202611)


def test_the_recalculation_notice_prints_before_and_after(agency, system, actor_of, login):
    maojian = agency("420302")
    pension = provisional_pension(maojian, system)
    publish_2026_base(actor_of)
    recalculate(system, maojian)
    notice = pension.notices.get(kind=NoticeKind.AWARD)
    page = login("clerk_maojian").get(f"/benefits/notices/{notice.pk}/").content.decode()
    assert "3,281.14" in page
    assert "3,329.14" in page
