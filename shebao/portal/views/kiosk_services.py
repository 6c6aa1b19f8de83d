"""What a kiosk does: a queue ticket without signing in (general, or the green channel with
its reason), the check-in of an appointment with its booking code, and for a signed-in
visitor the contribution certificate, their account, the retiree certification and a ticket
in their own name.

A walk-in acts as the kiosk itself (``kiosk_system_actor``); a signed-in visitor acts for
their own record only (``kiosk_actor``). A ticket page is shown only to the kiosk session
that took the ticket.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shebao.accounts.selectors import account_summary
from shebao.core.errors import RuleViolation
from shebao.core.feedback import refusal_shown
from shebao.core.middleware import framed_by_own_pages
from shebao.core.models import Channel
from shebao.documents.models import IssuedDocument
from shebao.documents.services import document_pdf, personal_certificate_issue
from shebao.hall.models import Category, PriorityReason, Ticket
from shebao.hall.selectors import ticket_estimate
from shebao.hall.services.appointments import appointment_check_in
from shebao.hall.services.tickets import ticket_take
from shebao.portal import selectors
from shebao.portal.auth import (
    kiosk_actor,
    kiosk_of,
    kiosk_required,
    kiosk_visitor_of,
    kiosk_visitor_required,
)
from shebao.portal.citizen_forms import KioskCheckInForm
from shebao.portal.models import Kiosk
from shebao.portal.services import kiosk_system_actor
from shebao.portal.views.citizen_benefits import certify_on_the_spot
from shebao.portal.views.citizen_common import pdf_response
from shebao.registry.models import Person

# Session keys: the tickets this kiosk session took, the documents it issued to the visitor.
TICKETS = "kiosk_tickets"
DOCUMENTS = "kiosk_documents"
KEPT = 20


def _context(request: HttpRequest, **extra: object) -> dict[str, object]:
    return {"kiosk": kiosk_of(request), "idle_seconds": settings.KIOSK_IDLE_SECONDS} | extra


def _kiosk(request: HttpRequest) -> Kiosk:
    kiosk = kiosk_of(request)
    assert kiosk is not None  # the views are behind kiosk_required
    return kiosk


def _visitor(request: HttpRequest) -> Person:
    return Person.objects.select_related("managing_agency").get(pk=kiosk_visitor_of(request) or 0)


def _remember(request: HttpRequest, key: str, value: int | str) -> None:
    kept = [v for v in request.session.get(key, []) if v != value]
    request.session[key] = [*kept, value][-KEPT:]


def _ticket_shown(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    _remember(request, TICKETS, ticket.pk)
    return redirect("kiosk:ticket", ticket_id=ticket.pk)


# --- tickets without signing in ---------------------------------------------------------------


@kiosk_required
def ticket_choose(request: HttpRequest) -> HttpResponse:
    """General (A) at once, or the green channel (G) after its reason."""
    refusal = ""
    if request.method == "POST":
        category = request.POST.get("category", "")
        reason = request.POST.get("priority_reason", "")
        visitor = kiosk_visitor_of(request)
        try:
            if category not in (Category.GENERAL, Category.GREEN):
                raise RuleViolation("HALL-CATEGORY", category=category[:2])
            if visitor is not None:  # a signed-in visitor takes a ticket in their own name
                actor, person = kiosk_actor(request), _visitor(request)
            else:
                actor, person = kiosk_system_actor(_kiosk(request)), None
            ticket = ticket_take(
                actor=actor,
                agency=_kiosk(request).agency,
                category=category,
                channel=Channel.KIOSK,
                priority_reason=reason if category == Category.GREEN else "",
                person=person,
            )
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
        else:
            return _ticket_shown(request, ticket)
    visitor = kiosk_visitor_of(request) is not None
    context = _context(
        request, refusal=refusal, reasons=PriorityReason.choices, idle=visitor, visitor=visitor
    )
    return render(request, "portal/kiosk/ticket_choose.html", context)


@kiosk_required
def ticket_green(request: HttpRequest) -> HttpResponse:
    visitor = kiosk_visitor_of(request) is not None
    context = _context(request, reasons=PriorityReason.choices, idle=visitor)
    return render(request, "portal/kiosk/ticket_green.html", context)


@kiosk_required
def ticket(request: HttpRequest, ticket_id: int) -> HttpResponse:
    if ticket_id not in request.session.get(TICKETS, []):
        raise Http404()
    shown = (
        Ticket.objects.select_related("agency", "appointment__slot")
        .filter(pk=ticket_id, agency=_kiosk(request).agency)
        .first()
    )
    if shown is None:
        raise Http404()
    visitor = kiosk_visitor_of(request) is not None
    context = _context(request, ticket=shown, estimate=ticket_estimate(shown), idle=visitor)
    return render(request, "portal/kiosk/ticket.html", context)


@kiosk_required
def check_in(request: HttpRequest) -> HttpResponse:
    """签到: the 8-digit booking code of today's appointment gives a B ticket."""
    form = KioskCheckInForm(request.POST or None)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            checked = appointment_check_in(
                actor=kiosk_system_actor(_kiosk(request)),
                agency=_kiosk(request).agency,
                code=form.cleaned_data["code"],
                channel=Channel.KIOSK,
            )
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
        else:
            return _ticket_shown(request, checked)
    visitor = kiosk_visitor_of(request) is not None
    context = _context(request, form=form, refusal=refusal, idle=visitor)
    return render(request, "portal/kiosk/check_in.html", context)


# --- a signed-in visitor ----------------------------------------------------------------------


@kiosk_visitor_required
def certificate(request: HttpRequest) -> HttpResponse:
    refusal = ""
    if request.method == "POST":
        try:
            issued = personal_certificate_issue(
                actor=kiosk_actor(request), person=_visitor(request), channel=Channel.KIOSK
            )
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
        else:
            _remember(request, DOCUMENTS, issued.document.code)
            return redirect("kiosk:certificate_print", code=issued.document.code)
    context = _context(request, refusal=refusal, idle=True, person=_visitor(request))
    return render(request, "portal/kiosk/certificate.html", context)


def _own_document(request: HttpRequest, code: str) -> IssuedDocument:
    if code not in request.session.get(DOCUMENTS, []):
        raise Http404()
    return selectors.my_document_get(kiosk_actor(request), code)


@kiosk_visitor_required
def certificate_print(request: HttpRequest, code: str) -> HttpResponse:
    document = _own_document(request, code)
    return render(
        request,
        "portal/kiosk/certificate_print.html",
        _context(request, document=document, idle=True),
    )


@kiosk_visitor_required
@framed_by_own_pages
def certificate_pdf(request: HttpRequest, code: str) -> HttpResponse:
    document = _own_document(request, code)
    pdf = document_pdf(actor=kiosk_actor(request), document=document)
    return pdf_response(pdf, f"certificate-{document.code}.pdf")


@kiosk_visitor_required
def account(request: HttpRequest) -> HttpResponse:
    """The balance summary: the pension account year by year and where each scheme stands."""
    person = _visitor(request)
    summary = account_summary(person)
    history = selectors.contribution_history(person)
    context = _context(
        request,
        idle=True,
        person=person,
        summary=summary,
        year_ends=list(reversed(summary.year_ends))[:5],
        standings=selectors.scheme_standings(selectors.my_relations(person)),
        pension_months=selectors.pension_months_counted(history),
    )
    return render(request, "portal/kiosk/account.html", context)


@kiosk_visitor_required
def certify(request: HttpRequest) -> HttpResponse:
    person = _visitor(request)
    standing = selectors.my_pension(person)
    refusal = ""
    done = None
    if request.method == "POST" and standing is not None:
        try:
            done = certify_on_the_spot(
                person_actor=kiosk_actor(request), standing=standing, channel=Channel.KIOSK
            )
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
        else:
            standing = selectors.my_pension(person)
    context = _context(
        request, idle=True, person=person, standing=standing, refusal=refusal, done=done
    )
    return render(request, "portal/kiosk/certify.html", context)


def menu_context(request: HttpRequest) -> dict[str, object]:
    """The visitor's menu: the certification tile only for a retiree."""
    person = _visitor(request)
    standing = selectors.my_pension(person)
    return _context(request, person=person, idle=True, pension=standing)


@require_POST
@kiosk_visitor_required
def ticket_for_me(request: HttpRequest) -> HttpResponse:
    """A general ticket in the visitor's own name (the clerk sees who is coming)."""
    try:
        taken = ticket_take(
            actor=kiosk_actor(request),
            agency=_kiosk(request).agency,
            category=Category.GENERAL,
            channel=Channel.KIOSK,
            person=_visitor(request),
        )
    except RuleViolation as exc:
        context = menu_context(request) | {"refusal": refusal_shown(exc)}
        return render(request, "portal/kiosk/menu.html", context)
    return _ticket_shown(request, taken)
