"""Telling the clerk on the page why a request was refused."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import get_language

from shebao.core.errors import RuleViolation
from shebao.core.permissions import OutOfScope, PermissionRefused


def refusal_shown(exc: RuleViolation) -> str:
    """A refusal as the page shows it, with its rule code. Scope and permission refusals are
    raised again, so the middleware answers 404 and 403 instead of a page that confirms the
    record."""
    if isinstance(exc, OutOfScope | PermissionRefused):
        raise exc
    return f"{exc.code}: {exc.message(get_language())}"


def report_refusal(request: HttpRequest, exc: RuleViolation) -> None:
    """Show a refusal as a message (see ``refusal_shown``)."""
    messages.error(request, refusal_shown(exc))
