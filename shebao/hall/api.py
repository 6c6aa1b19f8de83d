"""The hall for other screens and systems: the public board (numbers and windows only), and
for the hall's own clerks the day's tickets and a ticket issued at reception."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from shebao.api.schemas import ErrorOut
from shebao.core.actors import actor_from_request
from shebao.core.models import Agency, Channel
from shebao.core.permissions import OutOfScope
from shebao.hall.selectors import board_state, hall_of, tickets_of_day
from shebao.hall.services.tickets import ensure_hall_staff, ticket_take

router = Router(tags=["hall"])


class CallOut(Schema):
    ticket: str
    window_number: int
    window_name: str
    called_at: datetime


class CategoryOut(Schema):
    category: str
    label: str
    waiting: int
    open_windows: int
    estimated_minutes: int


class BoardOut(Schema):
    hall: str
    current: list[CallOut]
    recent: list[CallOut]
    queue: list[CategoryOut]


class TicketOut(Schema):
    id: int
    code: str
    category: str
    status: str
    source: str
    taken_at: datetime
    called_at: datetime | None
    window_number: int | None

    @staticmethod
    def resolve_window_number(obj: Any) -> int | None:
        return obj.window.number if obj.window_id else None


class TicketIn(Schema):
    category: str = "A"
    priority_reason: str = ""  # required for the green channel (G)


def _hall(code: str) -> Agency:
    hall = hall_of(code)
    if hall is None:
        raise OutOfScope()
    return hall


@router.get(
    "/halls/{agency_code}/board",
    response={200: BoardOut, 404: ErrorOut},
    auth=None,
    summary="The calling board: the ticket at each window, the last calls, the queue",
)
def board(request: HttpRequest, agency_code: str) -> Any:
    hall = _hall(agency_code)
    state = board_state(hall)

    def call(c: Any) -> dict[str, Any]:
        return {
            "ticket": c.code,
            "window_number": c.window_number,
            "window_name": c.window_name,
            "called_at": c.called_at,
        }

    return {
        "hall": hall.code,
        "current": [call(c) for c in state.current],
        "recent": [call(c) for c in state.recent],
        "queue": [
            {
                "category": q.category,
                "label": q.label,
                "waiting": q.waiting,
                "open_windows": q.open_windows,
                "estimated_minutes": q.estimated_minutes,
            }
            for q in state.queue.categories
        ],
    }


@router.get(
    "/halls/{agency_code}/tickets",
    response={200: list[TicketOut], 403: ErrorOut, 404: ErrorOut},
    summary="Today's tickets of the caller's own hall, in the order taken",
)
def tickets(request: HttpRequest, agency_code: str) -> Any:
    actor = actor_from_request(request, Channel.API)
    hall = _hall(agency_code)
    ensure_hall_staff(actor, hall)
    return list(tickets_of_day(hall, timezone.localdate()))


@router.post(
    "/halls/{agency_code}/tickets",
    response={201: TicketOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Issue a ticket at the reception desk of the caller's own hall",
)
def ticket_new(request: HttpRequest, agency_code: str, payload: TicketIn) -> Status[Any]:
    actor = actor_from_request(request, Channel.API)
    ticket = ticket_take(
        actor=actor,
        agency=_hall(agency_code),
        category=payload.category,
        channel=Channel.COUNTER,
        priority_reason=payload.priority_reason,
    )
    return Status(201, ticket)
