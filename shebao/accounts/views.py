"""Account pages (个人账户): the balance with its year-end balances, and the statement of a
year (对账单) on screen and as Excel. Scoped like the person: 404 outside the viewer's agency
subtree; the resident ID is masked."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shebao.accounts.excel import statement_workbook
from shebao.accounts.selectors import (
    account_person_get,
    account_summary,
    statement_of,
    statement_year_valid,
)
from shebao.core.actors import actor_from_request
from shebao.core.masking import mask_resident_id

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def account(request: HttpRequest, person_id: int) -> HttpResponse:
    person = account_person_get(actor_from_request(request), person_id)
    summary = account_summary(person)
    return render(
        request,
        "accounts/account.html",
        {
            "person": person,
            "resident_id": mask_resident_id(person.resident_id),
            "summary": summary,
            "year_ends": list(reversed(summary.year_ends)),
        },
    )


@login_required
def statement(request: HttpRequest, person_id: int, year: int) -> HttpResponse:
    person = account_person_get(actor_from_request(request), person_id)
    if not statement_year_valid(year):
        raise Http404("no such year")
    summary = account_summary(person)
    years = summary.years
    return render(
        request,
        "accounts/statement.html",
        {
            "person": person,
            "resident_id": mask_resident_id(person.resident_id),
            "statement": statement_of(person, year, summary=summary),
            "previous_year": year - 1 if years and years[0] < year else None,
            "next_year": year + 1 if years and year < years[-1] else None,
        },
    )


@login_required
def statement_xlsx(request: HttpRequest, person_id: int, year: int) -> HttpResponse:
    person = account_person_get(actor_from_request(request), person_id)
    if not statement_year_valid(year):
        raise Http404("no such year")
    data = statement_workbook(
        person=person, statement=statement_of(person, year), generated_at=timezone.now()
    )
    response = HttpResponse(data, content_type=XLSX)
    # The file name carries the person's record number, not the resident ID.
    response["Content-Disposition"] = f'attachment; filename="statement-{person.pk}-{year}.xlsx"'
    return response
