"""The fund officer's pages: the exchange with the tax bureau (assessment file out, payment
files in), unmatched payments matched by hand, reconciliation and arrears with their Excel
downloads.

The bills come from real assessment runs in the development zone under Shiyan (1,091.95 per
employee a month, 859.80 for a flexible worker, see test_payments), paid through payment files
as the tax bureau would pay them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from shebao.contributions.exchange import BILL_COLUMNS, CONTROL_COLUMNS
from shebao.contributions.models import Bill, Payment, PaymentStatus
from shebao.contributions.services.payments import payment_file_import
from shebao.contributions.tests.factories import employer_make, person_make, relations_make
from shebao.contributions.tests.test_payments import (
    EMPLOYEE_MONTH_FEN,
    FLEXIBLE_MONTH_FEN,
    assess,
    bill_of,
    employer_with_staff,
    flexible_worker,
    payment_file,
    state,
)
from shebao.contributions.views import fund as fund_views
from shebao.core.masking import mask_resident_id
from shebao.core.models import AuditEntry
from shebao.core.money import fen_to_yuan, format_yuan
from shebao.registry.models import Scheme

PERIOD = 202510
PAID_ON = date(2025, 10, 20)
MONTH_END = "2025-11-30"  # 30 days after the due date of 31 October
EXCHANGE = "/collection/exchange/"
EXPORT = "/collection/exchange/assessments/"
IMPORT = "/collection/exchange/payments/"
UNMATCHED = "/collection/payments/unmatched/"
RECONCILIATION = "/collection/reconciliation/"
ARREARS = "/collection/arrears/"


@pytest.fixture
def zone(agency):
    """The development zone under Shiyan: no demo employers, in the Shiyan fund officer's
    scope and outside Maojian's."""
    return agency("420300-01")


@pytest.fixture
def assessed(zone, system):
    """Two employers (two staff, one staff) and a flexible worker, assessed for 2025-10."""
    first = employer_with_staff(zone, 2)
    second = employer_with_staff(zone, 1)
    worker = flexible_worker(zone)
    run = assess(system, zone)
    return run, first, second, worker


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


def upload(client, content: bytes, name: str = "TAXPAY_420300_20251021.csv"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content, "text/csv")})


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def workbook_rows(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def table(rows: list[tuple], first_header: str) -> tuple[tuple, list[tuple], tuple]:
    """The header row, the data rows below it and the totals row."""
    start = next(i for i, row in enumerate(rows) if row[0] == first_header)
    return rows[start], rows[start + 1 : -1], rows[-1]


def yuan(value: object) -> Decimal:
    """An amount read back from a workbook (a number with two decimals) as Decimal yuan."""
    assert isinstance(value, int | float), value
    return Decimal(str(value)).quantize(Decimal("0.01"))


# --- permissions ---------------------------------------------------------------------------------


def test_a_clerk_is_refused_the_exchange_and_writes_nothing(login, assessed, zone):
    run, first, *_ = assessed
    client = login("clerk_maojian")
    before = state()

    assert client.get(EXCHANGE).status_code == 403
    exported = client.post(EXPORT, {"period": PERIOD, "agency": zone.code, "file_format": "csv"})
    assert exported.status_code == 403
    content = payment_file([("T-CLERK", bill_of(run, first), 1000, PAID_ON)])
    assert upload(client, content).status_code == 403
    assert client.get(UNMATCHED).status_code == 403
    assert client.get(RECONCILIATION).status_code == 403
    assert client.get(ARREARS).status_code == 403

    assert state() == before
    assert not AuditEntry.objects.filter(action="assessment.export").exists()


def test_the_head_reads_his_district_but_not_an_agency_outside_it(login, employers):
    client = login("head_maojian")

    own = client.get(RECONCILIATION, {"period": PERIOD, "agency": "420302"})
    assert own.status_code == 200
    assert own.context["report"].agency.code == "420302"
    assert client.get(ARREARS, {"agency": "420302", "on": MONTH_END}).status_code == 200

    outside = client.get(RECONCILIATION, {"period": PERIOD, "agency": "420300-01"})
    assert outside.status_code == 200
    assert "report" not in outside.context
    assert "agency" in outside.context["form"].errors
    assert employers["unpaid"].credit_code not in outside.content.decode()
    arrears = client.get(ARREARS, {"agency": "420300-01", "on": MONTH_END})
    assert "rows" not in arrears.context
    downloads = [
        client.get(f"{RECONCILIATION[:-1]}.xlsx", {"period": PERIOD, "agency": "420300-01"}),
        client.get(f"{ARREARS[:-1]}.xlsx", {"agency": "420300-01", "on": MONTH_END}),
    ]
    assert [response.status_code for response in downloads] == [400, 400]


# --- the assessment file -------------------------------------------------------------------------


def test_the_assessment_file_downloads_under_its_agreed_name_and_adds_up(login, assessed, zone):
    client = login("fund_shiyan")

    response = client.post(EXPORT, {"period": "2025-10", "agency": zone.code, "file_format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    name = re.fullmatch(
        r'attachment; filename="(SBASSESS_420300-01_202510_\d{14}\.csv)"', disposition
    )
    assert name is not None, disposition
    content = b"".join(response.streaming_content)
    records = list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))
    assert records[0][:4] == ["H", "SHEBAO-ASSESS/1", "202510", "420300-01"]
    control = dict(zip(CONTROL_COLUMNS, records[-1], strict=True))
    bills = Bill.objects.filter(period=PERIOD, agency=zone)
    sums = bills.aggregate(
        employer=Sum("employer_fen"), individual=Sum("individual_fen"), total=Sum("total_fen")
    )
    assert control["record"] == "T"
    assert int(control["bills"]) == bills.count() == 3
    assert int(control["lines"]) == sum(bills.values_list("lines", flat=True)) == 10
    assert int(control["bill_employer_fen"]) == sums["employer"]
    assert int(control["bill_individual_fen"]) == sums["individual"]
    assert int(control["bill_total_fen"]) == sums["total"]
    assert int(control["line_employer_fen"]) == sums["employer"]
    b_records = [dict(zip(BILL_COLUMNS, r, strict=True)) for r in records if r[0] == "B"]
    assert sorted(b["bill_number"] for b in b_records) == sorted(b.number for b in bills)
    audited = AuditEntry.objects.get(action="assessment.export").after
    assert audited is not None
    assert (audited["file_name"], audited["control"]["bills"]) == (name[1], 3)


def test_the_assessment_file_as_json_and_for_one_run(login, assessed, zone, system):
    _run, first, *_ = assessed
    relations_make(person_make(zone), first, agency=zone)
    difference_run = assess(system, zone)
    client = login("fund_shiyan")

    response = client.post(
        EXPORT,
        {"period": PERIOD, "agency": zone.code, "file_format": "json", "run": difference_run.pk},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].endswith('.json"')
    document = json.loads(b"".join(response.streaming_content))
    assert [(b["bill_kind"], b["total_fen"]) for b in document["bills"]] == [
        ("difference", EMPLOYEE_MONTH_FEN)
    ]
    assert document["control"]["bill_total_fen"] == EMPLOYEE_MONTH_FEN


def test_an_export_outside_the_scope_or_of_another_periods_run_is_refused(
    login, assessed, agency, zone
):
    run, *_ = assessed
    client = login("fund_shiyan")

    wuhan = client.post(EXPORT, {"period": PERIOD, "agency": "420102", "file_format": "csv"})
    other_run = client.post(
        EXPORT, {"period": 202511, "agency": zone.code, "file_format": "csv", "run": run.pk}
    )

    assert wuhan.status_code == 200
    assert "agency" in wuhan.context["export_form"].errors
    assert other_run.status_code == 200
    assert "run" in other_run.context["export_form"].errors
    assert 'data-testid="export-errors"' in other_run.content.decode()
    assert not AuditEntry.objects.filter(action="assessment.export").exists()


# --- payment files -------------------------------------------------------------------------------


def test_a_payment_file_shows_its_result_and_the_same_file_again_changes_nothing(login, assessed):
    run, first, second, _worker = assessed
    first_bill, second_bill = bill_of(run, first), bill_of(run, second)
    content = payment_file(
        [
            ("T001", first_bill, first_bill.total_fen, PAID_ON),
            ("T002", second_bill, 50000, PAID_ON),
            ("T003", "B-NO-SUCH-BILL", 12345, PAID_ON),
        ]
    )
    client = login("fund_shiyan")

    response = upload(client, content)

    assert response.status_code == 200
    outcome = response.context["outcome"]
    assert outcome.replayed is False
    record = outcome.record
    assert (record.rows, record.new_payments, record.duplicates, record.unmatched) == (3, 3, 0, 1)
    assert outcome.bills_settled == 2
    assert [(row.reference, row.reason) for row in outcome.unmatched] == [
        ("T003", "bill_not_found")
    ]
    body = response.content.decode()
    amount = format_yuan(first_bill.total_fen + 50000 + 12345)
    assert amount in body
    assert "bill_not_found" in body
    assert 'data-testid="import-replayed"' not in body
    first_bill.refresh_from_db()
    assert first_bill.payment_status == PaymentStatus.PAID
    after_first = state()

    again = upload(client, content, name="renamed.csv")

    assert state() == after_first
    assert again.context["outcome"].replayed is True
    assert again.context["outcome"].record == record
    body = again.content.decode()
    assert 'data-testid="import-replayed"' in body
    assert amount in body
    listed = [record for record, _amount in again.context["recent"]]
    assert listed.count(record) == 1


def test_a_bad_payment_file_names_the_rule_and_rows_and_writes_nothing(login, assessed):
    run, first, *_ = assessed
    bill = bill_of(run, first)
    content = payment_file(
        [
            ("T001", bill, 1000, PAID_ON),
            ("T002", bill, "12.50", PAID_ON),
            ("T003", bill, 1000, "2025-13-01"),
        ]
    )
    before = state()

    response = upload(login("fund_shiyan"), content)

    assert response.status_code == 200
    assert response.context["outcome"] is None
    [refusal] = messages_of(response)
    assert refusal.startswith("PAY-FILE-ROWS:")
    assert "row 3" in refusal
    assert "row 4" in refusal
    assert "row 2" not in refusal
    assert escape(refusal) in response.content.decode()
    assert state() == before


def test_a_file_that_is_not_utf8_is_refused(login, assessed):
    before = state()
    response = upload(login("fund_shiyan"), "reference,账单".encode("gbk"))
    assert [m.split(":")[0] for m in messages_of(response)] == ["PAY-FILE-ENCODING"]
    assert state() == before


# --- unmatched payments --------------------------------------------------------------------------


def test_an_unmatched_payment_is_listed_with_its_reason_and_matched_by_hand(login, assessed):
    run, first, second, _worker = assessed
    first_bill, second_bill = bill_of(run, first), bill_of(run, second)
    content = payment_file([("T-LOST", "B-TYPO", second_bill.total_fen, PAID_ON)])
    content += f"T-WRONG,{first_bill.number},91000000000000000X,500,{PAID_ON}\r\n".encode()
    client = login("fund_shiyan")
    upload(client, content)

    listing = client.get(UNMATCHED)

    reasons = {payment.reference: row.reason for payment, row in listing.context["rows"]}
    assert reasons == {"T-LOST": "bill_not_found", "T-WRONG": "payer_mismatch"}
    assert listing.context["payment_count"] == 2
    assert format_yuan(second_bill.total_fen + 500) in listing.content.decode()

    lost = Payment.objects.get(reference="T-LOST")
    unknown = client.post(f"/collection/payments/{lost.pk}/match/", {"bill_number": "B-NONE"})
    assert unknown.status_code == 302
    lost.refresh_from_db()
    assert lost.bill_id is None

    matched = client.post(
        f"/collection/payments/{lost.pk}/match/", {"bill_number": f" {second_bill.number} "}
    )

    assert matched.status_code == 302
    lost.refresh_from_db()
    second_bill.refresh_from_db()
    assert lost.bill == second_bill
    assert second_bill.payment_status == PaymentStatus.PAID
    page = client.get(UNMATCHED)
    assert [payment.reference for payment, _row in page.context["rows"]] == ["T-WRONG"]
    assert any(second_bill.number in text for text in messages_of(page))
    twice = client.post(
        f"/collection/payments/{lost.pk}/match/", {"bill_number": first_bill.number}, follow=True
    )
    assert any(text.startswith("PAY-ALREADY-MATCHED:") for text in messages_of(twice))


def test_matching_a_bill_outside_the_scope_reads_as_unknown(login, assessed, agency, system):
    wuhan = agency("420102")
    wuhan_firm = employer_with_staff(wuhan, 1)
    wuhan_bill = bill_of(assess(system, wuhan), wuhan_firm)
    client = login("fund_shiyan")
    upload(client, payment_file([("T-ELSEWHERE", "B-TYPO", 1000, PAID_ON)]))
    payment = Payment.objects.get(reference="T-ELSEWHERE")

    response = client.post(
        f"/collection/payments/{payment.pk}/match/",
        {"bill_number": wuhan_bill.number},
        follow=True,
    )

    payment.refresh_from_db()
    assert payment.bill_id is None
    assert any(wuhan_bill.number in text for text in messages_of(response))
    assert (
        client.post("/collection/payments/999999/match/", {"bill_number": "X"}).status_code == 404
    )


# --- reconciliation ------------------------------------------------------------------------------


def test_reconciliation_shows_each_category_with_its_count(login, employers, zone):
    client = login("fund_shiyan")

    response = client.get(RECONCILIATION, {"period": PERIOD, "agency": zone.code})

    assert response.status_code == 200
    report = response.context["report"]
    assert report.counts == {
        "nothing_due": 1,
        "unpaid": 1,
        "partly_paid": 1,
        "paid": 1,
        "overpaid": 1,
    }
    body = response.content.decode()
    for category in ("paid", "partly_paid", "unpaid", "overpaid", "nothing_due"):
        assert f'data-testid="count-{category}">1<' in body
        employer = employers[category]
        assert f"/collection/employers/{employer.pk}/bills/?year=2025" in body
    totals = response.context["totals"]
    assert totals["due"] == format_yuan(4 * EMPLOYEE_MONTH_FEN)
    assert totals["paid"] == format_yuan(2 * EMPLOYEE_MONTH_FEN + 50000 + 100)
    assert totals["balance"] == format_yuan(2 * EMPLOYEE_MONTH_FEN - 50000 - 100)
    assert employers["worker"].resident_id not in body

    unpaid = client.get(
        RECONCILIATION, {"period": PERIOD, "agency": zone.code, "category": "unpaid"}
    )
    assert [row.payer_id for row, _amounts in unpaid.context["rows"]] == [employers["unpaid"].pk]


def test_reconciliation_pages_and_its_queries_do_not_grow_with_the_rows(
    login, employers, zone, system, monkeypatch
):
    client = login("fund_shiyan")
    query = {"period": PERIOD, "agency": zone.code}
    client.get(RECONCILIATION, query)  # the session and caches are warm from here
    with CaptureQueriesContext(connection) as few:
        client.get(RECONCILIATION, query)
    for _ in range(3):
        employer_with_staff(zone, 1)
    assess(system, zone)
    with CaptureQueriesContext(connection) as more:
        response = client.get(RECONCILIATION, query)
    assert sum(response.context["report"].counts.values()) == 8
    assert len(more.captured_queries) == len(few.captured_queries)

    monkeypatch.setattr(fund_views, "LIST_PAGE", 3)
    last = client.get(RECONCILIATION, {**query, "page": "99"})
    assert last.context["page"].number == 3
    assert len(last.context["rows"]) == 2


def test_reconciliation_excel_totals_equal_the_screen(login, employers, zone):
    client = login("fund_shiyan")
    query = {"period": PERIOD, "agency": zone.code}
    screen = client.get(RECONCILIATION, query).context["report"]

    response = client.get("/collection/reconciliation.xlsx", query, HTTP_ACCEPT_LANGUAGE="en")

    assert "reconciliation-420300-01-202510.xlsx" in response["Content-Disposition"]
    _header, rows, totals = table(workbook_rows(response), "Credit code")
    assert len(rows) == 5
    assert {row[0] for row in rows} == {employers[c].credit_code for c in screen.counts}
    assert totals[0] == "Total"
    assert yuan(totals[3]) == fen_to_yuan(screen.due_fen)
    assert yuan(totals[4]) == fen_to_yuan(screen.paid_fen)
    assert yuan(totals[5]) == fen_to_yuan(screen.refunded_fen)
    assert yuan(totals[6]) == fen_to_yuan(screen.due_fen - screen.paid_fen + screen.refunded_fen)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    due_cell = next(c for c in sheet["D"] if isinstance(c.value, int | float))
    assert due_cell.number_format == "#,##0.00"


# --- arrears -------------------------------------------------------------------------------------


def test_arrears_show_the_late_fee_to_the_day_asked_and_mask_flexible_workers(
    login, employers, zone
):
    client = login("fund_shiyan")

    response = client.get(ARREARS, {"agency": zone.code, "on": MONTH_END})

    assert response.status_code == 200
    rows = {row.arrear.bill.number: row for row in response.context["rows"]}
    unpaid = rows[bill_of(employers["run"], employers["unpaid"]).number]
    # 1,091.95 × 0.0005 × 30 = 16.37925 → 16.38
    assert (unpaid.arrear.days_late, unpaid.late_fee) == (30, "16.38")
    worker = employers["worker"]
    flexible = rows[bill_of(employers["run"], worker).number]
    assert (flexible.payer_code, flexible.late_fee) == (
        mask_resident_id(worker.resident_id),
        "12.90",
    )
    assert len(rows) == 3
    body = response.content.decode()
    assert worker.resident_id not in body
    assert mask_resident_id(worker.resident_id) in body
    assert ">16.38<" in body
    totals = response.context["totals"]
    assert totals["bills"] == 3
    assert totals["outstanding"] == format_yuan(EMPLOYEE_MONTH_FEN + 59195 + FLEXIBLE_MONTH_FEN)
    assert totals["late_fee"] == format_yuan(1638 + 888 + 1290)
    on_due_date = client.get(ARREARS, {"agency": zone.code, "on": "2025-10-31"})
    assert on_due_date.context["rows"] == []


def test_arrears_excel_totals_equal_the_screen(login, employers, zone):
    client = login("fund_shiyan")
    query = {"agency": zone.code, "on": MONTH_END}
    totals = client.get(ARREARS, query).context["totals"]

    response = client.get("/collection/arrears.xlsx", query, HTTP_ACCEPT_LANGUAGE="en")

    assert "arrears-420300-01-20251130.xlsx" in response["Content-Disposition"]
    rows = workbook_rows(response)
    _header, listed, total = table(rows, "Bill number")
    assert len(listed) == totals["bills"]
    assert format_yuan(int(yuan(total[9]) * 100)) == totals["outstanding"]
    assert format_yuan(int(yuan(total[11]) * 100)) == totals["late_fee"]
    worker_id = employers["worker"].resident_id
    assert worker_id not in {row[4] for row in listed}
    assert mask_resident_id(worker_id) in {row[4] for row in listed}


# --- navigation ----------------------------------------------------------------------------------


def test_the_menu_leads_to_the_collection_pages(login):
    body = login("fund_shiyan").get(EXCHANGE).content.decode()
    for url in (EXCHANGE, UNMATCHED, RECONCILIATION, ARREARS):
        assert f'href="{url}"' in body
