"""Document pages: the staff's print buttons (each a POST that issues the document as a case
and leads to its page), the document page with the PDF, the list of documents issued in the
agency subtree with revocation, and the public verification page (no login)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.accounts.selectors import account_person_get
from shebao.benefits.selectors import pensions_visible
from shebao.contributions.selectors import bill_get
from shebao.core.actors import Actor, actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.feedback import refusal_shown, report_refusal
from shebao.core.masking import mask_resident_id
from shebao.core.middleware import framed_by_own_pages
from shebao.core.models import Action
from shebao.core.permissions import OutOfScope, actor_can
from shebao.documents.codes import code_display
from shebao.documents.models import DocumentKind, IssuedDocument
from shebao.documents.selectors import document_get, documents_search
from shebao.documents.services import (
    Issued,
    Outcome,
    account_statement_issue,
    bill_document_issue,
    document_pdf,
    document_revoke,
    document_verify,
    employer_certificate_issue,
    personal_certificate_issue,
    retirement_notice_issue,
)
from shebao.registry.selectors import employer_get, person_get
from shebao.services.models import CaseChannel

PAGE_SIZE = 50
COUNTER = CaseChannel.COUNTER


def _issue(request: HttpRequest, issue: Callable[[], Issued], back: str) -> HttpResponse:
    """Issue, then show the document; a refusal goes back to the page the button was on."""
    try:
        issued = issue()
    except RuleViolation as refusal:
        report_refusal(request, refusal)
        return redirect(back)
    document = issued.document
    messages.success(
        request,
        _("%(title)s issued, verification code %(code)s.")
        % {"title": document.title, "code": code_display(document.code)},
    )
    return redirect("documents:document_detail", code=document.code)


@login_required
@require_POST
def personal_certificate(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    person = person_get(actor, person_id)
    return _issue(
        request,
        lambda: personal_certificate_issue(actor=actor, person=person, channel=COUNTER),
        reverse("registry:person_detail", args=[person.pk]),
    )


@login_required
@require_POST
def employer_certificate(request: HttpRequest, employer_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    employer = employer_get(actor, employer_id)
    return _issue(
        request,
        lambda: employer_certificate_issue(actor=actor, employer=employer, channel=COUNTER),
        reverse("registry:employer_detail", args=[employer.pk]),
    )


@login_required
@require_POST
def account_statement(request: HttpRequest, person_id: int, year: int) -> HttpResponse:
    actor = actor_from_request(request)
    person = account_person_get(actor, person_id)
    return _issue(
        request,
        lambda: account_statement_issue(actor=actor, person=person, year=year, channel=COUNTER),
        reverse("accounts:statement", args=[person.pk, year]),
    )


@login_required
@require_POST
def bill_document(request: HttpRequest, number: str) -> HttpResponse:
    actor = actor_from_request(request)
    bill = bill_get(actor, number)
    return _issue(
        request,
        lambda: bill_document_issue(actor=actor, bill=bill, channel=COUNTER),
        reverse("contributions:bill_detail", args=[bill.number]),
    )


@login_required
@require_POST
def retirement_notice(request: HttpRequest, pension_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    pension = pensions_visible(actor).filter(pk=pension_id).first()
    if pension is None:
        raise OutOfScope()
    return _issue(
        request,
        lambda: retirement_notice_issue(actor=actor, pension=pension, channel=COUNTER),
        reverse("benefits:pension_detail", args=[pension.pk]),
    )


def _may_revoke(actor: Actor) -> bool:
    return actor_can(actor, Action.APPROVE) and actor_can(actor, Action.AUDIT)


def _subject(document: IssuedDocument) -> str:
    if document.employer is not None:
        return document.employer.name
    if document.person is not None:
        return f"{document.person.name} {mask_resident_id(document.person.resident_id)}"
    return ""


@login_required
def document_list(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    documents = documents_search(actor, query)
    if kind in DocumentKind.values:
        documents = documents.filter(kind=kind)
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "documents/document_list.html",
        {
            "page": page,
            "rows": [(d, code_display(d.code), _subject(d)) for d in page],
            "q": query,
            "kind": kind,
            "kinds": DocumentKind.choices,
            "query": f"q={query}&kind={kind}&",
        },
    )


@login_required
def document_detail(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_from_request(request)
    document = document_get(actor, code)
    return render(
        request,
        "documents/document_detail.html",
        {
            "document": document,
            "code": code_display(document.code),
            "subject": _subject(document),
            "may_revoke": _may_revoke(actor) and not document.revoked,
        },
    )


@login_required
@framed_by_own_pages
def document_pdf_view(request: HttpRequest, code: str) -> HttpResponse:
    """The PDF rendered again from the stored facts (refused unless it has the fingerprint of
    issue), shown in the page or downloaded with ``?download=1``."""
    actor = actor_from_request(request)
    document = document_get(actor, code)
    try:
        pdf = document_pdf(actor=actor, document=document)
    except RuleViolation as refusal:
        return HttpResponse(
            refusal_shown(refusal), status=409, content_type="text/plain; charset=utf-8"
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    # The file name carries the kind and the code, never a name or an ID number.
    name = f"{document.kind.replace('_', '-')}-{document.code}.pdf"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


@login_required
@require_POST
def document_revoke_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_from_request(request)
    document = document_get(actor, code)
    try:
        document_revoke(actor=actor, document=document, reason=request.POST.get("reason", ""))
    except RuleViolation as refusal:
        report_refusal(request, refusal)
    else:
        messages.success(request, _("The document is revoked: it now verifies as revoked."))
    return redirect("documents:document_detail", code=document.code)


# --- public verification ----------------------------------------------------------------------


def verify_form(request: HttpRequest) -> HttpResponse:
    """The page where a bank clerk types a code (no login)."""
    typed = request.GET.get("code", "").strip()
    if typed:
        return redirect("documents:verify", code=typed)
    return render(request, "documents/verify_form.html")


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """What the document with this code certified, masked; or that it is not genuine (404)."""
    verification = document_verify(code=code)
    document = verification.document
    found = verification.outcome in (Outcome.GENUINE, Outcome.REVOKED)
    return render(
        request,
        "documents/verify_result.html",
        {
            "verification": verification,
            "genuine": verification.outcome == Outcome.GENUINE,
            "revoked": verification.outcome == Outcome.REVOKED,
            "document": document,
            "code": code_display(verification.code) if found else "",
            "typed": code[:40],
            "refusal": verification.refusal,
        },
        status=200 if found else 404,
    )
