"""Two-factor sign-in for staff (TOTP, RFC 6238, with django-otp).

Staff holding a role named in ``settings.OTP_REQUIRED_ROLES`` (and superusers) enter a
six-digit code from an authenticator app after their password. Until they have, every staff
page and the Django admin redirect them to the code page and the staff-session API answers 401
with the rule code AUTH-OTP-REQUIRED. Bearer-token API access (systems) is not asked for a code.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import Channel, PermissionClaim, User, UserKind

_BASIS = "GB/T 22239-2019 网络安全等级保护基本要求 8.1.4.1 身份鉴别（两种或两种以上组合的鉴别技术）"
register_rule(
    "AUTH-OTP-REQUIRED",
    "请先输入身份验证器应用上显示的动态验证码，完成双因素登录。",
    "Enter the code your authenticator app shows to complete the two-factor sign-in first.",
    _BASIS,
)
register_rule(
    "AUTH-OTP-INVALID",
    "动态验证码不正确或已过期，请输入身份验证器应用上当前显示的 6 位数字。",
    "The code is wrong or has expired: enter the 6 digits your authenticator app shows now.",
    _BASIS,
)
register_rule(
    "AUTH-OTP-THROTTLED",
    "动态验证码错误次数过多，请 {seconds} 秒后再试。",
    "Too many wrong codes: try again in {seconds} seconds.",
    _BASIS,
)

DEVICE_NAME = "authenticator"


def otp_required(user: object) -> bool:
    """Whether this login must enter a second factor: a staff user who is a superuser or holds
    one of the roles of ``settings.OTP_REQUIRED_ROLES``."""
    if not isinstance(user, User) or not user.is_authenticated or user.kind != UserKind.STAFF:
        return False
    if user.is_superuser:
        return True
    roles = settings.OTP_REQUIRED_ROLES
    return (
        bool(roles)
        and PermissionClaim.objects.filter(staff__user=user, role__code__in=roles).exists()
    )


# The session remembers whether its user needs a second factor (decided at the first request
# after the password step), so a page costs no query for it; a role granted or withdrawn
# during a session counts from the next sign-in.
SESSION_REQUIRED_KEY = "shebao_otp_required"


def second_factor_pending(request: HttpRequest) -> bool:
    """Whether the signed-in user still has to enter their code: they need one and the session
    was not verified (the device's id is stored in the session only by a right code)."""
    user = request.user
    if not user.is_authenticated:
        return False
    session = request.session
    if DEVICE_ID_SESSION_KEY in session:
        return False
    required = session.get(SESSION_REQUIRED_KEY)
    if not isinstance(required, bool):
        required = otp_required(user)
        session[SESSION_REQUIRED_KEY] = required
    return required


def _forget_decision(sender: object, request: HttpRequest, user: User, **kwargs: object) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session.pop(SESSION_REQUIRED_KEY, None)


user_logged_in.connect(_forget_decision, dispatch_uid="shebao.core.twofactor.forget")


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user: User) -> TOTPDevice:
    """The device being enrolled: created at the first visit of the enrolment page, so the
    secret stays the same when the page is shown again."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def base32_secret(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it by hand, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _actor(request: HttpRequest) -> Actor:
    user = request.user
    assert isinstance(user, User)
    return Actor(user=user, channel=Channel.COUNTER, client_ip=getattr(request, "client_ip", None))


def otp_check(request: HttpRequest, device: TOTPDevice, token: str, *, enrolling: bool) -> None:
    """Check a code against the device. A right code verifies the session (and confirms the
    device when enrolling); a wrong one counts towards the device's throttling. Every outcome
    is audited; a refusal raises AUTH-OTP-INVALID or AUTH-OTP-THROTTLED after the audit
    entry and the failure count are committed."""
    token = "".join(token.split())
    refusal: RuleViolation | None = None
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, info = locked.verify_is_allowed()
        if not allowed:
            until = (info or {}).get("locked_until")
            seconds = max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1
            refusal = RuleViolation("AUTH-OTP-THROTTLED", seconds=seconds)
        elif not locked.verify_token(token):  # a wrong code counts towards the throttling
            refusal = RuleViolation("AUTH-OTP-INVALID")
        actor = _actor(request)
        if refusal is not None:
            locked.refresh_from_db()
            audit_record(
                actor=actor,
                action="login.otp_failed",
                target=locked,
                after={"rule": refusal.code, "failures": locked.throttling_failure_count},
            )
        else:
            if enrolling:
                locked.confirmed = True
                locked.save(update_fields=["confirmed"])
                audit_record(actor=actor, action="login.otp_enrolled", target=locked)
            audit_record(actor=actor, action="login.otp_verified", target=locked)
    if refusal is not None:
        raise refusal
    # A new session key for the raised privilege, as at the password step.
    request.session.cycle_key()
    otp_login(request, locked)


def verified_session(session: object, device: TOTPDevice) -> None:
    """Mark a session as verified by ``device`` (what a right code does); for tests and
    tools that sign a user in without the login form."""
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # type: ignore[index]


class SecondFactorRequiredMiddleware:
    """Sends staff who need a second factor and have not entered it to the code page (or the
    enrolment page), and answers the staff-session API with 401 AUTH-OTP-REQUIRED. Goes after
    the authentication middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        pending = second_factor_pending(request)
        request.shebao_otp_pending = pending  # type: ignore[attr-defined]
        if pending:
            refusal = self._refuse(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _refuse(self, request: HttpRequest) -> HttpResponse | None:
        path = request.path_info
        if path.startswith(("/api/",)):
            if request.headers.get("Authorization", "").lower().startswith("bearer "):
                # A system's token decides alone: the half-signed-in session is not used.
                request.user = AnonymousUser()
                return None
            violation = RuleViolation("AUTH-OTP-REQUIRED")
            body = violation.as_dict() | {"detail": violation.message(get_language())}
            return JsonResponse(body, status=401)
        exempt = (
            reverse("core:otp_verify"),
            reverse("core:otp_enrol"),
            reverse("core:logout"),
            reverse("set_language"),
            "/" + settings.STATIC_URL.lstrip("/"),
        )
        if path.startswith(exempt):
            return None
        target = reverse("core:otp_verify") + "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
