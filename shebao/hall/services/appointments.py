"""Online appointments (网上预约): a hall's slots on working days, booking within capacity,
cancelling, and the check-in at the hall that turns an appointment into a B ticket.

Capacity holds under concurrency without a lock wait: a slot's ``booked`` count is raised by
``UPDATE … SET booked = booked + 1 WHERE booked < capacity``; a booking that finds no row
updated was the one too many.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import Agency
from shebao.core.permissions import OutOfScope, acts_for, ensure_acts_for
from shebao.hall.models import (
    Appointment,
    AppointmentSlot,
    AppointmentStatus,
    Category,
    HallSchedule,
    Ticket,
)
from shebao.hall.services.tickets import ticket_take
from shebao.registry.models import Employer, Person
from shebao.services.models import ServiceItem
from shebao.services.workdays import default_calendar

register_rule(
    "HALL-APPT-DAY",
    "{day} 不可预约（须为今后 {days} 天内的工作日）。",
    "{day} cannot be booked: choose a working day within the next {days} days.",
)
register_rule(
    "HALL-APPT-SLOT",
    "该时段不存在或已开始。",
    "There is no such slot, or it has begun.",
)
register_rule(
    "HALL-APPT-FULL", "该时段已约满，请选择其他时段。", "The slot is full: choose another."
)
register_rule(
    "HALL-APPT-ONE-PER-DAY",
    "同一天只能预约一次（已有预约 {code}）。",
    "One appointment a day: you already hold {code} on that day.",
)
register_rule(
    "HALL-APPT-APPLICANT",
    "请指定预约人（个人或单位）。",
    "Name whom the appointment is for: a person or an employer.",
)
register_rule(
    "HALL-APPT-STATE",
    "预约 {code} 状态为“{status}”，不能执行该操作。",
    "Appointment {code} is '{status}': that is not possible now.",
)
register_rule(
    "HALL-APPT-UNKNOWN",
    "本大厅今天没有预约号 {code}。",
    "This hall has no appointment {code} today.",
)
register_rule(
    "HALL-APPT-CHECK-IN-TIME",
    "请在 {start} 至 {end} 之间签到（预约时段前30分钟起）。",
    "Check in between {start} and {end} (from 30 minutes before the slot).",
)

CHECK_IN_EARLY = timedelta(minutes=30)
SHANGHAI = ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class SlotInfo:
    day: date
    start: time
    end: time
    capacity: int
    remaining: int


def hall_schedule(agency: Agency) -> HallSchedule:
    """The hall's schedule, or the default one (unsaved) when none is configured."""
    schedule = HallSchedule.objects.filter(agency=agency).first()
    return schedule or HallSchedule(agency=agency)


def _slot_times(schedule: HallSchedule) -> list[tuple[time, time]]:
    step = timedelta(minutes=schedule.slot_minutes)
    times: list[tuple[time, time]] = []
    for first, last in (
        (schedule.morning_start, schedule.morning_end),
        (schedule.afternoon_start, schedule.afternoon_end),
    ):
        start = datetime.combine(date.min, first)
        while start + step <= datetime.combine(date.min, last):
            times.append((start.time(), (start + step).time()))
            start += step
    return times


def bookable_days(agency: Agency, today: date | None = None) -> list[date]:
    today = today or timezone.localdate()
    schedule = hall_schedule(agency)
    calendar = default_calendar()
    return [
        today + timedelta(days=n)
        for n in range(schedule.days_ahead + 1)
        if calendar.is_working_day(today + timedelta(days=n))
    ]


def hall_moment(day: date, moment: time) -> datetime:
    """A time of day at the hall, as an aware datetime."""
    return datetime.combine(day, moment, tzinfo=SHANGHAI)


def appointment_slots(*, agency: Agency, day: date) -> list[SlotInfo]:
    """The day's slots with the places left; slots already begun are left out."""
    if day not in bookable_days(agency):
        return []
    schedule = hall_schedule(agency)
    taken = {
        slot.start: slot.booked for slot in AppointmentSlot.objects.filter(agency=agency, day=day)
    }
    now = timezone.now()
    return [
        SlotInfo(day, start, end, schedule.capacity, schedule.capacity - taken.get(start, 0))
        for start, end in _slot_times(schedule)
        if hall_moment(day, start) > now
    ]


def _slot_row(agency: Agency, day: date, start: time) -> AppointmentSlot:
    schedule = hall_schedule(agency)
    times = dict(_slot_times(schedule))
    if start not in times or hall_moment(day, start) <= timezone.now():
        raise RuleViolation("HALL-APPT-SLOT")
    slot, _created = AppointmentSlot.objects.get_or_create(
        agency=agency,
        day=day,
        start=start,
        defaults={"end": times[start], "capacity": schedule.capacity},
    )
    return slot


def _new_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


def appointment_book(
    *,
    actor: Actor,
    agency: Agency,
    day: date,
    start: time,
    item: ServiceItem | None = None,
    person: Person | None = None,
    employer: Employer | None = None,
) -> Appointment:
    """Book a slot at a hall for a person or an employer (the actor acts for them)."""
    applicant = person or employer
    if applicant is None or (person is not None and employer is not None):
        raise RuleViolation("HALL-APPT-APPLICANT")
    ensure_acts_for(actor, applicant)
    days = hall_schedule(agency).days_ahead
    if day not in bookable_days(agency):
        raise RuleViolation("HALL-APPT-DAY", day=day.isoformat(), days=days)
    with transaction.atomic(durable=True):
        held = Appointment.objects.filter(
            slot__day=day, status=AppointmentStatus.BOOKED, person=person, employer=employer
        ).first()
        if held is not None:
            raise RuleViolation("HALL-APPT-ONE-PER-DAY", code=held.code)
        slot = _slot_row(agency, day, start)
        raised = AppointmentSlot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(
            booked=F("booked") + 1
        )
        if not raised:
            raise RuleViolation("HALL-APPT-FULL")
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    appointment = Appointment.objects.create(
                        code=_new_code(),
                        slot=slot,
                        agency=agency,
                        person=person,
                        employer=employer,
                        item=item,
                        channel=actor.channel,
                        booked_by=actor.username,
                        booked_at=timezone.now(),
                    )
                break
            except IntegrityError:  # the random code was taken: draw another
                continue
        else:  # pragma: no cover - 10^8 codes
            raise RuleViolation("HALL-APPT-FULL")
        audit_record(
            actor=actor,
            action="hall.appointment_book",
            target=appointment,
            target_agency=agency,
            after={
                "code": appointment.code,
                "day": day,
                "start": start.strftime("%H:%M"),
                "item": item.code if item else None,
                "person": person.pk if person else None,
                "employer": employer.pk if employer else None,
            },
        )
    return appointment


def _ensure_may_manage(actor: Actor, appointment: Appointment) -> None:
    applicant = appointment.person or appointment.employer
    if actor.principal is not None:
        if applicant is None or not acts_for(actor, applicant):
            raise OutOfScope()
        return
    if actor.agency is None or not appointment.agency.path.startswith(actor.agency.path):
        raise OutOfScope()


def appointment_cancel(*, actor: Actor, appointment: Appointment) -> Appointment:
    """Cancel a booking (the applicant, or staff of the hall): its place is free again."""
    _ensure_may_manage(actor, appointment)
    with transaction.atomic(durable=True):
        locked = (
            Appointment.objects.select_for_update().select_related("slot").get(pk=appointment.pk)
        )
        if locked.status != AppointmentStatus.BOOKED:
            raise RuleViolation(
                "HALL-APPT-STATE", code=locked.code, status=locked.get_status_display()
            )
        locked.status = AppointmentStatus.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["status", "cancelled_at"])
        AppointmentSlot.objects.filter(pk=locked.slot_id, booked__gt=0).update(
            booked=F("booked") - 1
        )
        audit_record(
            actor=actor,
            action="hall.appointment_cancel",
            target=locked,
            target_agency=locked.agency,
            before={"status": AppointmentStatus.BOOKED},
            after={"status": locked.status, "code": locked.code},
        )
    return locked


def appointment_check_in(*, actor: Actor, agency: Agency, code: str, channel: str) -> Ticket:
    """Check in at the hall (签到) with the booking code: a B ticket, from 30 minutes before
    the slot until its end."""
    today = timezone.localdate()
    with transaction.atomic(durable=True):
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("slot", "person")
            .filter(agency=agency, code=code.strip(), slot__day=today)
            .first()
        )
        if appointment is None:
            raise RuleViolation("HALL-APPT-UNKNOWN", code=code.strip()[:8])
        if appointment.status != AppointmentStatus.BOOKED:
            raise RuleViolation(
                "HALL-APPT-STATE", code=appointment.code, status=appointment.get_status_display()
            )
        opens = hall_moment(today, appointment.slot.start) - CHECK_IN_EARLY
        closes = hall_moment(today, appointment.slot.end)
        if not opens <= timezone.now() <= closes:
            raise RuleViolation(
                "HALL-APPT-CHECK-IN-TIME",
                start=opens.astimezone(SHANGHAI).strftime("%H:%M"),
                end=closes.astimezone(SHANGHAI).strftime("%H:%M"),
            )
        ticket = ticket_take(
            actor=actor,
            agency=agency,
            category=Category.APPOINTMENT,
            channel=channel,
            person=appointment.person,
            appointment=appointment,
        )
        appointment.status = AppointmentStatus.CHECKED_IN
        appointment.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="hall.appointment_check_in",
            target=appointment,
            target_agency=agency,
            before={"status": AppointmentStatus.BOOKED},
            after={"status": appointment.status, "ticket": ticket.code},
        )
    return ticket
