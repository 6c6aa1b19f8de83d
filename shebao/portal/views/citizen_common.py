"""What the citizen pages share: the signed-in person, their actor, and the PDF answer."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from shebao.core.actors import Actor
from shebao.portal.auth import citizen_account_of, portal_actor
from shebao.registry.models import Person


def me(request: HttpRequest) -> Person:
    """The person the signed-in citizen is (the pages are behind ``citizen_required``)."""
    account = citizen_account_of(request)
    assert account is not None
    return account.person


def actor(request: HttpRequest) -> Actor:
    return portal_actor(request)


def pdf_response(pdf: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
