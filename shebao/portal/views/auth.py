"""Sign-in and account opening on the portal: a first step (password, or identity for an
activation) sends a code; the second step checks it. What is pending between the two steps
is kept in the session, never in the URL."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shebao.core.errors import RuleViolation
from shebao.core.feedback import refusal_shown
from shebao.portal.auth import citizen_account_of, employer_agent_of
from shebao.portal.forms import (
    AgentActivationForm,
    AgentLoginForm,
    CitizenActivationForm,
    CitizenLoginForm,
    CodeForm,
    NewPasswordForm,
)
from shebao.portal.models import CodePurpose
from shebao.portal.services import (
    Challenge,
    agent_activation_finish,
    agent_activation_start,
    agent_login_start,
    citizen_activation_finish,
    citizen_activation_start,
    citizen_login_start,
    login_finish,
)

PENDING = "portal_pending"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _pending_set(request: HttpRequest, purpose: str, challenge: Challenge, next_url: str) -> None:
    request.session[PENDING] = {
        "purpose": purpose,
        "subject": challenge.subject_id,
        "code": challenge.code_id,
        "phone": challenge.phone_masked,
        "next": next_url,
    }


def _pending(request: HttpRequest, purpose: str) -> dict[str, Any] | None:
    pending = request.session.get(PENDING)
    if isinstance(pending, dict) and pending.get("purpose") == purpose:
        return pending
    return None


def index(request: HttpRequest) -> HttpResponse:
    """The portal's front page: who signs in where, and what can be done online."""
    if citizen_account_of(request) is not None:
        return redirect("portal:citizen_home")
    if employer_agent_of(request) is not None:
        return redirect("portal:agent_home")
    return render(request, "portal/index.html")


def _step_one(
    request: HttpRequest,
    *,
    form_class: type,
    purpose: str,
    start: Any,
    template: str,
    code_url: str,
    default_next: str,
) -> HttpResponse:
    form = form_class(request.POST or None)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            challenge = start(**form.cleaned_data)
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
        else:
            _pending_set(request, purpose, challenge, _next_url(request, default_next))
            return redirect(code_url)
    context = {"form": form, "refusal": refusal, "next": _next_url(request, "")}
    return render(request, template, context)


def citizen_login(request: HttpRequest) -> HttpResponse:
    def start(resident_id: str, password: str) -> Challenge:
        return citizen_login_start(request=request, resident_id=resident_id, password=password)

    return _step_one(
        request,
        form_class=CitizenLoginForm,
        purpose=CodePurpose.CITIZEN_LOGIN,
        start=start,
        template="portal/login.html",
        code_url="portal:login_code",
        default_next="portal:citizen_home",
    )


def agent_login(request: HttpRequest) -> HttpResponse:
    def start(credit_code: str, phone: str, password: str) -> Challenge:
        return agent_login_start(
            request=request, credit_code=credit_code, phone=phone, password=password
        )

    return _step_one(
        request,
        form_class=AgentLoginForm,
        purpose=CodePurpose.AGENT_LOGIN,
        start=start,
        template="portal/agent_login.html",
        code_url="portal:agent_login_code",
        default_next="portal:agent_home",
    )


def _login_code(request: HttpRequest, purpose: str, restart: str) -> HttpResponse:
    pending = _pending(request, purpose)
    if pending is None:
        return redirect(restart)
    form = CodeForm(request.POST or None)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            user = login_finish(
                purpose=purpose,
                user_id=pending["subject"],
                code_id=pending["code"],
                code=form.cleaned_data["code"],
            )
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
        else:
            login(request, user, backend=BACKEND)  # a new session key: no fixation
            return redirect(pending["next"])
    return render(
        request,
        "portal/code.html",
        {"form": form, "refusal": refusal, "phone": pending["phone"], "restart": restart},
    )


def citizen_login_code(request: HttpRequest) -> HttpResponse:
    return _login_code(request, CodePurpose.CITIZEN_LOGIN, "portal:login")


def agent_login_code(request: HttpRequest) -> HttpResponse:
    return _login_code(request, CodePurpose.AGENT_LOGIN, "portal:agent_login")


def citizen_activate(request: HttpRequest) -> HttpResponse:
    return _step_one(
        request,
        form_class=CitizenActivationForm,
        purpose=CodePurpose.CITIZEN_ACTIVATION,
        start=citizen_activation_start,
        template="portal/activate.html",
        code_url="portal:activate_code",
        default_next="portal:citizen_home",
    )


def agent_activate(request: HttpRequest) -> HttpResponse:
    return _step_one(
        request,
        form_class=AgentActivationForm,
        purpose=CodePurpose.AGENT_ACTIVATION,
        start=agent_activation_start,
        template="portal/agent_activate.html",
        code_url="portal:agent_activate_code",
        default_next="portal:agent_home",
    )


def _activate_code(request: HttpRequest, purpose: str, finish: Any, restart: str) -> HttpResponse:
    pending = _pending(request, purpose)
    if pending is None:
        return redirect(restart)
    form = NewPasswordForm(request.POST or None)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            user = finish(pending["subject"], pending["code"], form.cleaned_data)
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
        else:
            login(request, user, backend=BACKEND)
            return redirect(pending["next"])
    return render(
        request,
        "portal/activate_code.html",
        {"form": form, "refusal": refusal, "phone": pending["phone"], "restart": restart},
    )


def citizen_activate_code(request: HttpRequest) -> HttpResponse:
    def finish(person_id: int, code_id: int, data: dict[str, str]) -> Any:
        return citizen_activation_finish(person_id=person_id, code_id=code_id, **data)

    return _activate_code(request, CodePurpose.CITIZEN_ACTIVATION, finish, "portal:activate")


def agent_activate_code(request: HttpRequest) -> HttpResponse:
    def finish(agent_id: int, code_id: int, data: dict[str, str]) -> Any:
        return agent_activation_finish(agent_id=agent_id, code_id=code_id, **data)

    return _activate_code(request, CodePurpose.AGENT_ACTIVATION, finish, "portal:agent_activate")


@require_POST
def portal_logout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:index")
