"""Certificates and documents of the employer (证明打印): the employer contribution
certificate (单位参保证明, SBCT001) and a bill as PDF (SBCT003), each a case done on the spot
on the web channel through the documents app, and the list of documents issued to the
employer with their verification codes and a re-download of each."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shebao.core.errors import RuleViolation
from shebao.core.feedback import refusal_shown
from shebao.core.models import Channel
from shebao.documents.codes import code_display
from shebao.documents.models import IssuedDocument
from shebao.documents.services import (
    Issued,
    bill_document_issue,
    document_pdf,
    employer_certificate_issue,
)
from shebao.portal.auth import agent_required, portal_actor
from shebao.portal.employer_selectors import (
    employer_bill_get,
    employer_document_get,
    employer_documents,
)
from shebao.portal.views.employer_common import PAGE_SIZE, PDF, agent_and_employer, download


def _pdf_name(document: IssuedDocument) -> str:
    # The kind and the code, never a name or an ID number.
    return f"{document.kind.replace('_', '-')}-{document.code}.pdf"


def _handed_over(issued: Issued) -> HttpResponse:
    return download(issued.pdf, PDF, _pdf_name(issued.document))


@agent_required
def document_list(request: HttpRequest) -> HttpResponse:
    _agent, employer = agent_and_employer(request)
    page = Paginator(employer_documents(employer), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/employer/documents.html",
        {
            "employer": employer,
            "page": page,
            "rows": [(document, code_display(document.code)) for document in page.object_list],
            "query": "",
        },
    )


@agent_required
@require_POST
def certificate_issue(request: HttpRequest) -> HttpResponse:
    """The employer contribution certificate, issued now and handed over as PDF."""
    _agent, employer = agent_and_employer(request)
    try:
        issued = employer_certificate_issue(
            actor=portal_actor(request), employer=employer, channel=Channel.WEB
        )
    except RuleViolation as exc:
        messages.error(request, refusal_shown(exc))
        return redirect("portal:employer_documents")
    return _handed_over(issued)


@agent_required
@require_POST
def bill_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """One of the employer's bills as a PDF with its verification code."""
    _agent, employer = agent_and_employer(request)
    bill = employer_bill_get(employer, number)
    try:
        issued = bill_document_issue(actor=portal_actor(request), bill=bill, channel=Channel.WEB)
    except RuleViolation as exc:
        messages.error(request, refusal_shown(exc))
        return redirect("portal:employer_bill", number=bill.number)
    return _handed_over(issued)


@agent_required
def document_download(request: HttpRequest, code: str) -> HttpResponse:
    """A document issued earlier, rendered again and refused unless identical to the one
    issued (the documents app checks its fingerprint)."""
    _agent, employer = agent_and_employer(request)
    document = employer_document_get(employer, code)
    try:
        pdf = document_pdf(actor=portal_actor(request), document=document)
    except RuleViolation as exc:
        messages.error(request, refusal_shown(exc))
        return redirect("portal:employer_documents")
    return download(pdf, PDF, _pdf_name(document))
