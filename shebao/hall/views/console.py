"""The clerk's window console (窗口叫号): sign in at a window, call, recall, skip, start,
finish, transfer, and link the cases opened for the visitor. Thin: the services decide."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.core.actors import Actor, actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.feedback import report_refusal
from shebao.hall.models import ServiceWindow, Ticket
from shebao.hall.selectors import current_ticket, queue_state, waiting_tickets, windows_of
from shebao.hall.services import (
    ensure_hall_staff,
    ticket_call_next,
    ticket_case_link,
    ticket_finish,
    ticket_recall,
    ticket_requeue,
    ticket_skip,
    ticket_start,
    ticket_transfer,
    window_of,
    window_sign_in,
    window_sign_out,
)
from shebao.services.selectors import cases_in_scope

TICKET_ACTIONS = {
    "recall": ticket_recall,
    "skip": ticket_skip,
    "start": ticket_start,
    "finish": ticket_finish,
    "requeue": ticket_requeue,
}


def _hall_of(actor: Actor) -> ServiceWindow | None:
    if actor.agency is None:
        raise Http404("no hall")
    ensure_hall_staff(actor, actor.agency)
    return window_of(actor)


@login_required
def console(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    window = _hall_of(actor)
    assert actor.agency is not None
    windows = list(windows_of(actor.agency))
    return render(
        request,
        "hall/console.html",
        {
            "window": window,
            "windows": windows,
            "other_windows": [w for w in windows if w.is_active and w != window],
            "ticket": current_ticket(window) if window else None,
            "queue": queue_state(actor.agency),
            "agency": actor.agency,
        },
    )


@login_required
def console_waiting(request: HttpRequest) -> HttpResponse:
    """htmx partial: the hall's waiting tickets and the counts, refreshed every few seconds."""
    actor = actor_from_request(request)
    _hall_of(actor)
    assert actor.agency is not None
    return render(
        request,
        "hall/_waiting.html",
        {"waiting": waiting_tickets(actor.agency), "queue": queue_state(actor.agency)},
    )


@login_required
@require_POST
def sign_in(request: HttpRequest, window_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    _hall_of(actor)
    window = get_object_or_404(ServiceWindow, pk=window_id, agency=actor.agency)
    try:
        window_sign_in(actor=actor, window=window)
    except RuleViolation as exc:
        report_refusal(request, exc)
    return redirect("hall:console")


@login_required
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    window = _hall_of(actor)
    if window is not None:
        try:
            window_sign_out(actor=actor, window=window)
        except RuleViolation as exc:
            report_refusal(request, exc)
    return redirect("hall:console")


@login_required
@require_POST
def call_next(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    window = _hall_of(actor)
    if window is None:
        messages.error(request, _("Sign in at a window first."))
        return redirect("hall:console")
    try:
        ticket = ticket_call_next(actor=actor, window=window)
    except RuleViolation as exc:
        report_refusal(request, exc)
    else:
        if ticket is None:
            messages.info(request, _("Nobody is waiting for this window."))
    return redirect("hall:console")


def _ticket_of_hall(actor: Actor, ticket_id: int) -> Ticket:
    _hall_of(actor)
    return get_object_or_404(
        Ticket.objects.select_related("agency", "window"), pk=ticket_id, agency=actor.agency
    )


@login_required
@require_POST
def ticket_action(request: HttpRequest, ticket_id: int, action: str) -> HttpResponse:
    actor = actor_from_request(request)
    ticket = _ticket_of_hall(actor, ticket_id)
    service = TICKET_ACTIONS.get(action)
    if service is None:
        raise Http404("no such action")
    try:
        service(actor=actor, ticket=ticket)
    except RuleViolation as exc:
        report_refusal(request, exc)
    back = request.POST.get("next", "")
    # Only a page of this site: a crafted form must not send the clerk elsewhere.
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("hall:console")


@login_required
@require_POST
def transfer(request: HttpRequest, ticket_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    ticket = _ticket_of_hall(actor, ticket_id)
    to_window = get_object_or_404(
        ServiceWindow, pk=request.POST.get("window") or 0, agency=actor.agency
    )
    try:
        ticket_transfer(actor=actor, ticket=ticket, to_window=to_window)
        messages.success(
            request,
            _("%(code)s sent to %(window)s.") % {"code": ticket.code, "window": to_window.name},
        )
    except RuleViolation as exc:
        report_refusal(request, exc)
    return redirect("hall:console")


@login_required
@require_POST
def link_case(request: HttpRequest, ticket_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    ticket = _ticket_of_hall(actor, ticket_id)
    receipt = request.POST.get("receipt_no", "").strip()
    case = cases_in_scope(actor).filter(receipt_no=receipt).first()
    if case is None:
        messages.error(request, _("No case %(no)s in your jurisdiction.") % {"no": receipt})
        return redirect("hall:console")
    try:
        ticket_case_link(actor=actor, ticket=ticket, case=case)
    except RuleViolation as exc:
        report_refusal(request, exc)
    return redirect("hall:console")
