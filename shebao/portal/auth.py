"""Who is on a portal or kiosk page: the request's portal actor, and the decorators that guard
the pages. Portal pages never use the staff actor: a portal user has a principal (their own
person or employer) and nothing else."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from shebao.core.actors import Actor
from shebao.core.models import Channel, User, UserKind
from shebao.portal.models import CitizenAccount, EmployerAgent, Kiosk
from shebao.portal.services import agent_actor, citizen_actor, kiosk_of_key, kiosk_visitor_actor

View = TypeVar("View", bound=Callable[..., HttpResponse])

KIOSK_COOKIE = "shebao_kiosk"
KIOSK_COOKIE_SALT = "shebao.portal.kiosk"
KIOSK_COOKIE_AGE = 10 * 365 * 24 * 3600
# Session keys of a kiosk visit (the kiosk's browser session, no login).
KIOSK_PERSON = "kiosk_person"
KIOSK_SEEN = "kiosk_seen"


def _portal_user(request: HttpRequest, kind: str) -> User | None:
    user = request.user
    if isinstance(user, User) and user.is_authenticated and user.kind == kind:
        return user
    return None


def citizen_account_of(request: HttpRequest) -> CitizenAccount | None:
    cached = getattr(request, "citizen_account", None)
    if cached is not None:
        return cast(CitizenAccount, cached)
    user = _portal_user(request, UserKind.CITIZEN)
    if user is None:
        return None
    account = (
        CitizenAccount.objects.select_related("person__managing_agency").filter(user=user).first()
    )
    request.citizen_account = account  # type: ignore[attr-defined]
    return account


def employer_agent_of(request: HttpRequest) -> EmployerAgent | None:
    cached = getattr(request, "employer_agent", None)
    if cached is not None:
        return cast(EmployerAgent, cached)
    user = _portal_user(request, UserKind.EMPLOYER_AGENT)
    if user is None:
        return None
    agent = (
        EmployerAgent.objects.select_related("employer__managing_agency", "user")
        .filter(user=user, is_active=True)
        .first()
    )
    request.employer_agent = agent  # type: ignore[attr-defined]
    return agent


def portal_actor(request: HttpRequest) -> Actor:
    """The signed-in citizen or employer agent, acting online for their own record."""
    account = citizen_account_of(request)
    if account is not None:
        return citizen_actor(account.user, account.person_id, Channel.WEB)
    agent = employer_agent_of(request)
    if agent is not None:
        return agent_actor(agent, Channel.WEB)
    raise PermissionError("no portal user on this request")


def citizen_required(view: View) -> View:
    """A page for a signed-in citizen; others are sent to the citizen sign-in."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if citizen_account_of(request) is None:
            return redirect(f"{reverse('portal:login')}?next={request.path}")
        return view(request, *args, **kwargs)

    return cast(View, wrapped)


def agent_required(view: View) -> View:
    """A page for a signed-in employer agent; others are sent to the employer sign-in."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if employer_agent_of(request) is None:
            return redirect(f"{reverse('portal:agent_login')}?next={request.path}")
        return view(request, *args, **kwargs)

    return cast(View, wrapped)


# --- kiosks -----------------------------------------------------------------------------------


def kiosk_of(request: HttpRequest) -> Kiosk | None:
    """The registered kiosk this browser is, from its signed cookie."""
    cached = getattr(request, "kiosk", None)
    if cached is not None:
        return cast(Kiosk, cached)
    key = request.get_signed_cookie(KIOSK_COOKIE, default=None, salt=KIOSK_COOKIE_SALT)
    kiosk = kiosk_of_key(key)
    request.kiosk = kiosk  # type: ignore[attr-defined]
    return kiosk


def kiosk_cookie_set(response: HttpResponse, key: str) -> None:
    response.set_signed_cookie(
        KIOSK_COOKIE,
        key,
        salt=KIOSK_COOKIE_SALT,
        max_age=KIOSK_COOKIE_AGE,
        httponly=True,
        samesite="Strict",
        secure=settings.HTTPS,
    )


def kiosk_visitor_sign_in(request: HttpRequest, person_id: int) -> None:
    request.session.cycle_key()  # a new session for each visitor: nothing carries over
    request.session[KIOSK_PERSON] = person_id
    request.session[KIOSK_SEEN] = time.time()


def kiosk_visitor_sign_out(request: HttpRequest) -> None:
    request.session.flush()


def kiosk_visitor_of(request: HttpRequest) -> int | None:
    """The visitor signed in at this kiosk, or None. A visit idle for longer than
    ``KIOSK_IDLE_SECONDS`` ends here, on the server, whatever the page's own timer did."""
    person_id = request.session.get(KIOSK_PERSON)
    if person_id is None:
        return None
    seen = float(request.session.get(KIOSK_SEEN, 0))
    if time.time() - seen > settings.KIOSK_IDLE_SECONDS:
        kiosk_visitor_sign_out(request)
        request.kiosk_timed_out = True  # type: ignore[attr-defined]
        return None
    request.session[KIOSK_SEEN] = time.time()
    return int(person_id)


def kiosk_actor(request: HttpRequest) -> Actor:
    kiosk = kiosk_of(request)
    person_id = kiosk_visitor_of(request)
    if kiosk is None or person_id is None:
        raise PermissionError("no kiosk visitor on this request")
    return kiosk_visitor_actor(kiosk, person_id)


def kiosk_required(view: View) -> View:
    """A kiosk page: only a registered, active kiosk shows it."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if kiosk_of(request) is None:
            return render(request, "portal/kiosk/not_a_kiosk.html", status=403)
        return view(request, *args, **kwargs)

    return cast(View, wrapped)


def kiosk_visitor_required(view: View) -> View:
    """A kiosk page for a signed-in visitor; an idle or absent visitor goes to sign-in."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if kiosk_of(request) is None:
            return render(request, "portal/kiosk/not_a_kiosk.html", status=403)
        if kiosk_visitor_of(request) is None:
            timed_out = getattr(request, "kiosk_timed_out", False)
            query = "?timeout=1" if timed_out else ""
            return redirect(reverse("kiosk:sign_in") + query)
        return view(request, *args, **kwargs)

    return cast(View, wrapped)
