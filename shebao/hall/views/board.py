"""The calling board (叫号屏) on the hall's screen: public, numbers and windows only."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from shebao.hall.selectors import board_state, hall_of


def _agency(code: str):  # type: ignore[no-untyped-def]
    agency = hall_of(code)
    if agency is None:
        raise Http404("no such hall")
    return agency


@never_cache
def board(request: HttpRequest, agency_code: str) -> HttpResponse:
    agency = _agency(agency_code)
    return render(request, "hall/board.html", {"agency": agency, "board": board_state(agency)})


@never_cache
def board_calls(request: HttpRequest, agency_code: str) -> HttpResponse:
    """The part of the board that changes, polled every two seconds."""
    agency = _agency(agency_code)
    return render(
        request, "hall/_board_calls.html", {"agency": agency, "board": board_state(agency)}
    )
