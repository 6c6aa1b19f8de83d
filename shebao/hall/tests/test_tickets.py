"""Tickets and windows: numbering, the green channel, call, recall, skip, requeue,
transfer, finish; a clerk of another agency cannot touch this hall; every step audited."""

from __future__ import annotations

import pytest

from shebao.core.audit import AuditEntry
from shebao.core.errors import RuleViolation
from shebao.core.permissions import OutOfScope
from shebao.hall.models import TicketStatus
from shebao.hall.selectors import queue_state, ticket_estimate
from shebao.hall.services import (
    ticket_call_next,
    ticket_finish,
    ticket_recall,
    ticket_requeue,
    ticket_skip,
    ticket_start,
    ticket_transfer,
    window_sign_in,
)
from shebao.hall.tests.support import empty_hall, seated, second_clerk, take, window

pytestmark = pytest.mark.django_db


def test_numbers_run_per_category_and_day(actor_of):
    agency = empty_hall()
    clerk = actor_of("clerk_maojian")
    codes = [
        take(clerk, agency).code,
        take(clerk, agency).code,
        take(clerk, agency, "G", "elderly").code,
        take(clerk, agency).code,
    ]
    assert codes == ["A001", "A002", "G001", "A003"]


@pytest.mark.parametrize(
    ("category", "reason", "rule"),
    [
        ("G", "", "HALL-GREEN-REASON"),
        ("X", "", "HALL-CATEGORY"),
        ("B", "", "HALL-APPOINTMENT-ONLY"),
    ],
)
def test_a_wrong_ticket_is_refused_and_nothing_is_numbered(actor_of, category, reason, rule):
    agency = empty_hall()
    clerk = actor_of("clerk_maojian")
    with pytest.raises(RuleViolation) as refused:
        take(clerk, agency, category, reason)
    assert refused.value.code == rule
    assert take(clerk, agency, "G", "pregnant").code == "G001"


def test_a_clerk_of_another_agency_cannot_issue_or_sit_here(actor_of):
    agency = empty_hall()
    other = actor_of("clerk_zhangwan")
    with pytest.raises(OutOfScope):
        take(other, agency)
    with pytest.raises(OutOfScope):
        window_sign_in(actor=other, window=window(agency, 1))


def test_one_clerk_per_window_and_one_window_per_clerk(actor_of):
    agency = empty_hall()
    clerk, head = actor_of("clerk_maojian"), second_clerk()
    seated(clerk, agency, 1)
    with pytest.raises(RuleViolation) as refused:
        seated(head, agency, 1)
    assert refused.value.code == "HALL-WINDOW-TAKEN"
    seated(clerk, agency, 2)  # moving on leaves window 1
    assert window(agency, 1).clerk_id is None
    assert window(agency, 2).clerk_id == clerk.user.pk


def test_the_life_of_a_ticket_at_the_window(actor_of):
    agency = empty_hall()
    clerk = actor_of("clerk_maojian")
    first, second = take(clerk, agency), take(clerk, agency)
    here = seated(clerk, agency, 1)
    called = ticket_call_next(actor=clerk, window=here)
    assert called is not None
    assert (called.pk, called.status, called.call_count) == (first.pk, TicketStatus.CALLED, 1)
    with pytest.raises(RuleViolation) as busy:
        ticket_call_next(actor=clerk, window=here)
    assert busy.value.code == "HALL-WINDOW-BUSY"
    assert ticket_recall(actor=clerk, ticket=called).call_count == 2
    skipped = ticket_skip(actor=clerk, ticket=called)
    assert skipped.status == TicketStatus.SKIPPED
    # The latecomer goes to the end of the queue, behind the second ticket.
    ticket_requeue(actor=clerk, ticket=skipped)
    next_one = ticket_call_next(actor=clerk, window=here)
    assert next_one is not None
    assert next_one.pk == second.pk
    serving = ticket_start(actor=clerk, ticket=next_one)
    assert serving.status == TicketStatus.SERVING
    assert serving.served_by == clerk.user
    done = ticket_finish(actor=clerk, ticket=serving)
    assert done.status == TicketStatus.DONE
    assert done.finished_at is not None
    again = ticket_call_next(actor=clerk, window=here)
    assert again is not None
    assert again.pk == first.pk
    actions = list(
        AuditEntry.objects.filter(target_id=str(first.pk), action__startswith="hall.ticket")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "hall.ticket_take",
        "hall.ticket_call",
        "hall.ticket_recall",
        "hall.ticket_skip",
        "hall.ticket_requeue",
        "hall.ticket_call",
    ]


def test_a_transferred_ticket_is_the_next_call_of_its_window(actor_of):
    agency = empty_hall()
    clerk, head = actor_of("clerk_maojian"), second_clerk()
    earlier = take(clerk, agency, "G", "elderly")
    visitor = take(clerk, agency)
    mine, theirs = seated(clerk, agency, 1), seated(head, agency, 2)
    # The clerk at window 1 calls the green-channel ticket first, then the general one.
    first = ticket_call_next(actor=clerk, window=mine)
    assert first is not None
    assert first.pk == earlier.pk
    ticket_finish(actor=clerk, ticket=ticket_start(actor=clerk, ticket=first))
    take(clerk, agency, "G", "disabled")  # a green ticket arrives after
    called = ticket_call_next(actor=clerk, window=mine)
    assert called is not None
    assert called.code == "G002"
    ticket_finish(actor=clerk, ticket=ticket_start(actor=clerk, ticket=called))
    called = ticket_call_next(actor=clerk, window=mine)
    assert called is not None
    assert called.pk == visitor.pk
    moved = ticket_transfer(actor=clerk, ticket=called, to_window=theirs)
    assert (moved.status, moved.target_window_id, moved.code) == ("waiting", theirs.pk, "A001")
    take(clerk, agency, "G", "elderly")
    # Window 2 calls the transferred ticket before the green channel; window 1 never sees it.
    at_two = ticket_call_next(actor=head, window=theirs)
    assert at_two is not None
    assert at_two.pk == visitor.pk
    at_one = ticket_call_next(actor=clerk, window=mine)
    assert at_one is not None
    assert at_one.code == "G003"
    with pytest.raises(RuleViolation) as refused:
        ticket_transfer(actor=clerk, ticket=at_one, to_window=mine)
    assert refused.value.code == "HALL-TRANSFER-WINDOW"


def test_only_the_clerk_at_the_window_acts_on_its_ticket(actor_of):
    agency = empty_hall()
    clerk, head = actor_of("clerk_maojian"), second_clerk()
    take(clerk, agency)
    called = ticket_call_next(actor=clerk, window=seated(clerk, agency, 1))
    assert called is not None
    seated(head, agency, 2)
    with pytest.raises(RuleViolation) as refused:
        ticket_skip(actor=head, ticket=called)
    assert refused.value.code == "HALL-NOT-YOUR-WINDOW"


def test_waiting_counts_and_the_estimate(actor_of, settings):
    settings.HALL_DEFAULT_SERVICE_MINUTES = 8
    agency = empty_hall()
    clerk, head = actor_of("clerk_maojian"), second_clerk()
    tickets = [take(clerk, agency) for _n in range(4)]
    green = take(clerk, agency, "G", "elderly")
    seated(clerk, agency, 1)
    seated(head, agency, 2)
    state = queue_state(agency)
    waiting = {row.category: row.waiting for row in state.categories}
    assert waiting == {"G": 1, "B": 0, "A": 4}
    assert state.waiting == 5
    # The last A has the green ticket and three As ahead: 4 × 8 min over 2 windows.
    last = ticket_estimate(tickets[-1])
    assert (last.ahead, last.minutes) == (4, 16)
    assert ticket_estimate(green).ahead == 0


def test_a_ticket_left_open_yesterday_does_not_hold_the_window_today(actor_of):
    import time_machine

    from shebao.hall.selectors import current_ticket

    agency = empty_hall()
    clerk = actor_of("clerk_maojian")
    with time_machine.travel("2026-12-07 16:00:00+08:00", tick=False):
        take(clerk, agency)
        desk = seated(clerk, agency, 1)
        left_open = ticket_call_next(actor=clerk, window=desk)
        assert left_open is not None
    with time_machine.travel("2026-12-08 09:00:00+08:00", tick=False):
        today = take(clerk, agency)
        assert current_ticket(desk) is None
        called = ticket_call_next(actor=clerk, window=desk)
        assert called is not None
        assert called.pk == today.pk
        assert current_ticket(desk) == called
