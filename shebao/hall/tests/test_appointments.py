"""Appointments: slots with a capacity, one per person and day, check-in around the slot
giving a B ticket that the windows call before the general queue."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import time_machine

from shebao.core.errors import RuleViolation
from shebao.core.models import Channel
from shebao.hall.models import Appointment, AppointmentStatus, HallSchedule, TicketStatus
from shebao.hall.services import (
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_slots,
    bookable_days,
    ticket_call_next,
)
from shebao.hall.services.appointments import SHANGHAI
from shebao.hall.tests.support import empty_hall, seated, take
from shebao.registry.demo import demo_person

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 12, 7)
SLOT = time(9, 0)


def shanghai(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def test_bookable_days_are_working_days_ahead(demo):
    agency = empty_hall()
    days = bookable_days(agency, today=date(2026, 12, 5))  # a Saturday
    assert days[0] == MONDAY
    assert all(day.weekday() < 5 for day in days)
    assert max(days) <= date(2026, 12, 5) + timedelta(days=HallSchedule().days_ahead)


def test_a_full_slot_and_a_second_booking_the_same_day_are_refused(actor_of):
    agency = empty_hall()
    HallSchedule.objects.filter(agency=agency).update(capacity=1)
    clerk = actor_of("clerk_maojian")
    zhang, wang = demo_person("张伟"), demo_person("王芳")
    with time_machine.travel(shanghai(date(2026, 12, 4), 10), tick=False):
        booked = appointment_book(actor=clerk, agency=agency, day=MONDAY, start=SLOT, person=zhang)
        assert len(booked.code) == 8
        with pytest.raises(RuleViolation) as full:
            appointment_book(actor=clerk, agency=agency, day=MONDAY, start=SLOT, person=wang)
        assert full.value.code == "HALL-APPT-FULL"
        with pytest.raises(RuleViolation) as twice:
            appointment_book(
                actor=clerk, agency=agency, day=MONDAY, start=time(9, 30), person=zhang
            )
        assert twice.value.code == "HALL-APPT-ONE-PER-DAY"
        slots = {s.start: s.remaining for s in appointment_slots(agency=agency, day=MONDAY)}
        assert slots[SLOT] == 0
        # Cancelling gives the place back.
        appointment_cancel(actor=clerk, appointment=booked)
        slots = {s.start: s.remaining for s in appointment_slots(agency=agency, day=MONDAY)}
        assert slots[SLOT] == 1
        appointment_book(actor=clerk, agency=agency, day=MONDAY, start=SLOT, person=wang)
    assert Appointment.objects.filter(slot__day=MONDAY, status="booked").count() == 1


def test_a_weekend_day_is_not_bookable(actor_of):
    agency = empty_hall()
    with (
        time_machine.travel(shanghai(date(2026, 12, 4), 10), tick=False),
        pytest.raises(RuleViolation) as refused,
    ):
        appointment_book(
            actor=actor_of("clerk_maojian"),
            agency=agency,
            day=date(2026, 12, 12),
            start=SLOT,
            person=demo_person("张伟"),
        )
    assert refused.value.code == "HALL-APPT-DAY"


def test_check_in_opens_30_minutes_before_and_gives_a_b_ticket_called_first(actor_of):
    agency = empty_hall()
    clerk = actor_of("clerk_maojian")
    with time_machine.travel(shanghai(date(2026, 12, 4), 10), tick=False):
        booked = appointment_book(
            actor=clerk, agency=agency, day=MONDAY, start=SLOT, person=demo_person("张伟")
        )
    with time_machine.travel(shanghai(MONDAY, 8, 20), tick=False):
        with pytest.raises(RuleViolation) as early:
            appointment_check_in(actor=clerk, agency=agency, code=booked.code, channel="counter")
        assert early.value.code == "HALL-APPT-CHECK-IN-TIME"
    with time_machine.travel(shanghai(MONDAY, 8, 35), tick=False):
        walk_in = take(clerk, agency)
        ticket = appointment_check_in(
            actor=clerk, agency=agency, code=booked.code, channel=Channel.COUNTER
        )
        assert (ticket.code, ticket.status) == ("B001", TicketStatus.WAITING)
        booked.refresh_from_db()
        assert booked.status == AppointmentStatus.CHECKED_IN
        with pytest.raises(RuleViolation) as twice:
            appointment_check_in(actor=clerk, agency=agency, code=booked.code, channel="counter")
        assert twice.value.code == "HALL-APPT-STATE"
        called = ticket_call_next(actor=clerk, window=seated(clerk, agency, 1))
        assert called is not None
        assert called.pk == ticket.pk != walk_in.pk


def test_an_unknown_code_is_refused(actor_of):
    agency = empty_hall()
    with pytest.raises(RuleViolation) as refused:
        appointment_check_in(
            actor=actor_of("clerk_maojian"), agency=agency, code="00000000", channel="counter"
        )
    assert refused.value.code == "HALL-APPT-UNKNOWN"
