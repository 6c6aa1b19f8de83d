"""The monthly pension payroll run: who is paid, how much, back pay and overpayments, and a run
that is rerun, refused twice or killed and resumed."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Count, Sum

from shebao.benefits.models import (
    LineKind,
    Overpayment,
    PayrollFile,
    PayrollLine,
    PensionStatus,
    RateReason,
)
from shebao.benefits.services.payroll import payroll_run_create, payroll_run_execute
from shebao.benefits.services.pensions import rate_add
from shebao.benefits.tests.payroll_support import pension_make
from shebao.core.batch import batch_run_execute
from shebao.core.errors import RuleViolation
from shebao.core.models import BatchRun, BatchStatus


@pytest.fixture
def maojian(agency):
    return agency("420302")


def pay(system, agency, period: int, chunk_pensions: int = 20_000) -> BatchRun:
    run = payroll_run_create(
        actor=system, period=period, agency=agency, chunk_pensions=chunk_pensions
    )
    return payroll_run_execute(run, actor=system)


def lines_of(pension, **filters) -> list[tuple[int, str, int]]:
    rows = PayrollLine.objects.filter(pension_id=pension.pk, **filters).order_by("period", "id")
    return [(line.period, line.kind, line.amount_fen) for line in rows]


def test_run_totals_equal_the_sum_of_its_lines_by_kind(system, maojian):
    paid = [pension_make(maojian, monthly_fen=300000 + n * 1234) for n in range(5)]
    late = pension_make(maojian, monthly_fen=250000, retirement_month=202608)  # from 202609
    migrated = pension_make(maojian, monthly_fen=410077, settled_through=202610)

    run = pay(system, maojian, 202611, chunk_pensions=2)

    assert run.status == BatchStatus.DONE
    assert run.chunks_total >= 4
    # The pensions' lines; the other benefits of the subtree are paid in the same run.
    lines = PayrollLine.objects.filter(run_id=run.pk, pension__isnull=False)
    benefit_lines = PayrollLine.objects.filter(run_id=run.pk, benefit__isnull=False)
    by_kind = {
        row["kind"]: (row["n"], row["fen"])
        for row in lines.values("kind").annotate(n=Count("id"), fen=Sum("amount_fen")).order_by()
    }
    assert run.totals["regular_fen"] == by_kind[LineKind.REGULAR][1]
    assert run.totals["regular_lines"] == by_kind[LineKind.REGULAR][0]
    assert run.totals["back_pay_fen"] == by_kind[LineKind.BACK_PAY][1]
    assert run.totals["back_pay_lines"] == by_kind[LineKind.BACK_PAY][0]
    assert run.totals["total_fen"] == lines.aggregate(s=Sum("amount_fen"))["s"]
    assert run.totals["lines"] == lines.count()
    assert run.totals.get("benefit_lines", 0) == benefit_lines.count()
    assert run.totals.get("benefit_fen", 0) == sum(b.amount_fen for b in benefit_lines)
    assert run.rows == lines.count() + benefit_lines.count()
    assert run.totals["persons"] == lines.values("pension_id").distinct().count()
    # Each of ours: its month, and the months since its first one as back pay.
    assert lines_of(paid[1]) == [
        (202608, LineKind.BACK_PAY, 301234),
        (202609, LineKind.BACK_PAY, 301234),
        (202610, LineKind.BACK_PAY, 301234),
        (202611, LineKind.REGULAR, 301234),
    ]
    assert lines_of(late) == [
        (202609, LineKind.BACK_PAY, 250000),
        (202610, LineKind.BACK_PAY, 250000),
        (202611, LineKind.REGULAR, 250000),
    ]
    assert lines_of(migrated) == [(202611, LineKind.REGULAR, 410077)]
    # The bank files hold every line once and add up to the run.
    files = PayrollFile.objects.filter(run=run)
    assert sum(f.line_count for f in files) == run.rows
    assert sum(f.total_fen for f in files) == run.totals["total_fen"] + run.totals.get(
        "benefit_fen", 0
    )
    assert not lines.filter(file__isnull=True).exists()


def test_a_rerun_changes_nothing_and_a_second_run_is_refused(system, maojian, agency):
    pension = pension_make(maojian, settled_through=202610)
    run = pay(system, maojian, 202611)
    before = (list(PayrollLine.objects.order_by("id").values_list("id", "amount_fen")), run.totals)

    with pytest.raises(RuleViolation) as done:
        batch_run_execute(run, actor=system)
    assert done.value.code == "BATCH-ALREADY-DONE"
    for over in (maojian, agency("420300")):  # the same subtree, or one containing it
        with pytest.raises(RuleViolation) as again:
            payroll_run_create(actor=system, period=202611, agency=over)
        assert again.value.code == "PAYROLL-RUN-EXISTS"
    run.refresh_from_db()
    after = (list(PayrollLine.objects.order_by("id").values_list("id", "amount_fen")), run.totals)
    assert after == before
    assert lines_of(pension) == [(202611, LineKind.REGULAR, 300000)]


def test_an_unfinished_run_must_be_resumed_not_started_again(system, maojian):
    pension_make(maojian, settled_through=202610)
    open_run = payroll_run_create(actor=system, period=202611, agency=maojian)
    with pytest.raises(RuleViolation) as refused:
        payroll_run_create(actor=system, period=202611, agency=maojian)
    assert refused.value.code == "PAYROLL-RUN-OPEN"
    assert f"#{open_run.pk}" in refused.value.message_en


class _Rollback(Exception):
    pass


def test_a_killed_run_resumes_to_the_same_totals(system, maojian):
    for n in range(7):
        pension_make(maojian, monthly_fen=280000 + n * 777, settled_through=202608 + n % 3)
    try:
        with transaction.atomic():
            whole = pay(system, maojian, 202611, chunk_pensions=2)
            expected = (dict(whole.totals), whole.rows)
            raise _Rollback
    except _Rollback:
        pass

    run = payroll_run_create(actor=system, period=202611, agency=maojian, chunk_pensions=2)

    def kill(seq: int) -> None:
        if seq == 2:
            raise SystemExit("killed")  # a process killed in the middle of chunk 2

    with pytest.raises(SystemExit):
        batch_run_execute(run, actor=system, chunk_hook=kill)
    run.refresh_from_db()
    assert (run.status, run.chunks_done) == (BatchStatus.RUNNING, 1)
    assert PayrollLine.objects.filter(run_id=run.pk).count() == run.rows
    # The files are planned with the run but none is hashed, counted or offered before the end.
    assert not PayrollFile.objects.filter(run=run).exclude(sha256="").exists()

    resumed = payroll_run_execute(run, actor=system)

    assert resumed.status == BatchStatus.DONE
    assert (resumed.totals, resumed.rows) == expected
    assert PayrollLine.objects.filter(run_id=run.pk).count() == resumed.rows


def test_suspended_stopped_and_not_yet_due_pensions_are_not_paid(system, maojian):
    active = pension_make(maojian, settled_through=202610)
    suspended = pension_make(maojian, settled_through=202610)
    suspended.status, suspended.suspension_reason, suspended.suspended_from = (
        PensionStatus.SUSPENDED, "certification", 202611,
    )  # fmt: skip
    suspended.save()
    stopped = pension_make(maojian, settled_through=202610)
    stopped.status, stopped.end_period, stopped.end_reason = PensionStatus.STOPPED, 202610, "death"
    stopped.save()
    not_yet = pension_make(maojian, retirement_month=202611)  # first paid month 202612
    settled = pension_make(maojian, settled_through=202611)

    run = pay(system, maojian, 202611)

    assert lines_of(active) == [(202611, LineKind.REGULAR, 300000)]
    for pension in (suspended, stopped, not_yet, settled):
        assert lines_of(pension) == []
    assert PayrollLine.objects.filter(run_id=run.pk, pension_id=active.pk).count() == 1


def test_back_pay_after_a_rate_added_three_months_back(system, maojian):
    pension = pension_make(maojian, monthly_fen=300000, settled_through=202610)
    for period in (202611, 202612, 202701):
        pay(system, maojian, period)
    assert [line[2] for line in lines_of(pension)] == [300000, 300000, 300000]
    with transaction.atomic():
        rate_add(
            pension=pension,
            effective_period=202611,
            monthly_fen=310000,
            reason=RateReason.ADJUSTMENT,
            source="tests",
        )

    run = pay(system, maojian, 202702)

    assert lines_of(pension, run_id=run.pk) == [
        (202611, LineKind.BACK_PAY, 10000),
        (202612, LineKind.BACK_PAY, 10000),
        (202701, LineKind.BACK_PAY, 10000),
        (202702, LineKind.REGULAR, 310000),
    ]
    pension.refresh_from_db()
    assert pension.recheck_from is None
    # Owed and paid now agree: the next month pays the month only.
    run = pay(system, maojian, 202703)
    assert lines_of(pension, run_id=run.pk) == [(202703, LineKind.REGULAR, 310000)]


def test_a_lower_rate_back_in_time_is_an_overpayment_never_a_negative_line(system, maojian):
    pension = pension_make(maojian, monthly_fen=300000, settled_through=202610)
    for period in (202611, 202612, 202701):
        pay(system, maojian, period)
    with transaction.atomic():
        rate_add(
            pension=pension,
            effective_period=202612,
            monthly_fen=295050,
            reason=RateReason.RECALCULATION,
            source="tests",
        )

    run = pay(system, maojian, 202702)

    assert lines_of(pension, run_id=run.pk) == [(202702, LineKind.REGULAR, 295050)]
    assert not PayrollLine.objects.filter(amount_fen__lt=0).exists()
    overpayment = Overpayment.objects.get(pension=pension)
    assert (overpayment.reason, overpayment.periods, overpayment.amount_fen) == (
        "recalculation",
        [202612, 202701],
        2 * 4950,
    )
    assert run.totals["overpaid_fen"] >= 9900
    pension.refresh_from_db()
    assert pension.recheck_from is None


def test_a_recheck_from_a_later_month_waits_for_that_month(system, maojian):
    pension = pension_make(maojian, monthly_fen=300000, settled_through=202610)
    pension.recheck_from = 202612
    pension.save()

    pay(system, maojian, 202611)

    pension.refresh_from_db()
    assert pension.recheck_from == 202612
    assert lines_of(pension) == [(202611, LineKind.REGULAR, 300000)]
    pay(system, maojian, 202612)
    pension.refresh_from_db()
    assert pension.recheck_from is None  # the regular line pays 202612


def test_a_district_run_leaves_other_districts_alone(system, maojian, agency):
    inside = pension_make(maojian, settled_through=202610)
    outside = pension_make(agency("420303"), settled_through=202610)

    pay(system, maojian, 202611)

    assert len(lines_of(inside)) == 1
    assert lines_of(outside) == []


def test_a_month_paid_by_one_district_is_not_paid_again_by_another(system, maojian, agency):
    """A retiree moved to another district after the month was paid there is not paid twice."""
    zhangwan = agency("420303")
    pension = pension_make(maojian, settled_through=202610)
    pay(system, maojian, 202611)
    pension.agency = zhangwan
    pension.save(update_fields=["agency"])

    run = pay(system, zhangwan, 202611)

    assert lines_of(pension) == [(202611, LineKind.REGULAR, 300000)]
    assert not PayrollLine.objects.filter(run_id=run.pk, pension_id=pension.pk).exists()
