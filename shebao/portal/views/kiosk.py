"""The kiosk's activation, its start screen, and a visitor's sign-in and sign-out.

A visitor signs in with their ID number and a code sent to the phone on record; the visit
ends on "done", after ``KIOSK_IDLE_SECONDS`` without a touch (the page's timer and, in any
case, the server), or when the next visitor starts.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shebao.core.errors import RuleViolation
from shebao.core.feedback import refusal_shown
from shebao.portal.auth import (
    kiosk_cookie_set,
    kiosk_of,
    kiosk_required,
    kiosk_visitor_of,
    kiosk_visitor_required,
    kiosk_visitor_sign_in,
    kiosk_visitor_sign_out,
)
from shebao.portal.forms import KioskCodeForm, KioskSignInForm
from shebao.portal.services import kiosk_activate, kiosk_login_finish, kiosk_login_start
from shebao.portal.views.kiosk_services import menu_context

PENDING = "kiosk_pending"


def activate(request: HttpRequest, key: str) -> HttpResponse:
    """Opened once on the device by the staff member who registered it."""
    try:
        kiosk = kiosk_activate(key=key)
    except RuleViolation:
        return render(request, "portal/kiosk/not_a_kiosk.html", status=403)
    response = redirect("kiosk:home")
    kiosk_cookie_set(response, key)
    request.kiosk = kiosk  # type: ignore[attr-defined]
    return response


def _context(request: HttpRequest, **extra: object) -> dict[str, object]:
    return {"kiosk": kiosk_of(request), "idle_seconds": settings.KIOSK_IDLE_SECONDS} | extra


@kiosk_required
def home(request: HttpRequest) -> HttpResponse:
    """The start screen: take a ticket (no sign-in needed) or sign in for one's own records."""
    if kiosk_visitor_of(request) is not None:
        return redirect("kiosk:menu")
    return render(request, "portal/kiosk/home.html", _context(request, idle=False))


@kiosk_required
def sign_in(request: HttpRequest) -> HttpResponse:
    kiosk = kiosk_of(request)
    assert kiosk is not None
    form = KioskSignInForm(request.POST or None)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            challenge = kiosk_login_start(kiosk=kiosk, resident_id=form.cleaned_data["resident_id"])
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
        else:
            request.session[PENDING] = {
                "person": challenge.subject_id,
                "code": challenge.code_id,
                "phone": challenge.phone_masked,
            }
            return redirect("kiosk:sign_in_code")
    context = _context(
        request, form=form, refusal=refusal, timed_out=request.GET.get("timeout") == "1"
    )
    return render(request, "portal/kiosk/sign_in.html", context)


@kiosk_required
def sign_in_code(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return redirect("kiosk:sign_in")
    form = KioskCodeForm(request.POST or None)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            person = kiosk_login_finish(
                person_id=pending["person"], code_id=pending["code"], code=form.cleaned_data["code"]
            )
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
        else:
            kiosk_visitor_sign_in(request, person.pk)
            return redirect("kiosk:menu")
    context = _context(request, form=form, refusal=refusal, phone=pending["phone"])
    return render(request, "portal/kiosk/sign_in_code.html", context)


@kiosk_visitor_required
def menu(request: HttpRequest) -> HttpResponse:
    """What a signed-in visitor can do here."""
    return render(request, "portal/kiosk/menu.html", menu_context(request))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    kiosk_visitor_sign_out(request)
    return redirect("kiosk:home")
