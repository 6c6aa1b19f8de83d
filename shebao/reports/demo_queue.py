"""The demo history's hall queue (叫号): the tickets of each day at a desk's window 1,
called in the order the hall calls them, and the cases opened for the visitors served."""

from __future__ import annotations

import math
from datetime import date, timedelta

from shebao.hall.models import (
    Category,
    ServiceWindow,
    Ticket,
    TicketCounter,
    TicketSource,
    TicketStatus,
)
from shebao.reports.demo_cases import CasePlanner
from shebao.reports.demo_plan import (
    CHUNK,
    COUNTER,
    GREEN,
    GREEN_REASONS,
    NO_SHOW,
    OPEN,
    OPENS_CASE,
    QUEUE_HOURS,
    SECOND_CASE,
    Desk,
    DeskState,
    PlannedTicket,
)

# A planned ticket with where it was served: (agency, day, window, clerk, ticket).
QueuedTicket = tuple[int, date, int, int, PlannedTicket]


class QueuePlanner:
    """Plans the tickets of the halls' days; the cases they open go to the case planner."""

    def __init__(self, cases: CasePlanner) -> None:
        self.cases = cases
        self.clock = cases.clock
        self.rng = cases.clock.rng
        self.tickets: list[QueuedTicket] = []

    def hall_window(self, desk: Desk) -> tuple[tuple[int, int] | None, set[date]]:
        """The desk's window 1 (id, agency) and the days its hall already has tickets on."""
        window = None
        if desk.hall:
            window = (
                ServiceWindow.objects.filter(agency__code=desk.hall, number=1)
                .values_list("id", "agency_id")
                .first()
            )
        busy = set()
        if window is not None:
            busy = set(
                TicketCounter.objects.filter(agency_id=window[1]).values_list(
                    "service_date", flat=True
                )
            ) | set(
                Ticket.objects.filter(agency_id=window[1]).values_list("service_date", flat=True)
            )
        return window, busy

    def day(self, state: DeskState, day: date, window: tuple[int, int], factor: float) -> None:
        """One day at the hall: the clerk at window 1 calls the green channel first, then
        first come first served; a few visitors do not answer the call."""
        rng = self.rng
        clock = self.clock
        total = sum(weight for _s, _e, weight in QUEUE_HOURS)
        tickets: list[PlannedTicket] = []
        for start, end, weight in QUEUE_HOURS:
            for _n in range(clock.count(state.desk.tickets * factor * weight / total)):
                green = rng.random() < GREEN
                tickets.append(
                    PlannedTicket(
                        category=Category.GREEN if green else Category.GENERAL,
                        reason=clock.weighted(list(GREEN_REASONS)) if green else "",
                        source=(
                            TicketSource.KIOSK
                            if state.desk.kiosk and rng.random() < 0.6
                            else TicketSource.RECEPTION
                        ),
                        taken=clock.clock(day, rng.uniform(start, end)),
                    )
                )
        tickets.sort(key=lambda t: t.taken)
        numbers: dict[str, int] = {}
        for ticket in tickets:
            numbers[ticket.category] = numbers.get(ticket.category, 0) + 1
            ticket.number = numbers[ticket.category]
        free = clock.at(day, OPEN)
        waiting: list[PlannedTicket] = []
        pending = list(tickets)
        seen: set[int] = set()
        while pending or waiting:
            while pending and pending[0].taken <= free:
                waiting.append(pending.pop(0))
            if not waiting:
                free = pending[0].taken + timedelta(minutes=rng.uniform(0.3, 1.5))
                continue
            first = [t for t in waiting if t.category == Category.GREEN] or waiting
            ticket = first[0]
            waiting.remove(ticket)
            ticket.called = free + timedelta(seconds=rng.uniform(5, 30))
            ticket.calls = 1
            if rng.random() < NO_SHOW:
                ticket.called += timedelta(minutes=1)  # called again: the board shows it once more
                ticket.calls = 2
                ticket.status = TicketStatus.SKIPPED
                ticket.finished = ticket.called + timedelta(minutes=1)
                free = ticket.finished
                continue
            ticket.status = TicketStatus.DONE
            ticket.started = ticket.called + timedelta(minutes=rng.uniform(0.5, 1.5))
            minutes = max(3.0, rng.lognormvariate(math.log(6.0), 0.45))
            ticket.finished = ticket.started + timedelta(minutes=minutes)
            free = ticket.finished + timedelta(seconds=rng.uniform(10, 40))
            self._visit_cases(state, ticket, seen)
        clerk = self.cases.users[state.desk.clerk]
        self.tickets += [(window[1], day, window[0], clerk, ticket) for ticket in tickets]

    def _visit_cases(self, state: DeskState, ticket: PlannedTicket, seen: set[int]) -> None:
        """The cases the visitor leaves with, opened by the clerk while serving them."""
        assert ticket.started is not None
        if self.rng.random() >= OPENS_CASE:
            return
        opened = ticket.started + timedelta(minutes=self.rng.uniform(0.5, 1.5))
        first = self.cases.case(state, COUNTER, opened)
        if first is None:
            return
        ticket.cases.append(first)
        case = self.cases.cases[first]
        if case.person is not None and case.person not in seen:
            seen.add(case.person)
            ticket.person = case.person
        if self.rng.random() < SECOND_CASE:
            again = opened + timedelta(minutes=self.rng.uniform(1, 2))
            kinds = ("person", "either") if case.person is not None else ("employer", "either")
            second = self.cases.case(state, COUNTER, again, person=case.person, kinds=kinds)
            if second is not None and self.cases.cases[second].employer == case.employer:
                ticket.cases.append(second)


def tickets_insert(tickets: list[QueuedTicket], pk_of: dict[int, int]) -> int:
    """The tickets, each day's counters and the links to the cases written (``pk_of``: the
    primary key of each planned case); the number of tickets."""
    rows = []
    counters: dict[tuple[int, date, str], int] = {}
    for agency, day, window, clerk, planned in tickets:
        served = planned.status == TicketStatus.DONE
        rows.append(
            Ticket(
                agency_id=agency,
                service_date=day,
                category=planned.category,
                number=planned.number,
                code=f"{planned.category}{planned.number:03d}",
                status=planned.status,
                priority_reason=planned.reason,
                source=planned.source,
                person_id=planned.person,
                queued_at=planned.taken,
                taken_at=planned.taken,
                window_id=window,
                call_count=planned.calls,
                called_at=planned.called,
                started_at=planned.started,
                finished_at=planned.finished,
                served_by_id=clerk if served else None,
            )
        )
        key = (agency, day, planned.category)
        counters[key] = max(counters.get(key, 0), planned.number)
    Ticket.objects.bulk_create(rows, batch_size=CHUNK)
    TicketCounter.objects.bulk_create(
        [
            TicketCounter(agency_id=agency, service_date=day, category=category, last=last)
            for (agency, day, category), last in counters.items()
        ],
        batch_size=CHUNK,
    )
    links = [
        Ticket.cases.through(ticket_id=row.pk, case_id=pk_of[n])
        for row, (_a, _d, _w, _c, planned) in zip(rows, tickets, strict=True)
        for n in planned.cases
        if n in pk_of
    ]
    Ticket.cases.through.objects.bulk_create(links, batch_size=CHUNK)
    return len(rows)
