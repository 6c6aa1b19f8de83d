"""The second step of the staff sign-in: the code page and the enrolment of an authenticator."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from shebao.core.errors import RuleViolation
from shebao.core.feedback import refusal_shown
from shebao.core.models import User, UserKind
from shebao.core.twofactor import (
    base32_secret,
    confirmed_device,
    otp_check,
    pending_device,
    second_factor_pending,
)


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _staff_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or user.kind != UserKind.STAFF:
        raise PermissionDenied("staff only")  # portal logins have their own SMS codes
    return user


def _with_next(name: str, next_url: str) -> str:
    return reverse(name) + "?" + urlencode({"next": next_url})


@never_cache
@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = _staff_user(request)
    next_url = _next_url(request)
    if not second_factor_pending(request):
        return redirect(next_url)
    device = confirmed_device(user)
    if device is None:
        return redirect(_with_next("core:otp_enrol", next_url))
    refusal = _posted_code_refusal(request, device, enrolling=False)
    if request.method == "POST" and refusal is None:
        return redirect(next_url)
    return render(
        request,
        "core/otp_verify.html",
        {"next": next_url, "refusal": refusal, "refusal_text": _text(request, refusal)},
        status=400 if refusal else 200,
    )


def _posted_code_refusal(
    request: HttpRequest, device: Any, *, enrolling: bool
) -> RuleViolation | None:
    """The refusal of a posted code (None when it was right, or when nothing was posted)."""
    if request.method != "POST":
        return None
    try:
        otp_check(request, device, request.POST.get("token", ""), enrolling=enrolling)
    except RuleViolation as exc:
        return exc
    return None


@never_cache
@login_required
def otp_enrol(request: HttpRequest) -> HttpResponse:
    user = _staff_user(request)
    next_url = _next_url(request)
    if not second_factor_pending(request):
        return redirect(next_url)
    if confirmed_device(user) is not None:
        return redirect(_with_next("core:otp_verify", next_url))
    device = pending_device(user)
    refusal = _posted_code_refusal(request, device, enrolling=True)
    if request.method == "POST" and refusal is None:
        return redirect(next_url)
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "core/otp_enrol.html",
        {
            "next": next_url,
            "qr_data_uri": qr.svg_data_uri(scale=5, border=2),
            "secret": base32_secret(device),
            "issuer": settings.OTP_TOTP_ISSUER,
            "refusal": refusal,
            "refusal_text": _text(request, refusal),
        },
        status=400 if refusal else 200,
    )


def _text(request: HttpRequest, refusal: RuleViolation | None) -> str:
    return refusal_shown(refusal) if refusal is not None else ""
