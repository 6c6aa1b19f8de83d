"""Bill pages (缴费单): an employer's monthly bills, one bill with its lines, and both as Excel."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shebao.contributions.display import BillRow, LineRow
from shebao.contributions.excel import bill_workbook, bills_workbook
from shebao.contributions.forms import BillYearForm
from shebao.contributions.selectors import (
    bill_get,
    bill_years,
    bills_of_employer,
    lines_of_bill,
)
from shebao.core.actors import actor_from_request
from shebao.core.masking import mask_resident_id
from shebao.core.money import format_yuan
from shebao.registry.models import Employer
from shebao.registry.selectors import employer_get

BILLS_PAGE = 50
LINES_PAGE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year_filter(request: HttpRequest, employer: Employer) -> tuple[BillYearForm, int | None]:
    form = BillYearForm(request.GET or None, years=bill_years(employer))
    year = form.cleaned_data.get("year") if form.is_valid() else None
    return form, year


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def employer_bills(request: HttpRequest, employer_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    employer = employer_get(actor, employer_id)
    form, year = _year_filter(request, employer)
    page = Paginator(bills_of_employer(employer, year=year), BILLS_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "contributions/employer_bills.html",
        {
            "employer": employer,
            "form": form,
            "year": year,
            "page": page,
            "rows": [BillRow.of(bill) for bill in page.object_list],
            "query": f"year={year}&" if year else "",
        },
    )


@login_required
def employer_bills_xlsx(request: HttpRequest, employer_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    employer = employer_get(actor, employer_id)
    _form, year = _year_filter(request, employer)
    data = bills_workbook(
        employer=employer,
        bills=bills_of_employer(employer, year=year),
        generated_at=timezone.now(),
    )
    suffix = f"-{year}" if year else ""
    return _xlsx(data, f"bills-{employer.credit_code}{suffix}.xlsx")


@login_required
def bill_detail(request: HttpRequest, number: str) -> HttpResponse:
    actor = actor_from_request(request)
    bill = bill_get(actor, number)
    page = Paginator(lines_of_bill(bill), LINES_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "contributions/bill_detail.html",
        {
            "bill": bill,
            "amounts": BillRow.of(bill),
            "late_fee": format_yuan(bill.late_fee_fen),
            "outstanding": format_yuan(bill.outstanding_fen),
            "credit": format_yuan(bill.account_credit_fen),
            "payer_resident_id": mask_resident_id(bill.person.resident_id) if bill.person else "",
            "page": page,
            "rows": [LineRow.of(line) for line in page.object_list],
            "query": "",
        },
    )


@login_required
def bill_xlsx(request: HttpRequest, number: str) -> HttpResponse:
    actor = actor_from_request(request)
    bill = bill_get(actor, number)
    data = bill_workbook(
        bill=bill, lines=lines_of_bill(bill).iterator(chunk_size=2000), generated_at=timezone.now()
    )
    return _xlsx(data, f"bill-{bill.number}.xlsx")
