"""Demo of the halls: the windows of 茅箭区 and 张湾区, and a morning at 茅箭区's hall — tickets
served, one at window 1 now, others waiting — with an appointment and a home visit.

Idempotent: the windows are made once; the day's tickets are made when the hall has none
today, so `make run` on a later day shows that day's morning. The tickets go through the
services; their times are then moved back over the morning (the demo's history), so the
hall's page shows waits and service times and the estimate has figures to use.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from shebao.benefits.models import Pension, PensionStatus
from shebao.core.actors import staff_actor, system_actor
from shebao.core.audit import audit_record
from shebao.core.models import Agency, Channel
from shebao.hall.models import (
    Appointment,
    Category,
    HallSchedule,
    HomeVisit,
    PriorityReason,
    ServiceWindow,
    Ticket,
    VisitReason,
)
from shebao.hall.services import (
    appointment_book,
    appointment_slots,
    bookable_days,
    home_visit_request,
    ticket_call_next,
    ticket_finish,
    ticket_start,
    ticket_take,
    window_sign_in,
)
from shebao.registry.demo import demo_person

ALL = [Category.GREEN, Category.APPOINTMENT, Category.GENERAL]
# (agency, number, name, categories)
DEMO_WINDOWS = [
    *[("420302", n, f"{n}号窗口", ALL) for n in range(1, 6)],
    ("420302", 6, "6号窗口（绿色通道）", [Category.GREEN]),
    *[("420303", n, f"{n}号窗口", ALL) for n in range(1, 4)],
]
HALL = "420302"
CLERK = "clerk_maojian"
# The morning's tickets in the order taken: category, green-channel reason.
MORNING = [
    (Category.GENERAL, ""),
    (Category.GREEN, PriorityReason.ELDERLY),
    (Category.GENERAL, ""),
    (Category.GENERAL, ""),
    (Category.GENERAL, ""),
    (Category.GREEN, PriorityReason.DISABLED),
    (Category.GENERAL, ""),
    (Category.GENERAL, ""),
]
SERVED = 4  # the first four called are done; the fifth is at window 1 now
SERVICE_MINUTES = [7, 9, 6, 11]


def seed_demo(*, bulk: bool = True) -> None:
    _windows()
    _morning()
    _appointment()
    _home_visit()


def _windows() -> None:
    if ServiceWindow.objects.exists():
        return
    actor = system_actor("seed_demo")
    with transaction.atomic(durable=True):
        for code, number, name, categories in DEMO_WINDOWS:
            agency = Agency.objects.get(code=code)
            HallSchedule.objects.get_or_create(agency=agency)
            window = ServiceWindow.objects.create(
                agency=agency, number=number, name=name, categories=list(categories)
            )
            audit_record(
                actor=actor,
                action="hall.window_create",
                target=window,
                target_agency=agency,
                after={"number": number, "name": name, "categories": list(categories)},
            )


def _morning() -> None:
    agency = Agency.objects.get(code=HALL)
    today = Ticket.objects.filter(agency=agency, service_date=timezone.localdate())
    if today.filter(called_at__isnull=False).exists():
        return
    clerk = staff_actor(CLERK)
    # A run stopped between taking and calling resumes with the tickets it took.
    tickets = list(today.order_by("id")) or [
        ticket_take(
            actor=clerk,
            agency=agency,
            category=category,
            channel=Channel.COUNTER,
            priority_reason=reason,
        )
        for category, reason in MORNING
    ]
    window = ServiceWindow.objects.get(agency=agency, number=1)
    window_sign_in(actor=clerk, window=window)
    served = []
    for _n in range(SERVED):
        ticket = ticket_call_next(actor=clerk, window=window)
        assert ticket is not None
        ticket_start(actor=clerk, ticket=ticket)
        served.append(ticket_finish(actor=clerk, ticket=ticket))
    ticket_call_next(actor=clerk, window=window)
    _spread_over_the_morning(tickets, served)


def _spread_over_the_morning(tickets: list[Ticket], served: list[Ticket]) -> None:
    """Move the times back: taken a few minutes apart from 80 minutes ago, each served
    ticket called when the previous one finished."""
    now = timezone.now()
    start = now - timedelta(minutes=80)
    for n, ticket in enumerate(tickets):
        taken = start + timedelta(minutes=4 * n)
        Ticket.objects.filter(pk=ticket.pk).update(taken_at=taken, queued_at=taken)
    called = start + timedelta(minutes=2)
    for ticket, minutes in zip(served, SERVICE_MINUTES, strict=True):
        taken = Ticket.objects.values_list("taken_at", flat=True).get(pk=ticket.pk)
        called = max(called, taken + timedelta(minutes=1))
        started = called + timedelta(minutes=1)
        finished = started + timedelta(minutes=minutes)
        Ticket.objects.filter(pk=ticket.pk).update(
            called_at=called, started_at=started, finished_at=finished
        )
        called = finished


def _appointment() -> None:
    """王芳 booked the first free slot of the next working day by phone."""
    wang = demo_person("王芳")
    if Appointment.objects.filter(person=wang).exists():
        return
    agency = Agency.objects.get(code=HALL)
    today = timezone.localdate()
    days = [day for day in bookable_days(agency) if day > today]
    if not days:
        return
    free = [slot for slot in appointment_slots(agency=agency, day=days[0]) if slot.remaining]
    if free:
        appointment_book(
            actor=staff_actor(CLERK), agency=agency, day=days[0], start=free[0].start, person=wang
        )


def _home_visit() -> None:
    """A retiree of 茅箭区 who cannot come in: a relative asked at the counter."""
    pension = (
        Pension.objects.filter(agency__code=HALL, status=PensionStatus.ACTIVE)
        .select_related("person")
        .order_by("id")
        .first()
    )
    if pension is None or HomeVisit.objects.exists():
        return
    home_visit_request(
        actor=staff_actor(CLERK),
        person=pension.person,
        address="十堰市茅箭区北京中路 12 号 3 单元 502 室",
        phone=pension.person.phone or "13907190000",
        reason=VisitReason.ELDERLY,
        needed_items=["SBQL001"],
        channel=Channel.COUNTER,
        note="家属来电：老人行动不便，需上门办理待遇资格认证。",
    )


def demo_logins() -> list[str]:
    return [
        f"Hall: {CLERK} sits at window 1 of 茅箭区 (Hall → Window console); the calling board "
        f"is http://127.0.0.1:8000/hall/{HALL}/board/"
    ]
