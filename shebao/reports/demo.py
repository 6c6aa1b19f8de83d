"""Demo history for the statistics: about ninety days of cases and queue tickets before today
in 茅箭区, 张湾区, the city of Shiyan and 江岸区, so the dashboard's day figures have something
to show, and the monthly summaries rebuilt for the last twelve months.

Each working day (``default_calendar``) each demo clerk serves the hall's queue from window 1
(茅箭区 and 张湾区: tickets taken from 8:30 to 17:00, busiest at 9–11, called first come first
served after the green channel, so the wait grows when the hall is busy) and opens a case for
most visitors at the counter; online cases come from the portal, the kiosk and the API.
Most cases end done or approved; a few are returned to the applicant (some come back), a few
sent back by the reviewer, and a handful stall past their due date. Cases of the last days
are still running.

Written with bulk inserts, not through the services (thousands of cases would take minutes),
but keeping what the services keep: every step is a transition of ``TRANSITIONS`` from the
status the case has, replayed into the case's fields (accepted, prepared, reviewed, finished,
returned) and recorded as its case event; the due date counts the item's time limit from the
acceptance; the applicant is of the case's agency; the receipt number has the services'
form; each day's ticket numbers follow its ``TicketCounter``; a reviewer is never the clerk.
A case still open at the end (running or returned) is of an item without a business handler,
so finishing it from the case page has no effect to miss. One audit entry records the whole history.

Only with ``bulk`` (``make run``): the tests seed the small demo and call
:func:`seed_history` themselves, so the other apps' tests see only their own cases.
Deterministic (a fixed seed, days counted back from today) and idempotent: the history's cases
carry ``data["demo"] == "history"``; once there, a second run adds nothing.

The parts: :mod:`shebao.reports.demo_plan` (the desks, the rates, the seeded clock),
:mod:`shebao.reports.demo_cases` (the cases and their events) and
:mod:`shebao.reports.demo_queue` (the hall tickets).
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from shebao.core.actors import system_actor
from shebao.core.audit import audit_record
from shebao.core.periods import period_add, period_of, period_range
from shebao.reports.demo_cases import CasePlanner, cases_insert
from shebao.reports.demo_plan import (
    COUNTER,
    DESKS,
    ITEM_WEIGHTS,
    KIOSK,
    MARK,
    MONTHS,
    ONLINE_WEIGHTS,
    WEB,
    WEEKDAY_FACTOR,
    Desk,
    DeskState,
    HistoryClock,
    HistoryCounts,
)
from shebao.reports.demo_queue import QueuePlanner, tickets_insert
from shebao.reports.refresh import summaries_refresh
from shebao.services.models import Case, ServiceItem

__all__ = ["MARK", "HistoryCounts", "demo_logins", "seed_demo", "seed_history"]


def seed_demo(*, bulk: bool = True) -> None:
    if bulk:
        seed_history()


def demo_logins() -> list[str]:
    return [
        "Statistics: head_shiyan, head_maojian, fund_shiyan or admin at "
        "http://127.0.0.1:8000/statistics/ (ninety days of cases and queue tickets)"
    ]


def seed_history(today: date | None = None) -> HistoryCounts:
    """Write the history once, then rebuild the summaries of the last twelve months."""
    today = today or timezone.localdate()
    counts = HistoryCounts()
    if not Case.objects.filter(data__demo=MARK).exists():
        with transaction.atomic():
            counts = _History(today).write()
            audit_record(
                actor=system_actor("seed_demo"),
                action="reports.demo_history",
                target_type="statistics",
                target_id="demo",
                after={"cases": counts.cases, "events": counts.events, "tickets": counts.tickets},
            )
    current = period_of(today)
    summaries_refresh(period_range(period_add(current, 1 - MONTHS), current))
    return counts


class _History:
    """Plans every desk's days in turn, then writes the cases before the tickets that link them."""

    def __init__(self, today: date) -> None:
        self.clock = HistoryClock(today)
        users = get_user_model().objects.filter(
            username__in={d.clerk for d in DESKS} | {r for d in DESKS for r in d.reviewers}
        )
        self.users: dict[str, int] = {u.get_username(): u.pk for u in users}
        items = {
            item.code: item
            for item in ServiceItem.objects.filter(
                code__in=ITEM_WEIGHTS, is_active=True, automatic=False
            )
        }
        self.cases = CasePlanner(self.clock, self.users, items)
        self.queue = QueuePlanner(self.cases)

    def write(self) -> HistoryCounts:
        for desk in DESKS:
            self._desk(desk)
        cases, events, pk_of = cases_insert(self.cases.cases, self.clock.zone)
        tickets = tickets_insert(self.queue.tickets, pk_of)
        return HistoryCounts(cases=cases, events=events, tickets=tickets)

    def _desk(self, desk: Desk) -> None:
        if desk.clerk not in self.users or any(r not in self.users for r in desk.reviewers):
            return
        persons, employers = self.cases.applicants(desk)
        pool = self.cases.pool(desk, bool(persons), bool(employers))
        if not pool:
            return
        desk_state = DeskState(desk, persons, employers, pool)
        window, busy = self.queue.hall_window(desk)
        clock = self.clock
        for day in clock.days:
            factor = WEEKDAY_FACTOR[day.weekday()]
            if window is not None and day not in busy:
                self.queue.day(desk_state, day, window, factor)
            for _n in range(clock.count(desk.counter * factor)):
                at = clock.clock(day, clock.queue_hour())
                self.cases.case(desk_state, COUNTER, at)
            for _n in range(clock.count(desk.online * factor)):
                channel = clock.weighted(
                    [(c, w) for c, w in ONLINE_WEIGHTS.items() if c != KIOSK or desk.kiosk]
                )
                hours = (
                    clock.rng.uniform(8.5, 17.2) if channel != WEB else clock.rng.uniform(7, 22.5)
                )
                self.cases.case(desk_state, channel, clock.clock(day, hours))
        self.cases.stalled(desk_state)
