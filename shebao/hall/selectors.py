"""Reads of the hall: the waiting queue and its estimates, the calling board, the day's
tickets, appointments and home visits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from shebao.core.actors import Actor
from shebao.core.models import Agency
from shebao.core.permissions import scope_filter
from shebao.hall.models import (
    Appointment,
    AppointmentStatus,
    Category,
    HomeVisit,
    ServiceWindow,
    Ticket,
    TicketStatus,
)
from shebao.hall.queue import (
    CATEGORY_ORDER,
    Waiting,
    ahead_of,
    average_service_minutes,
    estimated_wait_minutes,
)
from shebao.hall.services.appointments import hall_moment
from shebao.registry.models import Employer, Person

RECENT_CALLS = 10


def hall_of(code: str) -> Agency | None:
    return Agency.objects.filter(code=code, is_active=True).first()


def windows_of(agency: Agency) -> QuerySet[ServiceWindow]:
    return ServiceWindow.objects.filter(agency=agency).select_related("clerk").order_by("number")


def _waiting(agency: Agency, day: date) -> list[Waiting]:
    rows = Ticket.objects.filter(
        agency=agency, service_date=day, status=TicketStatus.WAITING
    ).values_list("pk", "category", "queued_at", "target_window_id")
    return [Waiting(pk, category, queued_at, target) for pk, category, queued_at, target in rows]


def _average_minutes(agency: Agency, day: date) -> float:
    served = Ticket.objects.filter(
        agency=agency,
        service_date=day,
        status=TicketStatus.DONE,
        started_at__isnull=False,
        finished_at__isnull=False,
    ).values_list("started_at", "finished_at")
    durations = [(end - start).total_seconds() for start, end in served if start and end]
    return average_service_minutes(durations, default_minutes=settings.HALL_DEFAULT_SERVICE_MINUTES)


def _open_windows(windows: list[ServiceWindow], category: str) -> int:
    return sum(
        1 for w in windows if w.is_active and w.clerk_id is not None and category in w.categories
    )


@dataclass(frozen=True)
class CategoryQueue:
    category: str
    label: str
    waiting: int
    open_windows: int
    estimated_minutes: int  # for a ticket taken now


@dataclass(frozen=True)
class QueueState:
    categories: tuple[CategoryQueue, ...]
    average_minutes: float

    @property
    def waiting(self) -> int:
        return sum(category.waiting for category in self.categories)


def queue_state(agency: Agency, day: date | None = None) -> QueueState:
    """Waiting counts and the estimated wait of a ticket taken now, per category."""
    day = day or timezone.localdate()
    waiting = _waiting(agency, day)
    windows = list(windows_of(agency))
    average = _average_minutes(agency, day)
    rows = []
    for category in CATEGORY_ORDER:
        newcomer = Waiting(0, category, timezone.now())
        rows.append(
            CategoryQueue(
                category=category,
                label=str(Category(category).label),
                waiting=sum(1 for t in waiting if t.category == category),
                open_windows=_open_windows(windows, category),
                estimated_minutes=estimated_wait_minutes(
                    ahead=ahead_of(newcomer, waiting),
                    average_minutes=average,
                    open_windows=_open_windows(windows, category),
                ),
            )
        )
    return QueueState(tuple(rows), average)


@dataclass(frozen=True)
class TicketEstimate:
    ahead: int
    minutes: int


def ticket_estimate(ticket: Ticket) -> TicketEstimate:
    """How many are ahead of a waiting ticket and how long it should wait."""
    if ticket.status != TicketStatus.WAITING:
        return TicketEstimate(0, 0)
    waiting = _waiting(ticket.agency, ticket.service_date)
    me = Waiting(ticket.pk, ticket.category, ticket.queued_at, ticket.target_window_id)
    ahead = ahead_of(me, waiting)
    windows = list(windows_of(ticket.agency))
    minutes = estimated_wait_minutes(
        ahead=ahead,
        average_minutes=_average_minutes(ticket.agency, ticket.service_date),
        open_windows=_open_windows(windows, ticket.category),
    )
    return TicketEstimate(ahead, minutes)


@dataclass(frozen=True)
class BoardCall:
    """One call as the board shows it: no personal data, only the number and the window."""

    id: int
    code: str
    window_number: int
    window_name: str
    called_at: datetime
    call_count: int

    @property
    def stamp(self) -> str:
        # Changes on a recall too, so the board announces the call again.
        return f"{self.id}-{self.call_count}-{self.called_at.timestamp():.0f}"


def _board_call(ticket: Ticket) -> BoardCall:
    assert ticket.window is not None
    assert ticket.called_at is not None
    return BoardCall(
        ticket.pk,
        ticket.code,
        ticket.window.number,
        ticket.window.name,
        ticket.called_at,
        ticket.call_count,
    )


@dataclass(frozen=True)
class BoardState:
    current: tuple[BoardCall, ...]  # the ticket at each window now, by window
    recent: tuple[BoardCall, ...]  # the last calls, newest first
    queue: QueueState


def board_state(agency: Agency) -> BoardState:
    day = timezone.localdate()
    called = (
        Ticket.objects.filter(agency=agency, service_date=day, called_at__isnull=False)
        .exclude(window__isnull=True)
        .select_related("window")
        .order_by("-called_at", "-id")
    )
    recent = [_board_call(t) for t in called[:RECENT_CALLS]]
    current = sorted(
        (
            _board_call(t)
            for t in called.filter(status__in=(TicketStatus.CALLED, TicketStatus.SERVING))
        ),
        key=lambda call: call.window_number,
    )
    return BoardState(tuple(current), tuple(recent), queue_state(agency, day))


def tickets_of_day(agency: Agency, day: date) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(agency=agency, service_date=day)
        .select_related("window", "served_by", "target_window")
        .order_by("taken_at", "id")
    )


def waiting_tickets(agency: Agency) -> list[Ticket]:
    """Today's waiting tickets in the hall's order (G, B, A; first come)."""
    tickets = list(
        Ticket.objects.filter(
            agency=agency, service_date=timezone.localdate(), status=TicketStatus.WAITING
        ).select_related("target_window")
    )
    rank = {category: n for n, category in enumerate(CATEGORY_ORDER)}
    return sorted(tickets, key=lambda t: (rank[t.category], t.queued_at, t.pk))


def skipped_tickets(agency: Agency) -> QuerySet[Ticket]:
    """Today's no-shows, latest first: a latecomer is put back in the queue from here."""
    return Ticket.objects.filter(
        agency=agency, service_date=timezone.localdate(), status=TicketStatus.SKIPPED
    ).order_by("-finished_at", "-id")


def current_ticket(window: ServiceWindow) -> Ticket | None:
    return (
        Ticket.objects.filter(
            window=window,
            status__in=(TicketStatus.CALLED, TicketStatus.SERVING),
            service_date=timezone.localdate(),
        )
        .prefetch_related("cases")
        .first()
    )


def appointments_of_day(actor: Actor, agency: Agency, day: date) -> QuerySet[Appointment]:
    return scope_filter(
        Appointment.objects.filter(agency=agency, slot__day=day).select_related(
            "slot", "person", "employer", "item"
        ),
        actor,
        "agency",
    ).order_by("slot__start", "id")


def appointments_of(
    *, person: Person | None = None, employer: Employer | None = None
) -> QuerySet[Appointment]:
    """A person's or an employer's appointments, the newest day first (portal pages)."""
    if person is None and employer is None:
        return Appointment.objects.none()
    return (
        Appointment.objects.filter(person=person, employer=employer)
        .select_related("slot", "agency", "item", "ticket")
        .order_by("-slot__day", "-slot__start")
    )


def appointment_missed(appointment: Appointment, now: datetime | None = None) -> bool:
    """Booked and never checked in before its slot ended (shown as missed)."""

    if appointment.status != AppointmentStatus.BOOKED:
        return False
    end = hall_moment(appointment.slot.day, appointment.slot.end)
    return end < (now or timezone.now())


def home_visits_in_scope(actor: Actor, *, status: str = "") -> QuerySet[HomeVisit]:
    visits = scope_filter(
        HomeVisit.objects.select_related("case", "case__agency", "person", "assigned_to"),
        actor,
        "case__agency",
    )
    if status:
        visits = visits.filter(status=status)
    return visits.order_by("status", "scheduled_for", "preferred_date", "id")


def home_visits_of(person: Person) -> QuerySet[HomeVisit]:
    return HomeVisit.objects.filter(person=person).select_related("case").order_by("-id")
