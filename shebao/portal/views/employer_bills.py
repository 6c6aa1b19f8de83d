"""Bills and payment status (缴费单与到账) of the agent's employer: the list by year with the
payment status of each bill, a bill with its lines, and both as Excel through the counter's
own workbook writers. Reads only: nothing here opens a case."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shebao.contributions.display import BillRow, LineRow
from shebao.contributions.excel import bill_workbook, bills_workbook
from shebao.contributions.forms import BillYearForm
from shebao.contributions.selectors import bill_years, bills_of_employer, lines_of_bill
from shebao.core.money import format_yuan
from shebao.portal.auth import agent_required
from shebao.portal.employer_selectors import bill_totals, employer_bill_get
from shebao.portal.views.employer_common import PAGE_SIZE, XLSX, agent_and_employer, download
from shebao.registry.models import Employer

LINES_PAGE = 100


def _year(request: HttpRequest, employer: Employer) -> tuple[BillYearForm, int | None]:
    """The year asked for; the newest year with bills when none was (``year=`` is all)."""
    years = bill_years(employer)
    if "year" not in request.GET:
        newest = years[0] if years else None
        return BillYearForm(initial={"year": newest}, years=years), newest
    form = BillYearForm(request.GET, years=years)
    return form, form.cleaned_data.get("year") if form.is_valid() else None


@agent_required
def bill_list(request: HttpRequest) -> HttpResponse:
    _agent, employer = agent_and_employer(request)
    form, year = _year(request, employer)
    bills = bills_of_employer(employer, year=year)
    page = Paginator(bills, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = bill_totals(bills)
    return render(
        request,
        "portal/employer/bills.html",
        {
            "employer": employer,
            "form": form,
            "year": year,
            "page": page,
            "rows": [BillRow.of(bill) for bill in page.object_list],
            "totals": totals,
            "total": format_yuan(totals.total_fen),
            "paid": format_yuan(totals.paid_fen),
            "outstanding": format_yuan(totals.outstanding_fen),
            "query": f"year={year or ''}&",
        },
    )


@agent_required
def bill_list_xlsx(request: HttpRequest) -> HttpResponse:
    _agent, employer = agent_and_employer(request)
    _form, year = _year(request, employer)
    data = bills_workbook(
        employer=employer,
        bills=bills_of_employer(employer, year=year),
        generated_at=timezone.now(),
    )
    suffix = f"-{year}" if year else ""
    return download(data, XLSX, f"bills-{employer.credit_code}{suffix}.xlsx")


@agent_required
def bill_detail(request: HttpRequest, number: str) -> HttpResponse:
    _agent, employer = agent_and_employer(request)
    bill = employer_bill_get(employer, number)
    page = Paginator(lines_of_bill(bill), LINES_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/employer/bill_detail.html",
        {
            "employer": employer,
            "bill": bill,
            "bill_year": bill.period // 100,
            "amounts": BillRow.of(bill),
            "late_fee": format_yuan(bill.late_fee_fen),
            "outstanding": format_yuan(bill.outstanding_fen),
            "page": page,
            "rows": [LineRow.of(line) for line in page.object_list],
            "query": "",
        },
    )


@agent_required
def bill_xlsx(request: HttpRequest, number: str) -> HttpResponse:
    _agent, employer = agent_and_employer(request)
    bill = employer_bill_get(employer, number)
    data = bill_workbook(
        bill=bill, lines=lines_of_bill(bill).iterator(chunk_size=2000), generated_at=timezone.now()
    )
    return download(data, XLSX, f"bill-{bill.number}.xlsx")
