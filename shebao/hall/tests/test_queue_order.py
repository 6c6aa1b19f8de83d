"""The order in which windows call: green channel first, then appointments, then general,
first come within a category; a ticket transferred to a window goes first there."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from shebao.hall.models import Ticket, TicketStatus
from shebao.hall.queue import Waiting, ahead_of, call_order, estimated_wait_minutes
from shebao.hall.services import ticket_call_next
from shebao.hall.services.tickets import _candidates
from shebao.hall.tests.support import empty_hall, seated, take

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_green_channel_first_then_appointments_then_first_come():
    tickets = [
        Waiting(1, "A", at(0)),
        Waiting(2, "A", at(1)),
        Waiting(3, "G", at(5)),
        Waiting(4, "B", at(3)),
        Waiting(5, "G", at(2)),
        Waiting(6, "A", at(-1)),
    ]
    order = call_order(tickets, window_id=1, categories=["G", "B", "A"])
    assert [t.id for t in order] == [5, 3, 4, 6, 1, 2]


def test_a_window_calls_only_its_categories_and_its_transfers_first():
    tickets = [
        Waiting(1, "A", at(0)),
        Waiting(2, "G", at(1)),
        Waiting(3, "A", at(2), target_window_id=6),  # sent to window 6
        Waiting(4, "A", at(3), target_window_id=2),  # sent elsewhere
    ]
    assert [t.id for t in call_order(tickets, window_id=6, categories=["G"])] == [3, 2]
    assert [t.id for t in call_order(tickets, window_id=1, categories=["G", "A"])] == [2, 1]


def test_ahead_and_the_estimate():
    waiting = [Waiting(1, "A", at(0)), Waiting(2, "G", at(4)), Waiting(3, "A", at(2))]
    assert ahead_of(Waiting(3, "A", at(2)), waiting) == 2  # the G and the earlier A
    assert ahead_of(Waiting(2, "G", at(4)), waiting) == 0
    assert estimated_wait_minutes(ahead=4, average_minutes=6.0, open_windows=2) == 12
    # No window open yet: the estimate is for one window, not infinite.
    assert estimated_wait_minutes(ahead=3, average_minutes=5.0, open_windows=0) == 15


@pytest.mark.django_db
def test_the_database_calls_in_the_same_order_as_the_rule(actor_of):
    """The SQL that picks the next ticket agrees with ``call_order`` on a random morning."""
    agency = empty_hall()
    clerk = actor_of("clerk_maojian")
    rng = random.Random(7)
    with time_machine.travel(T0, tick=False) as clock:
        for _n in range(30):
            category = rng.choice(["A", "A", "A", "G"])
            take(clerk, agency, category, "elderly" if category == "G" else "")
            clock.shift(timedelta(seconds=rng.randint(1, 90)))
        window = seated(clerk, agency, 1)
        rows = Ticket.objects.filter(agency=agency, status=TicketStatus.WAITING)
        expected = [
            t.id
            for t in call_order(
                [Waiting(t.pk, t.category, t.queued_at, t.target_window_id) for t in rows],
                window.pk,
                window.categories,
            )
        ]
        assert list(_candidates(window).values_list("pk", flat=True)) == expected
        called = []
        for _n in range(30):
            ticket = ticket_call_next(actor=clerk, window=window)
            assert ticket is not None
            called.append(ticket.pk)
            Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.DONE)
        assert called == expected
        assert ticket_call_next(actor=clerk, window=window) is None
