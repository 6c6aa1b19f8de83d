"""Shared pieces of the hall tests: an empty hall at 茅箭区 with two clerks who may call."""

from __future__ import annotations

from conftest import staff_actor
from shebao.core.actors import Actor, system_actor
from shebao.core.models import Agency, Channel, Staff
from shebao.core.services import claim_grant
from shebao.hall.models import (
    Appointment,
    AppointmentSlot,
    ServiceWindow,
    Ticket,
    TicketCounter,
)
from shebao.hall.services import ticket_take, window_sign_in

HALL = "420302"


def empty_hall() -> Agency:
    """茅箭区's hall with the demo morning and appointments cleared, nobody at a window."""
    agency = Agency.objects.get(code=HALL)
    Ticket.objects.filter(agency=agency).delete()
    TicketCounter.objects.filter(agency=agency).delete()
    Appointment.objects.filter(agency=agency).delete()
    AppointmentSlot.objects.filter(agency=agency).delete()
    ServiceWindow.objects.filter(agency=agency).update(clerk=None, opened_at=None)
    return agency


def second_clerk() -> Actor:
    """The agency head, given the clerk's role so that two people can call at once."""
    head = Staff.objects.get(user__username="head_maojian")
    claim_grant(actor=system_actor("tests"), staff=head, role_code="clerk", item_scope="*")
    return staff_actor("head_maojian")


def window(agency: Agency, number: int) -> ServiceWindow:
    return ServiceWindow.objects.get(agency=agency, number=number)


def seated(actor: Actor, agency: Agency, number: int) -> ServiceWindow:
    return window_sign_in(actor=actor, window=window(agency, number))


def take(actor: Actor, agency: Agency, category: str = "A", reason: str = "") -> Ticket:
    return ticket_take(
        actor=actor,
        agency=agency,
        category=category,
        channel=Channel.COUNTER,
        priority_reason=reason,
    )
