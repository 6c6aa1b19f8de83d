"""Counter pages of collection: base declaration typed and from Excel, the flexible worker's
base, back-payment and refund, each opening its case or showing the refusal."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
import time_machine

from shebao.contributions import base_excel
from shebao.contributions.models import Bill, ContributionBase, Payment, Refund
from shebao.contributions.services.assessments import (
    assessment_run_create,
    assessment_run_execute,
)
from shebao.contributions.tests.conftest import base_set
from shebao.contributions.tests.factories import employer_make, person_make, relations_make
from shebao.core.masking import mask_resident_id
from shebao.services.models import Case

TODAY = date(2026, 11, 27)
BACKPAY_DAY = date(2025, 7, 31)


def cases_of(item_code: str, **applicant) -> int:
    return Case.objects.filter(item__code=item_code, **applicant).count()


def bodies(response) -> str:
    return response.content.decode()


def refusals(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def staff(maojian):
    """An employer of Maojian with three employees insured since January 2024."""
    employer = employer_make(maojian)
    people = [person_make(maojian) for _ in range(3)]
    for person in people:
        relations_make(person, employer, agency=maojian, start=202401)
    return employer, people


def bases_url(employer) -> str:
    return f"/collection/employers/{employer.pk}/bases/"


def filled_template(
    client, employer, wages: dict[str, int | float | str], year: int = 2025
) -> bytes:
    """The downloaded template with the wage column filled by resident ID."""
    response = client.get(f"{bases_url(employer)}template.xlsx", {"year": year})
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        row[2].value = wages.get(str(row[0].value))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, employer, data: bytes, year: int = 2025, name: str = "bases.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(bases_url(employer), {"source": "excel", "year": year, "file": file})


# --- base declaration ------------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_declaration_page_lists_the_year_staff_masked_with_their_verified_base(login, staff):
    employer, (first, second, _third) = staff
    base_set(first, 2025, 650000)

    response = login("clerk_maojian").get(bases_url(employer), {"year": "2025"})

    assert response.status_code == 200
    body = bodies(response)
    listed = {member.person_id: member for member, _field in response.context["rows"]}
    assert set(listed) == {person.pk for person in staff[1]}
    assert listed[first.pk].base == "6,500.00"
    assert listed[second.pk].base == ""
    for person in staff[1]:
        assert person.resident_id not in body
        assert mask_resident_id(person.resident_id) in body
    assert (response.context["floor"], response.context["cap"]) == ("4,299.00", "21,678.00")
    assert "4,299.00" in body
    assert "21,678.00" in body
    assert "autofocus" in body


@time_machine.travel(TODAY, tick=False)
def test_declaration_page_query_count_does_not_grow_with_the_staff(
    login, staff, maojian, django_assert_max_num_queries
):
    employer, _people = staff
    client = login("clerk_maojian")
    with django_assert_max_num_queries(20) as small:
        client.get(bases_url(employer), {"year": "2025"})
    for _ in range(10):
        person = person_make(maojian)
        relations_make(person, employer, agency=maojian, start=202401)
        base_set(person, 2025, 600000)
    with django_assert_max_num_queries(len(small)):
        assert len(client.get(bases_url(employer), {"year": "2025"}).context["rows"]) == 13


@time_machine.travel(TODAY, tick=False)
def test_the_year_defaults_to_the_current_one(login, staff):
    employer, _people = staff
    response = login("clerk_maojian").get(bases_url(employer))
    assert response.context["year"] == 2026
    assert len(response.context["rows"]) == 3


@time_machine.travel(TODAY, tick=False)
def test_typed_wages_open_a_case_and_the_outcome_shows_who_was_clamped(login, staff):
    employer, (low, middle, high) = staff
    client = login("clerk_maojian")

    response = client.post(
        bases_url(employer),
        {
            "source": "form",
            "year": "2025",
            f"wage_{low.pk}": "3000",
            f"wage_{middle.pk}": "8,123.45",
            f"wage_{high.pk}": "30000.00",
        },
    )

    case = Case.objects.get(item__code="SBCL002", applicant_employer=employer)
    assert response.status_code == 302
    assert response["Location"] == f"{bases_url(employer)}{case.pk}/"
    assert {(b["resident_id"], b["base_fen"], b["clamp"]) for b in case.data["bases"]} == {
        (low.resident_id, 429900, "floor"),
        (middle.resident_id, 812345, ""),
        (high.resident_id, 2167800, "cap"),
    }
    assert not ContributionBase.objects.filter(person__in=[low, middle, high]).exists()

    outcome = client.get(response["Location"])
    body = bodies(outcome)
    assert case.receipt_no in body
    assert outcome.context["summary"] == {"floor": 1, "cap": 1, "within": 1}
    rows = {row.name: row for row in outcome.context["rows"]}
    assert (rows[low.name].wage, rows[low.name].base, rows[low.name].clamp) == (
        "3,000.00",
        "4,299.00",
        "floor",
    )
    assert "4,299.00" in rows[low.name].why
    assert (rows[high.name].base, rows[high.name].clamp) == ("21,678.00", "cap")
    assert "21,678.00" in rows[high.name].why
    assert (rows[middle.name].base, rows[middle.name].why) == ("8,123.45", "")
    assert body.count('data-clamp="floor"') == 1
    assert body.count('data-clamp="cap"') == 1
    assert low.resident_id not in body


@time_machine.travel(TODAY, tick=False)
def test_blank_wages_leave_the_employee_out(login, staff):
    employer, (first, _second, _third) = staff
    login("clerk_maojian").post(
        bases_url(employer), {"source": "form", "year": "2025", f"wage_{first.pk}": "6000"}
    )
    case = Case.objects.get(item__code="SBCL002", applicant_employer=employer)
    assert [b["resident_id"] for b in case.data["bases"]] == [first.resident_id]


@time_machine.travel(TODAY, tick=False)
def test_a_mistyped_wage_is_marked_and_nothing_is_opened(login, staff):
    employer, (first, second, _third) = staff

    response = login("clerk_maojian").post(
        bases_url(employer),
        {"source": "form", "year": "2025", f"wage_{first.pk}": "6000", f"wage_{second.pk}": "6k"},
    )

    assert response.status_code == 200
    field = response.context["form"][f"wage_{second.pk}"]
    assert "MONEY-FORMAT" in " ".join(field.errors)
    assert field.field.widget.attrs.get("autofocus") is True
    assert "is-invalid" in field.field.widget.attrs["class"]
    assert response.context["form"][f"wage_{first.pk}"].value() == "6000"  # kept for the clerk
    assert cases_of("SBCL002", applicant_employer=employer) == 0


@time_machine.travel(TODAY, tick=False)
def test_nothing_typed_is_refused_with_its_rule(login, staff):
    employer, _people = staff
    response = login("clerk_maojian").post(bases_url(employer), {"source": "form", "year": "2025"})
    assert any(text.startswith("BASE-NOTHING:") for text in refusals(response))
    assert cases_of("SBCL002", applicant_employer=employer) == 0


@time_machine.travel(TODAY, tick=False)
def test_a_year_whose_floor_is_unpublished_is_refused_without_writing(login, staff):
    employer, (first, *_rest) = staff
    client = login("clerk_maojian")

    page = client.get(bases_url(employer), {"year": "2024"})
    assert "PARAM-VALUE-UNPUBLISHED" in page.context["unpublished"]
    assert "PARAM-VALUE-UNPUBLISHED" in bodies(page)

    response = client.post(
        bases_url(employer), {"source": "form", "year": "2024", f"wage_{first.pk}": "6000"}
    )
    assert response.status_code == 200
    assert any(text.startswith("PARAM-VALUE-UNPUBLISHED:") for text in refusals(response))
    assert cases_of("SBCL002", applicant_employer=employer) == 0


@time_machine.travel(TODAY, tick=False)
def test_the_template_opens_in_excel_and_lists_the_year_staff(login, staff, maojian):
    employer, people = staff
    gone = person_make(maojian)  # left before 2025: not in the 2025 workbook
    relations_make(gone, employer, agency=maojian, start=202301, end=202312)

    response = login("clerk_maojian").get(f"{bases_url(employer)}template.xlsx", {"year": "2025"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"bases-{employer.credit_code}-2025.xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "公民身份号码"
    assert {(row[0], row[1]) for row in rows[1:]} == {(p.resident_id, p.name) for p in people}


@time_machine.travel(TODAY, tick=False)
def test_an_uploaded_filled_template_opens_the_case(login, staff):
    employer, (low, middle, high) = staff
    client = login("clerk_maojian")
    data = filled_template(
        client,
        employer,
        {low.resident_id: 3000, middle.resident_id: "7,000.50", high.resident_id: 25000.5},
    )

    response = upload(client, employer, data)

    case = Case.objects.get(item__code="SBCL002", applicant_employer=employer)
    assert response.status_code == 302
    assert response["Location"] == f"{bases_url(employer)}{case.pk}/"
    assert case.data["year"] == 2025
    assert sorted((b["wage_fen"], b["base_fen"], b["clamp"]) for b in case.data["bases"]) == [
        (300000, 429900, "floor"),
        (700050, 700050, ""),
        (2500050, 2167800, "cap"),
    ]


@time_machine.travel(TODAY, tick=False)
def test_a_bad_upload_shows_the_rule_and_creates_nothing(login, staff):
    employer, (low, middle, _high) = staff
    client = login("clerk_maojian")
    data = filled_template(client, employer, {low.resident_id: 5000, middle.resident_id: "abc"})
    # The template lists the staff by resident ID below its header row.
    bad_row = sorted(p.resident_id for p in staff[1]).index(middle.resident_id) + 2

    response = upload(client, employer, data)

    assert response.status_code == 200
    shown = refusals(response)
    assert any(
        text.startswith("BASE-ROWS-INVALID:") and f"#{bad_row} MONEY-FORMAT" in text
        for text in shown
    )
    assert "BASE-ROWS-INVALID" in bodies(response)
    assert cases_of("SBCL002", applicant_employer=employer) == 0


@time_machine.travel(TODAY, tick=False)
def test_a_file_that_is_not_a_workbook_is_refused(login, staff):
    employer, _people = staff
    response = upload(login("clerk_maojian"), employer, b"resident,wage\n", name="bases.csv")
    assert any(text.startswith("BATCH-NOT-XLSX:") for text in refusals(response))
    assert cases_of("SBCL002", applicant_employer=employer) == 0


@time_machine.travel(TODAY, tick=False)
def test_a_workbook_above_the_size_limit_is_refused(login, staff, monkeypatch):
    employer, (first, *_rest) = staff
    client = login("clerk_maojian")
    data = filled_template(client, employer, {first.resident_id: 6000})
    monkeypatch.setattr(base_excel, "MAX_BYTES", len(data) - 1)
    response = upload(client, employer, data)
    assert any(text.startswith("BATCH-TOO-LARGE:") for text in refusals(response))
    assert cases_of("SBCL002", applicant_employer=employer) == 0


@time_machine.travel(TODAY, tick=False)
def test_staff_without_the_accept_claim_are_refused(login, staff):
    employer, (first, *_rest) = staff
    response = login("fund_shiyan").post(
        bases_url(employer), {"source": "form", "year": "2025", f"wage_{first.pk}": "6000"}
    )
    assert response.status_code == 403
    assert cases_of("SBCL002", applicant_employer=employer) == 0


# --- flexible worker's base ------------------------------------------------------------------


@pytest.fixture
def flexible_worker(maojian):
    person = person_make(maojian)
    relations_make(person, None, agency=maojian, schemes=["pension"], start=202501)
    return person


@time_machine.travel(TODAY, tick=False)
def test_a_flexible_base_outside_the_range_is_refused_and_inside_opens_the_case(
    login, flexible_worker
):
    url = f"/collection/persons/{flexible_worker.pk}/flexible-base/"
    client = login("clerk_maojian")

    page = client.get(url, {"year": "2025"})
    assert (page.context["floor"], page.context["cap"]) == ("4,299.00", "21,678.00")
    assert page.context["flexible"] is True
    assert flexible_worker.resident_id not in bodies(page)

    refused = client.post(url, {"year": "2025", "base": "4,000"})
    assert refused.status_code == 200
    assert any(text.startswith("CON-FLEX-BASE-RANGE:") for text in refusals(refused))
    assert cases_of("SBCL007", applicant_person=flexible_worker) == 0

    accepted = client.post(url, {"year": "2025", "base": "6000"})
    case = Case.objects.get(item__code="SBCL007", applicant_person=flexible_worker)
    assert accepted["Location"] == f"{url}{case.pk}/"
    assert case.data["bases"][0]["base_fen"] == 600000
    outcome = client.get(accepted["Location"])
    assert case.receipt_no in bodies(outcome)
    assert outcome.context["base"] == "6,000.00"


@time_machine.travel(TODAY, tick=False)
def test_an_employee_is_told_there_is_no_flexible_relation(login, staff):
    _employer, (person, *_rest) = staff
    url = f"/collection/persons/{person.pk}/flexible-base/"
    client = login("clerk_maojian")
    assert client.get(url, {"year": "2025"}).context["flexible"] is False
    response = client.post(url, {"year": "2025", "base": "6000"})
    assert any(text.startswith("BASE-NOT-FLEXIBLE:") for text in refusals(response))


# --- back-payment ----------------------------------------------------------------------------


@pytest.fixture
def employee(maojian):
    employer = employer_make(maojian, risk_class=2, tier=100)  # work injury 0.4%
    person = person_make(maojian)
    relations_make(person, employer, agency=maojian, start=202501)
    base_set(person, 2025, 500000)
    return employer, person


@time_machine.travel(BACKPAY_DAY, tick=False)
def test_back_payment_shows_the_preview_and_the_receipt(login, employee):
    employer, person = employee
    url = f"/collection/employers/{employer.pk}/back-payment/"
    client = login("clerk_maojian")

    response = client.post(
        url, {"resident_id": person.resident_id, "start": "2025-01", "end": "202503", "wage": ""}
    )

    case = Case.objects.get(item__code="SBCL004", applicant_employer=employer)
    assert response["Location"] == f"{url}{case.pk}/"
    outcome = client.get(response["Location"])
    body = bodies(outcome)
    assert case.receipt_no in body
    # The amounts of test_backpay: 1,270.00 a month and 289.57 late fee to 31 July 2025.
    assert outcome.context["months"] == 3
    assert outcome.context["lines"] == 9
    assert outcome.context["yuan"] == {
        "employer_fen": "2,565.00",
        "individual_fen": "1,245.00",
        "late_fee_fen": "289.57",
        "total_fen": "4,099.57",
    }
    for figure in ("2,565.00", "1,245.00", "289.57", "4,099.57"):
        assert figure in body
    assert person.resident_id not in body


@time_machine.travel(BACKPAY_DAY, tick=False)
def test_back_payment_for_a_month_without_a_relation_is_refused(login, employee):
    employer, person = employee
    response = login("clerk_maojian").post(
        f"/collection/employers/{employer.pk}/back-payment/",
        {"resident_id": person.resident_id, "start": "2024-12", "end": "2025-01"},
    )
    assert response.status_code == 200
    assert any(text.startswith("BACKPAY-NOT-INSURED:") for text in refusals(response))
    assert cases_of("SBCL004", applicant_employer=employer) == 0


@time_machine.travel(BACKPAY_DAY, tick=False)
def test_back_payment_periods_are_checked_by_the_form(login, employee):
    employer, person = employee
    response = login("clerk_maojian").post(
        f"/collection/employers/{employer.pk}/back-payment/",
        {"resident_id": person.resident_id, "start": "2025-13", "end": "2025-03"},
    )
    assert "PERIOD-FORMAT" in " ".join(response.context["form"].errors["start"])
    assert cases_of("SBCL004", applicant_employer=employer) == 0


# --- refund ----------------------------------------------------------------------------------


@pytest.fixture
def overpaid(system, maojian):
    """An employer whose October 2025 bill of 1,200.00 was paid 1,300.00."""
    employer = employer_make(maojian)
    person = person_make(maojian)
    relations_make(person, employer, agency=maojian, schemes=["pension"])
    base_set(person, 2025, 500000, schemes=("pension",))
    assessment_run_execute(
        assessment_run_create(actor=system, period=202510, agency=maojian), actor=system
    )
    bill = Bill.objects.get(employer=employer)
    Payment.objects.create(
        reference="T1",
        bill=bill,
        bill_number=bill.number,
        amount_fen=130000,
        paid_on=date(2025, 10, 20),
    )
    return employer


def test_a_refund_above_the_overpaid_amount_is_refused_and_within_it_accepted(login, overpaid):
    url = f"/collection/employers/{overpaid.pk}/refund/"
    client = login("clerk_maojian")

    page = client.get(url)
    assert page.context["periods"] == [("2025-10", "100.00", True)]
    assert "100.00" in bodies(page)

    refused = client.post(url, {"period": "202510", "amount": "100.01", "reason": "多缴"})
    assert refused.status_code == 200
    assert any(text.startswith("REFUND-EXCEEDS:") for text in refusals(refused))
    assert not Refund.objects.filter(employer=overpaid).exists()

    accepted = client.post(url, {"period": "202510", "amount": "100.00", "reason": "多缴一个月"})
    refund = Refund.objects.get(employer=overpaid)
    assert (refund.period, refund.amount_fen, refund.reason) == (202510, 10000, "多缴一个月")
    assert accepted["Location"] == f"{url}{refund.case_id}/"
    outcome = client.get(accepted["Location"])
    case = Case.objects.get(item__code="SBCL006", applicant_employer=overpaid)
    assert case.pk == refund.case_id
    assert case.receipt_no in bodies(outcome)
    assert outcome.context["amount"] == "100.00"


def test_an_employer_with_nothing_overpaid_gets_no_refund_form(login, staff):
    employer, _people = staff
    page = login("clerk_maojian").get(f"/collection/employers/{employer.pk}/refund/")
    assert page.context["can_refund"] is False
    assert 'data-testid="refund-form"' not in bodies(page)


# --- scope and links -------------------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_pages_outside_the_clerk_scope_are_not_found(login, staff, flexible_worker):
    employer, (first, *_rest) = staff
    case_client = login("clerk_maojian")
    case_client.post(
        bases_url(employer), {"source": "form", "year": "2025", f"wage_{first.pk}": "6000"}
    )
    case = Case.objects.get(item__code="SBCL002", applicant_employer=employer)
    case_client.logout()
    client = login("clerk_wuhan")
    employer_pages = (
        "bases/",
        "bases/template.xlsx",
        f"bases/{case.pk}/",
        "back-payment/",
        f"back-payment/{case.pk}/",
        "refund/",
        f"refund/{case.pk}/",
    )
    for page in employer_pages:
        assert client.get(f"/collection/employers/{employer.pk}/{page}").status_code == 404, page
    assert (
        client.post(
            bases_url(employer), {"source": "form", "year": "2025", f"wage_{first.pk}": "1"}
        ).status_code
        == 404
    )
    assert client.get(f"/collection/persons/{flexible_worker.pk}/flexible-base/").status_code == 404
    assert cases_of("SBCL002", applicant_employer=employer) == 1


@time_machine.travel(TODAY, tick=False)
def test_an_outcome_page_shows_only_its_own_item_and_employer(login, staff, maojian):
    employer, (first, *_rest) = staff
    client = login("clerk_maojian")
    client.post(bases_url(employer), {"source": "form", "year": "2025", f"wage_{first.pk}": "6000"})
    case = Case.objects.get(item__code="SBCL002", applicant_employer=employer)
    other = employer_make(maojian)
    assert client.get(f"{bases_url(employer)}{case.pk}/").status_code == 200
    assert client.get(f"{bases_url(other)}{case.pk}/").status_code == 404
    assert client.get(f"/collection/employers/{employer.pk}/refund/{case.pk}/").status_code == 404


def test_the_employer_and_person_pages_link_to_the_counter_pages(login, staff, flexible_worker):
    employer, _people = staff
    client = login("clerk_maojian")
    body = bodies(client.get(f"/registry/employers/{employer.pk}/"))
    for page in ("bases/", "back-payment/", "refund/"):
        assert f"/collection/employers/{employer.pk}/{page}" in body
    person_page = bodies(client.get(f"/registry/persons/{flexible_worker.pk}/"))
    assert f"/collection/persons/{flexible_worker.pk}/flexible-base/" in person_page
