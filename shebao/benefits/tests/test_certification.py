"""Qualification certification: the 12-month rule, the sweep's suspension and the resumption
that back-pays exactly the suspended months."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from shebao.benefits.models import (
    Certification,
    NoticeKind,
    Pension,
    PensionNotice,
    PensionStatus,
    SuspensionReason,
)
from shebao.benefits.services.certification import (
    certification_at_counter,
    certification_record,
    certification_sweep_create,
    certification_sweep_execute,
    is_overdue,
    overdue_cutoff,
)
from shebao.benefits.services.pensions import pension_differences
from shebao.benefits.tests.lifecycle_support import paid, retiree
from shebao.core.errors import RuleViolation
from shebao.core.periods import period_range
from shebao.core.permissions import OutOfScope

pytestmark = pytest.mark.django_db

MONTHLY = 312345


def sweep(actor, agency, period: int, as_of: date):
    run = certification_sweep_create(actor=actor, agency=agency, period=period, as_of=as_of)
    return certification_sweep_execute(run, actor=actor)


@pytest.mark.parametrize(
    ("certified_on", "today", "overdue"),
    [
        (date(2025, 11, 1), date(2026, 11, 1), False),  # exactly 12 months
        (date(2025, 10, 31), date(2026, 11, 1), True),  # 12 months and a day
        (date(2024, 2, 29), date(2025, 2, 28), False),
        (date(2024, 2, 29), date(2025, 3, 1), True),
        (date(2027, 2, 28), date(2028, 2, 29), True),
        (date(2027, 3, 1), date(2028, 2, 29), False),
    ],
)
def test_overdue_after_twelve_months_and_a_day(certified_on, today, overdue):
    pension = Pension(start_period=202001, certified_on=certified_on)
    assert is_overdue(pension, today) is overdue
    # The sweep's SQL cut-off says the same.
    assert (certified_on < overdue_cutoff(today)) is overdue


def test_never_certified_counts_from_the_first_month_paid():
    pension = Pension(start_period=202511, certified_on=None)
    assert not is_overdue(pension, date(2026, 11, 1))
    assert is_overdue(pension, date(2026, 11, 2))


def test_sweep_suspends_overdue_pensions_from_its_period_with_a_notice(actor_of, agency):
    maojian = agency("420302")
    fund = actor_of("fund_shiyan")
    boundary = retiree(maojian, certified_on=date(2025, 11, 1))
    late = retiree(maojian, certified_on=date(2025, 10, 31))
    never = retiree(maojian, retirement_month=202509)  # first month paid 202510

    run = sweep(fund, agency("420300"), 202611, date(2026, 11, 1))

    for pension in (boundary, late, never):
        pension.refresh_from_db()
    assert boundary.status == PensionStatus.ACTIVE
    assert late.status == PensionStatus.SUSPENDED
    assert late.suspension_reason == SuspensionReason.CERTIFICATION
    assert late.suspended_from == 202611
    assert never.status == PensionStatus.SUSPENDED
    assert PensionNotice.objects.filter(pension=late, kind=NoticeKind.SUSPENSION).count() == 1
    notices = PensionNotice.objects.filter(kind=NoticeKind.SUSPENSION, details__run=run.pk)
    assert run.totals["suspended"] == notices.count()
    assert set(notices.values_list("pension_id", flat=True)) >= {late.pk, never.pk}

    again = sweep(fund, agency("420300"), 202611, date(2026, 11, 1))
    assert again.totals["suspended"] == 0
    assert PensionNotice.objects.filter(pension=late, kind=NoticeKind.SUSPENSION).count() == 1


@time_machine.travel(date(2027, 2, 10))
def test_certification_resumes_and_back_pays_exactly_the_suspended_months(actor_of, agency):
    maojian = agency("420302")
    pension = retiree(maojian, monthly_fen=MONTHLY, certified_on=date(2025, 10, 1))
    paid(pension, *period_range(202501, 202610))
    sweep(actor_of("fund_shiyan"), agency("420300"), 202611, date(2026, 11, 1))
    pension.refresh_from_db()
    assert pension.status == PensionStatus.SUSPENDED

    case = certification_at_counter(
        actor=actor_of("clerk_maojian"), pension=pension, certified_on=date(2027, 2, 10)
    )

    pension.refresh_from_db()
    assert case.status == "done"
    assert pension.status == PensionStatus.ACTIVE
    assert pension.suspended_from is None
    assert pension.suspension_reason == ""
    assert pension.recheck_from == 202611
    assert pension.certified_on == date(2027, 2, 10)
    differences = pension_differences(pension, first=pension.recheck_from, last=202701)
    assert [d.period for d in differences] == [202611, 202612, 202701]
    assert all(d.difference_fen == MONTHLY for d in differences)
    notice = PensionNotice.objects.get(pension=pension, kind=NoticeKind.RESUMPTION)
    assert notice.details["months"] == [202611, 202612, 202701]
    assert notice.details["back_pay_fen"] == 3 * MONTHLY
    certification = Certification.objects.get(pension=pension)
    assert certification.case_id == case.pk
    assert certification.channel == "counter"


@time_machine.travel(date(2026, 11, 20))
def test_certification_of_an_active_pension_only_moves_the_date(actor_of, agency):
    pension = retiree(agency("420302"), certified_on=date(2026, 1, 5))
    paid(pension, *period_range(202501, 202610))
    outcome = certification_record(
        actor=actor_of("clerk_maojian"),
        pension=pension,
        certified_on=date(2026, 11, 20),
        channel="api",
    )
    pension.refresh_from_db()
    assert not outcome.resumed
    assert pension.certified_on == date(2026, 11, 20)
    assert pension.recheck_from is None
    retried = certification_record(
        actor=actor_of("clerk_maojian"),
        pension=pension,
        certified_on=date(2026, 11, 20),
        channel="api",
    )
    assert not retried.created
    assert retried.certification.pk == outcome.certification.pk


def test_certification_in_the_future_is_refused(actor_of, agency):
    pension = retiree(agency("420302"))
    with pytest.raises(RuleViolation) as err:
        certification_record(
            actor=actor_of("clerk_maojian"),
            pension=pension,
            certified_on=date(2099, 1, 1),
            channel="counter",
        )
    assert err.value.code == "CERT-DATE-FUTURE"
    assert not Certification.objects.filter(pension=pension).exists()


def test_certification_out_of_scope_is_absent(actor_of, agency):
    pension = retiree(agency("420302"))
    with pytest.raises(OutOfScope):
        certification_record(
            actor=actor_of("clerk_wuhan"),
            pension=pension,
            certified_on=date(2026, 11, 1),
            channel="counter",
        )
