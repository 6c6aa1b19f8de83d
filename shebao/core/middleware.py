from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csp.constants import SELF
from csp.decorators import csp_replace
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.clickjacking import xframe_options_sameorigin

from shebao.core.actors import client_ip_of
from shebao.core.permissions import OutOfScope, PermissionRefused


class ClientContextMiddleware:
    """Puts the client IP on the request and turns scope and permission refusals that reach
    the top into 404 (out of scope: as if absent) and 403."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.client_ip = client_ip_of(request, settings.TRUSTED_PROXY_COUNT)  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OutOfScope):
            return response_for_exception(request, Http404(exception.message_en))
        if isinstance(exception, PermissionRefused):
            return response_for_exception(request, PermissionDenied(exception.message_en))
        return None


class PermissionsPolicyMiddleware:
    """Sends the Permissions-Policy header (settings.PERMISSIONS_POLICY): the browser features
    no page of shebao uses are switched off, for this site and anything it embeds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.PERMISSIONS_POLICY
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response


def framed_by_own_pages(view: Callable[..., Any]) -> Callable[..., Any]:
    """For a view shown inside a frame of shebao's own pages (a document's PDF): framing by this
    origin is allowed (X-Frame-Options SAMEORIGIN, CSP frame-ancestors 'self'); every other
    response keeps DENY and frame-ancestors 'none'."""
    frame_self = {"frame-ancestors": [SELF]}
    return xframe_options_sameorigin(
        csp_replace(frame_self)(csp_replace(frame_self, REPORT_ONLY=True)(view))
    )
