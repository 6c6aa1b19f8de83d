"""Bill pages: an employer's bills, one bill with its lines, and both as Excel workbooks."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from shebao.contributions.models import AssessmentLine, Bill, BillKind
from shebao.contributions.services.assessments import (
    assessment_run_create,
    assessment_run_execute,
)
from shebao.contributions.tests.factories import employer_make, person_make, relations_make
from shebao.contributions.views import bills as bill_views
from shebao.core.masking import mask_resident_id
from shebao.core.money import format_yuan
from shebao.registry.models import Scheme


def assess(system, agency, period: int):
    run = assessment_run_create(actor=system, period=period, agency=agency)
    return assessment_run_execute(run, actor=system)


@pytest.fixture
def maojian(agency):
    return agency("420302")


@pytest.fixture
def employer(maojian):
    firm = employer_make(maojian)
    for _ in range(3):
        relations_make(person_make(maojian), firm, agency=maojian, start=202501)
    return firm


@pytest.fixture
def bills(system, maojian, employer):
    """Bills of October 2025 and January 2026."""
    for period in (202510, 202601):
        assess(system, maojian, period)
    return list(Bill.objects.filter(employer=employer))


def sheet_of(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]


def table(sheet, first_header: str):
    """The header row and the data rows below it, the totals row apart."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == first_header)
    return rows[start], rows[start + 1 : -1], rows[-1]


def test_employer_bills_are_listed_newest_first_and_filtered_by_year(login, employer, bills):
    client = login("clerk_maojian")
    response = client.get(f"/collection/employers/{employer.pk}/bills/")
    assert response.status_code == 200
    listed = [row.bill.period for row in response.context["rows"]]
    assert listed == [202601, 202510]
    body = response.content.decode()
    for bill in bills:
        assert bill.number in body
        assert format_yuan(bill.total_fen) in body
    filtered = client.get(f"/collection/employers/{employer.pk}/bills/", {"year": "2025"})
    assert [row.bill.period for row in filtered.context["rows"]] == [202510]


def test_the_employer_page_links_to_its_bills(login, employer):
    body = login("clerk_maojian").get(f"/registry/employers/{employer.pk}/").content.decode()
    assert f"/collection/employers/{employer.pk}/bills/" in body


def test_a_change_of_base_gives_a_difference_bill(login, system, maojian, employer, bills):
    newcomer = person_make(maojian)
    relations_make(newcomer, employer, agency=maojian, start=202510)
    assess(system, maojian, 202510)
    response = login("clerk_maojian").get(f"/collection/employers/{employer.pk}/bills/")
    kinds = [(row.bill.period, row.bill.kind) for row in response.context["rows"]]
    assert kinds == [
        (202601, BillKind.ORIGINAL),
        (202510, BillKind.DIFFERENCE),
        (202510, BillKind.ORIGINAL),
    ]


def test_bill_page_lists_its_lines_with_masked_ids(login, employer, bills):
    bill = next(b for b in bills if b.period == 202510)
    response = login("clerk_maojian").get(f"/collection/bills/{bill.number}/")
    body = response.content.decode()
    lines = AssessmentLine.objects.filter(run=bill.run, employer=employer).select_related("person")
    assert response.context["page"].paginator.count == bill.lines == lines.count() == 9
    for line in lines:
        assert line.person.resident_id not in body
        assert mask_resident_id(line.person.resident_id) in body
        assert line.person.name in body
    assert format_yuan(bill.total_fen) in body


def test_bill_lines_are_paginated(login, employer, bills, monkeypatch):
    monkeypatch.setattr(bill_views, "LINES_PAGE", 4)
    bill = bills[0]
    client = login("clerk_maojian")
    first = client.get(f"/collection/bills/{bill.number}/")
    last = client.get(f"/collection/bills/{bill.number}/", {"page": "3"})
    assert len(first.context["rows"]) == 4
    assert len(last.context["rows"]) == 1
    seen = {row.line.pk for row in first.context["rows"]} | {
        row.line.pk for row in last.context["rows"]
    }
    assert len(seen) == 5


def test_flexible_worker_bill_holds_only_that_worker_lines(login, system, maojian, employer):
    worker = person_make(maojian)
    relations_make(worker, None, agency=maojian, schemes=[Scheme.PENSION])
    other = person_make(maojian)
    relations_make(other, None, agency=maojian, schemes=[Scheme.PENSION])
    run = assess(system, maojian, 202510)
    bill = Bill.objects.get(run=run, person=worker, employer__isnull=True)
    response = login("clerk_maojian").get(f"/collection/bills/{bill.number}/")
    assert [row.line.person_id for row in response.context["rows"]] == [worker.pk]
    assert mask_resident_id(worker.resident_id) in response.content.decode()


def test_bills_out_of_scope_are_not_found(login, employer, bills):
    client = login("clerk_wuhan")
    assert client.get(f"/collection/employers/{employer.pk}/bills/").status_code == 404
    assert client.get(f"/collection/employers/{employer.pk}/bills.xlsx").status_code == 404
    assert client.get(f"/collection/bills/{bills[0].number}/").status_code == 404
    assert client.get(f"/collection/bills/{bills[0].number}/bill.xlsx").status_code == 404
    assert client.get("/collection/bills/B000000-0-E0/").status_code == 404


def test_bills_workbook_names_the_employer_and_adds_up_to_the_bills(login, employer, bills):
    response = login("clerk_maojian").get(
        f"/collection/employers/{employer.pk}/bills.xlsx", HTTP_ACCEPT_LANGUAGE="en"
    )
    sheet = sheet_of(response)
    head = [row[:2] for row in sheet.iter_rows(max_row=4, values_only=True)]
    assert ("Employer", employer.name) in head
    assert ("Credit code", employer.credit_code) in head
    assert any(label == "Generated at" for label, _value in head)
    header, rows, totals = table(sheet, "Period")
    assert [row[1] for row in rows] == [
        b.number for b in sorted(bills, key=lambda b: b.period, reverse=True)
    ]
    total_column = header.index("Total (yuan)")
    assert all(isinstance(row[total_column], float | int) for row in rows)
    expected = Decimal(sum(b.total_fen for b in bills)) / 100
    assert Decimal(str(totals[total_column])) == expected
    assert sum(Decimal(str(row[total_column])) for row in rows) == expected
    assert sheet.cell(row=7, column=total_column + 1).number_format == "#,##0.00"


def test_bills_workbook_follows_the_year_filter(login, employer, bills):
    response = login("clerk_maojian").get(
        f"/collection/employers/{employer.pk}/bills.xlsx",
        {"year": "2025"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    _header, rows, _totals = table(sheet_of(response), "Period")
    assert [row[0] for row in rows] == ["2025-10"]


def test_bill_workbook_lists_masked_lines_adding_up_to_the_bill(login, employer, bills):
    bill = bills[0]
    response = login("clerk_maojian").get(
        f"/collection/bills/{bill.number}/bill.xlsx", HTTP_ACCEPT_LANGUAGE="en"
    )
    sheet = sheet_of(response)
    text = str(list(sheet.iter_rows(values_only=True)))
    head = [row[:2] for row in sheet.iter_rows(max_row=8, values_only=True)]
    assert ("Employer", employer.name) in head
    assert ("Credit code", employer.credit_code) in head
    header, rows, totals = table(sheet, "Insured person")
    assert header[5] == "Employer amount (yuan)"
    assert len(rows) == bill.lines
    ids = {row[1] for row in rows}
    for line in AssessmentLine.objects.filter(run=bill.run, employer=employer):
        assert line.person.resident_id not in text
        assert mask_resident_id(line.person.resident_id) in ids
    for column, fen in ((5, bill.employer_fen), (6, bill.individual_fen)):
        assert sum(Decimal(str(row[column])) for row in rows) == Decimal(fen) / 100
        assert Decimal(str(totals[column])) == Decimal(fen) / 100


def test_bill_pages_query_count_does_not_grow_with_the_rows(
    login, system, maojian, employer, bills, django_assert_max_num_queries
):
    client = login("clerk_maojian")
    bill = next(b for b in bills if b.period == 202510)
    bills_page = f"/collection/employers/{employer.pk}/bills/"
    with django_assert_max_num_queries(15) as detail:
        client.get(f"/collection/bills/{bill.number}/")
    with django_assert_max_num_queries(15) as listing:
        client.get(bills_page)
    for _ in range(5):
        relations_make(person_make(maojian), employer, agency=maojian, start=202510)
    bigger = Bill.objects.get(run=assess(system, maojian, 202510), employer=employer)
    assert bigger.lines == 15
    with django_assert_max_num_queries(len(detail)):
        client.get(f"/collection/bills/{bigger.number}/")
    with django_assert_max_num_queries(len(listing)):
        assert len(client.get(bills_page).context["rows"]) == 3
