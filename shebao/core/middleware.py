from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse

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
