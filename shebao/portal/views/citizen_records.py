"""The citizen's own records: insured relations, contributions by month (and as a workbook),
the account statement of a year, the contribution certificate and the documents issued."""

from __future__ import annotations

from io import BytesIO

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from shebao.accounts.selectors import account_summary, statement_of, statement_year_valid
from shebao.core.errors import RuleViolation
from shebao.core.feedback import report_refusal
from shebao.core.models import Channel
from shebao.documents.services import (
    account_statement_issue,
    document_pdf,
    personal_certificate_issue,
)
from shebao.portal import selectors
from shebao.portal.auth import citizen_required
from shebao.portal.views.citizen_common import actor, me, pdf_response
from shebao.registry.models import Scheme


@citizen_required
def relations(request: HttpRequest) -> HttpResponse:
    person = me(request)
    rows = selectors.my_relations(person)
    context = {"relations": rows, "standings": selectors.scheme_standings(rows), "person": person}
    return render(request, "portal/citizen/relations.html", context)


def _history(request: HttpRequest) -> selectors.ContributionHistory:
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and statement_year_valid(int(year_text)) else None
    scheme = request.GET.get("scheme", "")
    if scheme not in Scheme.values:
        scheme = ""
    return selectors.contribution_history(me(request), year=year, scheme=scheme)


@citizen_required
def contributions(request: HttpRequest) -> HttpResponse:
    history = _history(request)
    context = {"history": history, "schemes": Scheme.choices, "query": request.GET.urlencode()}
    return render(request, "portal/citizen/contributions.html", context)


PAYMENT_LABELS = {
    selectors.Payment.PAID: "已到账",
    selectors.Payment.UNPAID: "未到账",
    selectors.Payment.PARTLY: "部分到账",
    selectors.Payment.BEFORE: "历史记录",
}


@citizen_required
def contributions_xlsx(request: HttpRequest) -> HttpResponse:
    """The rows of the page, as a workbook: amounts in yuan as numbers with two decimals."""
    history = _history(request)
    person = me(request)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "缴费明细"
    sheet.append(["姓名", person.name])
    sheet.append([])
    header = ["费款所属期", "险种", "缴费单位", "缴费基数(元)", "个人缴费(元)", "单位缴费(元)"]
    sheet.append([*header, "到账状态"])
    for month in history.months:
        sheet.append(
            [
                month.period,
                month.scheme_label,
                month.payer,
                month.base_fen / 100,
                None if month.individual_fen is None else month.individual_fen / 100,
                None if month.employer_fen is None else month.employer_fen / 100,
                PAYMENT_LABELS.get(month.payment, month.payment),
            ]
        )
    sheet.append(
        [
            "合计",
            None,
            None,
            history.base_fen / 100,
            history.individual_fen / 100,
            history.employer_fen / 100,
        ]
    )
    for column in (4, 5, 6):
        for cell in sheet[get_column_letter(column)][3:]:
            cell.number_format = "#,##0.00"
    for letter, width in zip("ABCDEFG", (12, 14, 30, 14, 14, 14, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    suffix = f"-{history.year}" if history.year else ""
    response["Content-Disposition"] = f'attachment; filename="contributions{suffix}.xlsx"'
    return response


@citizen_required
def statement(request: HttpRequest) -> HttpResponse:
    person = me(request)
    summary = account_summary(person)
    years = selectors.statement_years(summary)
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else (years[0] if years else None)
    if year is not None and year not in years:
        raise Http404()
    shown = statement_of(person, year, summary=summary) if year is not None else None
    context = {"summary": summary, "years": years, "year": year, "statement": shown}
    return render(request, "portal/citizen/statement.html", context)


@require_POST
@citizen_required
def statement_pdf(request: HttpRequest, year: int) -> HttpResponse:
    person = me(request)
    if year not in account_summary(person).years:
        raise Http404()
    try:
        issued = account_statement_issue(
            actor=actor(request), person=person, year=year, channel=Channel.WEB
        )
    except RuleViolation as exc:
        report_refusal(request, exc)
        return redirect(f"{reverse('portal:citizen_statement')}?year={year}")
    return pdf_response(issued.pdf, f"statement-{year}-{issued.document.code}.pdf")


@citizen_required
def certificate(request: HttpRequest) -> HttpResponse:
    person = me(request)
    recent = selectors.my_documents(person)[:10]
    return render(request, "portal/citizen/certificate.html", {"documents": recent})


@require_POST
@citizen_required
def certificate_pdf(request: HttpRequest) -> HttpResponse:
    try:
        issued = personal_certificate_issue(
            actor=actor(request), person=me(request), channel=Channel.WEB
        )
    except RuleViolation as exc:
        report_refusal(request, exc)
        return redirect("portal:citizen_certificate")
    return pdf_response(issued.pdf, f"certificate-{issued.document.code}.pdf")


@citizen_required
def document_download(request: HttpRequest, code: str) -> HttpResponse:
    """A document issued to the person, again; another person's code is 404."""
    document = selectors.my_document_get(actor(request), code)
    try:
        pdf = document_pdf(actor=actor(request), document=document)
    except RuleViolation as exc:
        report_refusal(request, exc)
        return redirect("portal:citizen_certificate")
    return pdf_response(pdf, f"{document.kind.replace('_', '-')}-{document.code}.pdf")
