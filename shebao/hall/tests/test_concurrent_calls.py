"""Two windows call next at the same moment: each gets a different ticket."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections  # noqa: F401 - connection: the skipif condition

from conftest import staff_actor
from shebao.core.demo import seed_all_apps
from shebao.hall.models import ServiceWindow, Ticket, TicketStatus
from shebao.hall.services import ticket_call_next
from shebao.hall.tests.support import empty_hall, seated, second_clerk, take


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="row locks between two connections are PostgreSQL's; SQLite has one writer at a time",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("waiting", [1, 2, 5])
def test_two_windows_calling_at_once_never_get_the_same_ticket(waiting):
    seed_all_apps(bulk=False)
    agency = empty_hall()
    clerk, head = staff_actor("clerk_maojian"), second_clerk()
    for _n in range(waiting):
        take(clerk, agency)
    windows = {"clerk_maojian": seated(clerk, agency, 1), "head_maojian": seated(head, agency, 2)}
    barrier = threading.Barrier(2)
    called: dict[str, int | None] = {}

    def call(username: str) -> None:
        try:
            actor = staff_actor(username)
            window = ServiceWindow.objects.get(pk=windows[username].pk)
            barrier.wait(timeout=10)
            ticket = ticket_call_next(actor=actor, window=window)
            called[username] = ticket.pk if ticket else None
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call, args=(name,)) for name in windows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    got = [pk for pk in called.values() if pk is not None]
    assert len(called) == 2
    assert len(got) == min(waiting, 2)
    assert len(set(got)) == len(got)
    for username, pk in called.items():
        if pk is not None:
            ticket = Ticket.objects.get(pk=pk)
            assert (ticket.status, ticket.window_id) == (TicketStatus.CALLED, windows[username].pk)
    assert Ticket.objects.filter(agency=agency, status=TicketStatus.CALLED).count() == len(got)
