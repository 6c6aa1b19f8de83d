"""Reconciliation of employers per period and arrears with late fees (rules.md §10).

The bills come from a real assessment run (1,091.95 per employee a month, see test_payments)
and are paid through the payment import, as the tax bureau would pay them.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from shebao.contributions.models import Bill, BillKind, Refund, RefundStatus
from shebao.contributions.selectors import (
    arrears_list,
    arrears_totals,
    bill_late_fee,
    employer_balance,
    employer_reconciliation,
    employer_unsettled,
    flexible_worker_balance,
)
from shebao.contributions.services.payments import payment_file_import
from shebao.contributions.tests.factories import employer_make, person_make, relations_make
from shebao.contributions.tests.test_payments import (
    EMPLOYEE_MONTH_FEN,
    FLEXIBLE_MONTH_FEN,
    assess,
    bearer,
    bill_of,
    employer_with_staff,
    flexible_worker,
    payment_file,
)
from shebao.core.errors import RuleViolation
from shebao.core.masking import mask_resident_id
from shebao.core.models import Action, BatchRun, User
from shebao.core.permissions import PermissionRefused, actor_can
from shebao.registry.models import Scheme
from shebao.rules.store import DatabaseParameters

PERIOD = 202510
PAID_ON = date(2025, 10, 20)
MONTH_END = date(2025, 11, 30)  # 30 days after the due date of 31 October


@pytest.fixture
def zone(agency):
    return agency("420300-01")


@pytest.fixture
def employers(zone, system, actor_of):
    """Five employers of one employee each (the last insured for work injury only, with no
    risk class, so nothing is due), paid in full, in part, not at all and too much; and a
    flexible worker who did not pay."""
    paid, partly, unpaid, overpaid = (employer_with_staff(zone, 1) for _ in range(4))
    nothing = employer_make(zone, risk_class=None, tier=None)
    relations_make(person_make(zone), nothing, agency=zone, schemes=(Scheme.WORK_INJURY,))
    worker = flexible_worker(zone)
    run = assess(system, zone)
    payment_file_import(
        actor=actor_of("fund_shiyan"),
        content=payment_file(
            [
                ("R-PAID", bill_of(run, paid), EMPLOYEE_MONTH_FEN, PAID_ON),
                ("R-PART", bill_of(run, partly), 50000, PAID_ON),
                ("R-OVER", bill_of(run, overpaid), EMPLOYEE_MONTH_FEN + 100, PAID_ON),
            ]
        ),
        file_name="payments.csv",
    )
    return {
        "paid": paid,
        "partly_paid": partly,
        "unpaid": unpaid,
        "overpaid": overpaid,
        "nothing_due": nothing,
        "worker": worker,
        "run": run,
    }


def refund(employer, zone, amount_fen, status=RefundStatus.APPROVED):
    maker, checker = (
        User.objects.get(username="clerk_zhangwan"),
        User.objects.get(username="head_maojian"),
    )
    return Refund.objects.create(
        employer=employer,
        period=PERIOD,
        agency=zone,
        amount_fen=amount_fen,
        reason="overpaid",
        status=status,
        requested_by=maker,
        decided_by=checker if status != RefundStatus.REQUESTED else None,
        decided_at=timezone.now() if status != RefundStatus.REQUESTED else None,
    )


# --- reconciliation -----------------------------------------------------------------------------


def test_each_employer_falls_in_its_category(employers, zone, system):
    report = employer_reconciliation(system, agency=zone, period=PERIOD)

    by_code = {row.payer_code: row for row in report.rows}
    expected = {
        "paid": (EMPLOYEE_MONTH_FEN, EMPLOYEE_MONTH_FEN, 0),
        "partly_paid": (EMPLOYEE_MONTH_FEN, 50000, EMPLOYEE_MONTH_FEN - 50000),
        "unpaid": (EMPLOYEE_MONTH_FEN, 0, EMPLOYEE_MONTH_FEN),
        "overpaid": (EMPLOYEE_MONTH_FEN, EMPLOYEE_MONTH_FEN + 100, -100),
        "nothing_due": (0, 0, 0),
    }
    for category, (due, paid, outstanding) in expected.items():
        row = by_code[employers[category].credit_code]
        assert (row.category, row.due_fen, row.paid_fen, row.outstanding_fen) == (
            category,
            due,
            paid,
            outstanding,
        ), category
    assert report.counts == {
        "nothing_due": 1,
        "unpaid": 1,
        "partly_paid": 1,
        "paid": 1,
        "overpaid": 1,
    }
    assert (report.due_fen, report.paid_fen, report.refunded_fen) == (
        4 * EMPLOYEE_MONTH_FEN,
        2 * EMPLOYEE_MONTH_FEN + 50000 + 100,
        0,
    )
    assert report.matching == 5
    assert employers["worker"].resident_id not in {row.payer_code for row in report.rows}


def test_an_approved_refund_settles_an_overpayment(employers, zone, system):
    overpaid = employers["overpaid"]
    refund(overpaid, zone, 100)
    refund(overpaid, zone, 40, status=RefundStatus.REQUESTED)  # not approved: does not count

    row = employer_balance(system, employer=overpaid, period=PERIOD)

    assert (row.paid_fen, row.refunded_fen, row.outstanding_fen, row.category) == (
        EMPLOYEE_MONTH_FEN + 100,
        100,
        0,
        "paid",
    )


def test_a_difference_bill_adds_to_what_is_due(employers, zone, system):
    paid = employers["paid"]
    relations_make(person_make(zone), paid, agency=zone)
    difference_run = assess(system, zone)
    assert bill_of(difference_run, paid).kind == BillKind.DIFFERENCE

    row = employer_balance(system, employer=paid, period=PERIOD)

    assert (row.bills, row.due_fen, row.paid_fen, row.category) == (
        2,
        2 * EMPLOYEE_MONTH_FEN,
        EMPLOYEE_MONTH_FEN,
        "partly_paid",
    )


def test_a_flexible_worker_has_a_balance_of_their_own(employers, zone, system, actor_of):
    worker = employers["worker"]
    payment_file_import(
        actor=actor_of("fund_shiyan"),
        content=payment_file(
            [("R-FLEX", bill_of(employers["run"], worker), FLEXIBLE_MONTH_FEN + 20, PAID_ON)]
        ),
        file_name="flex.csv",
    )

    row = flexible_worker_balance(system, person=worker, period=PERIOD)

    assert (row.payer_type, row.payer_code, row.due_fen, row.paid_fen) == (
        "flexible",
        worker.resident_id,
        FLEXIBLE_MONTH_FEN,
        FLEXIBLE_MONTH_FEN + 20,
    )
    assert (row.outstanding_fen, row.category) == (-20, "overpaid")
    # an employer refund of the same period does not count for the worker
    refund(employers["paid"], zone, 20)
    assert flexible_worker_balance(system, person=worker, period=PERIOD).refunded_fen == 0


def test_a_category_filter_pages_through_matching_employers(employers, zone, system):
    report = employer_reconciliation(system, agency=zone, period=PERIOD, category="unpaid")
    assert report.matching == 1
    assert [row.payer_code for row in report.rows] == [employers["unpaid"].credit_code]
    assert sum(report.counts.values()) == 5

    page = employer_reconciliation(system, agency=zone, period=PERIOD, offset=1, limit=2)
    codes = sorted(employers[c].credit_code for c in report.counts)
    assert [row.payer_code for row in page.rows] == codes[1:3]


def test_reconciliation_reads_in_two_queries(employers, zone, system, django_assert_num_queries):
    with django_assert_num_queries(2):
        employer_reconciliation(system, agency=zone, period=PERIOD)


def test_reconciliation_respects_the_data_scope(employers, zone, actor_of):
    with pytest.raises(RuleViolation) as refusal:
        employer_reconciliation(actor_of("clerk_wuhan"), agency=zone, period=PERIOD)
    assert refusal.value.code == "CORE-SCOPE"
    shiyan = employer_reconciliation(actor_of("fund_shiyan"), agency=zone, period=PERIOD)
    assert shiyan.matching == 5


# --- arrears and late fees ----------------------------------------------------------------------


def test_arrears_carry_the_late_fee_from_the_day_after_the_due_date(employers, zone, system):
    arrears = arrears_list(system, agency=zone, on=MONTH_END)

    by_payer = {(a.bill.employer_id, a.bill.person_id): a for a in arrears}
    unpaid = by_payer[(employers["unpaid"].pk, None)]
    # 1,091.95 × 0.0005 × 30 = 16.37925 → 16.38
    assert (unpaid.outstanding_fen, unpaid.days_late, unpaid.late_fee_fen) == (
        EMPLOYEE_MONTH_FEN,
        30,
        1638,
    )
    partly = by_payer[(employers["partly_paid"].pk, None)]
    # 591.95 × 0.0005 × 30 = 8.87925 → 8.88
    assert (partly.outstanding_fen, partly.late_fee_fen) == (59195, 888)
    worker = by_payer[(None, employers["worker"].pk)]
    # 859.80 × 0.0005 × 30 = 12.897 → 12.90
    assert (worker.outstanding_fen, worker.late_fee_fen) == (FLEXIBLE_MONTH_FEN, 1290)
    assert len(arrears) == 3  # paid, overpaid and the credit bill owe nothing
    assert [step.rule for step in unpaid.late_fee.trace.steps] == ["LATE-DAYS", "LATE-FEE"]
    assert arrears_totals(system, agency=zone, on=MONTH_END) == {
        "bills": 3,
        "outstanding_fen": EMPLOYEE_MONTH_FEN + 59195 + FLEXIBLE_MONTH_FEN,
    }


def test_nothing_is_in_arrears_on_the_due_date(employers, zone, system):
    assert arrears_list(system, agency=zone, on=date(2025, 10, 31)) == []
    assert len(arrears_list(system, agency=zone, on=date(2025, 11, 1))) == 3


def test_an_employer_owes_every_bill_not_fully_paid_due_yet_or_not(employers):
    unpaid = Bill.objects.get(employer=employers["unpaid"])
    assert employer_unsettled(employers["unpaid"]) == (1, unpaid.total_fen)
    assert employer_unsettled(employers["paid"]) == (0, 0)
    assert employer_unsettled(employers["overpaid"]) == (0, 0)


def test_rules_example_10000_for_30_days_costs_150(employers, zone):
    back_payment = BatchRun.objects.create(
        kind="back_payment", period=202501, agency=zone, actor_label="tests"
    )
    bill = Bill.objects.create(
        number="B202501-BACK-1",
        run=back_payment,
        period=202501,
        kind=BillKind.BACK_PAYMENT,
        employer=employers["unpaid"],
        agency=zone,
        persons=1,
        lines=0,
        employer_fen=1_000_000,
        individual_fen=0,
        total_fen=1_000_000,
        account_credit_fen=0,
        due_date=date(2025, 1, 15),
        issued_at=timezone.now(),
    )

    result = bill_late_fee(bill, on=date(2025, 2, 14), source=DatabaseParameters())

    assert (result.value.days, str(result.value.late_fee)) == (30, "150.00")


# --- API ----------------------------------------------------------------------------------------


def test_reconciliation_api(employers, client):
    response = client.get(
        "/api/v1/reconciliation",
        {"agency": "420300-01", "period": PERIOD, "category": "overpaid"},
        headers=bearer("fund_shiyan"),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["counts"]["overpaid"] == 1
    assert [(r["credit_code"], r["outstanding_fen"]) for r in body["rows"]] == [
        (employers["overpaid"].credit_code, -100)
    ]
    elsewhere = client.get(
        "/api/v1/reconciliation",
        {"agency": "420300-01", "period": PERIOD},
        headers=bearer("clerk_wuhan"),
    )
    assert elsewhere.status_code == 404


def test_arrears_api_masks_flexible_workers(employers, client):
    response = client.get(
        "/api/v1/arrears",
        {"agency": "420300-01", "on": "2025-11-30"},
        headers=bearer("fund_shiyan"),
    )
    assert response.status_code == 200, response.content
    rows = {r["payer_code"]: r for r in response.json()}
    worker_id = employers["worker"].resident_id
    assert worker_id not in rows
    assert rows[mask_resident_id(worker_id)]["late_fee_fen"] == 1290
    assert rows[employers["unpaid"].credit_code]["late_fee_fen"] == 1638


@pytest.mark.parametrize("path", ["/api/v1/reconciliation", "/api/v1/arrears"])
def test_a_clerk_in_scope_is_refused_the_fund_reads_on_the_api_as_on_the_page(
    employers, zone, client, actor_of, path
):
    """Reconciliation and arrears are the fund officer's work, followed by heads and auditors;
    a counter clerk of the city may see the agency but not these reads."""
    clerk = actor_of("clerk_shiyan")
    assert clerk.staff is not None
    assert not actor_can(clerk, Action.RUN_BATCH)
    response = client.get(
        path, {"agency": "420300-01", "period": PERIOD}, headers=bearer("clerk_shiyan")
    )
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "CORE-PERMISSION"
    with pytest.raises(PermissionRefused):
        arrears_totals(clerk, agency=zone, on=MONTH_END)
