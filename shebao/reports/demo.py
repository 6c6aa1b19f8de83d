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
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from shebao.core.actors import system_actor
from shebao.core.audit import audit_record
from shebao.core.models import Agency
from shebao.core.periods import period_add, period_of, period_range
from shebao.hall.models import (
    Category,
    PriorityReason,
    ServiceWindow,
    Ticket,
    TicketCounter,
    TicketSource,
    TicketStatus,
)
from shebao.registry.models import Employer, EmployerStatus, Person, PersonStatus
from shebao.reports.refresh import summaries_refresh
from shebao.services.handlers import handler_for
from shebao.services.models import Case, CaseChannel, CaseEvent, CaseStatus, ServiceItem
from shebao.services.transitions import TRANSITIONS
from shebao.services.workdays import WorkCalendar, default_calendar

SEED = 2612
DAYS = 90  # calendar days back from yesterday
MONTHS = 12  # the summaries rebuilt, up to the current month
MARK = "history"  # data["demo"] of every history case
CHUNK = 2000

COUNTER, WEB, KIOSK, API = (
    CaseChannel.COUNTER.value,
    CaseChannel.WEB.value,
    CaseChannel.KIOSK.value,
    CaseChannel.API.value,
)
# How an online case arrives; the kiosk only in a hall that has one.
ONLINE_WEIGHTS = {WEB: 0.8, KIOSK: 0.1, API: 0.1}
WEEKDAY_FACTOR = (1.15, 1.05, 1.0, 0.95, 0.85, 0.8, 0.8)  # Monday is the busiest

RETURN_COUNTER = 0.04  # returned at the counter for a missing material, after acceptance
RETURN_ONLINE = 0.08  # returned before acceptance when an online application is incomplete
RESUBMITTED = 0.65  # of the returned, those who came back with the material
SEND_BACK = 0.07  # of the cases sent for review, those the reviewer sent back
STALLED = 3  # cases per desk left running past their due date

RETURN_REASONS = (
    "缺少身份证复印件",
    "申请表未签字",
    "上传材料不清晰，请重新上传",
    "缺少劳动合同或工资发放记录",
    "银行账户信息与本人不符",
)
SEND_BACK_REASONS = (
    "参保起始月份有误，请核对",
    "缴费基数与工资表不一致",
    "待遇计算口径有误，请复核",
    "附件缺少单位盖章",
)

# The items the history draws, by how often they are asked for.
ITEM_WEIGHTS = {
    "SBCT002": 14, "SBCT003": 6, "SBCT004": 6, "SBCT006": 4, "SBCT007": 3, "SBCT008": 3,
    "SBCT001": 4, "SBCT012": 2, "SBQL001": 8, "SBQL002": 2, "SBAC002": 2, "SBAC003": 3,
    "SBAC006": 2, "SBRG001": 1, "SBRG004": 3, "SBRG005": 10, "SBRG006": 10, "SBRG007": 6,
    "SBRG008": 2, "SBRG009": 3, "SBRG010": 2, "SBRG012": 1, "SBRG013": 1, "SBCL001": 4,
    "SBCL002": 4, "SBCL004": 2, "SBCL006": 2, "SBCL007": 2, "SBBN001": 4, "SBBN002": 1,
    "SBBN003": 1, "SBBN009": 1, "SBBN011": 4, "SBBN028": 1, "SBBN029": 1, "SBBN031": 1,
    "SBBN037": 1, "SBBC003": 2, "SBBC007": 2, "SBBC015": 1, "SBTR001": 3, "SBTR009": 1,
}  # fmt: skip

# The queue: tickets taken in each stretch of the day, relative (start hour, end hour, weight).
QUEUE_HOURS = (
    (8.5, 9, 3), (9, 10, 9), (10, 11, 9), (11, 12, 5), (12, 13, 2), (13, 14, 3), (14, 15, 5),
    (15, 16, 4), (16, 17, 3),
)  # fmt: skip
GREEN = 0.07
GREEN_REASONS = (
    (PriorityReason.ELDERLY, 0.6),
    (PriorityReason.DISABLED, 0.25),
    (PriorityReason.PREGNANT, 0.1),
    (PriorityReason.OTHER, 0.05),
)
NO_SHOW = 0.04
OPENS_CASE = 0.7  # of the visitors served, those who leave with a case opened
SECOND_CASE = 0.1
OPEN, CLOSE = time(8, 30), time(17, 30)


@dataclass(frozen=True)
class Desk:
    """A demo clerk and what reaches them on a working day."""

    clerk: str
    agencies: tuple[str, ...]  # the applicants' managing agencies
    reviewers: tuple[str, ...]  # who approves (none: only items without review)
    online: float  # online cases a day
    counter: float = 0.0  # counter cases a day where no queue opens them
    hall: str = ""  # the hall whose window 1 the clerk serves
    tickets: float = 0.0  # tickets a day at that hall
    kiosk: str = ""  # the hall's kiosk
    categories: tuple[str, ...] = ()  # the categories the clerk claims (empty: every one)


DESKS = (
    Desk(
        "clerk_maojian",
        ("420302",),
        ("reviewer_maojian", "head_maojian"),
        online=30,
        hall="420302",
        tickets=32,
        kiosk="K01",
    ),
    Desk(
        "clerk_zhangwan",
        ("420303",),
        ("reviewer_zhangwan",),
        online=16,
        hall="420303",
        tickets=18,
        categories=("registration", "collection"),
    ),
    Desk("clerk_shiyan", ("420300", "420300-01", "420300-02"), ("head_shiyan",), 11, counter=6),
    # 江岸区 has no reviewer in the demo: only items without a second-person review finish.
    Desk("clerk_wuhan", ("420102",), (), online=18, counter=9),
)


@dataclass(frozen=True)
class HistoryCounts:
    cases: int = 0
    events: int = 0
    tickets: int = 0


@dataclass
class Step:
    action: str
    at: datetime
    actor: int | None
    label: str
    note: str = ""


@dataclass
class PlannedTicket:
    category: str
    reason: str
    source: str
    taken: datetime
    called: datetime | None = None
    started: datetime | None = None
    finished: datetime | None = None
    calls: int = 0
    status: str = TicketStatus.WAITING
    number: int = 0
    person: int | None = None
    cases: list[int] = field(default_factory=list)  # indexes of the planned cases


@dataclass
class PlannedCase:
    item: ServiceItem
    channel: str
    agency: int
    person: int | None
    employer: int | None
    created: datetime
    steps: list[Step]


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
    def __init__(self, today: date) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.calendar: WorkCalendar = default_calendar()
        self.today = today
        self.cutoff = self._at(today, time.min)
        first = today - timedelta(days=DAYS)
        self.days = [
            first + timedelta(days=n)
            for n in range(DAYS)
            if self.calendar.is_working_day(first + timedelta(days=n))
        ]
        users = get_user_model().objects.filter(
            username__in={d.clerk for d in DESKS} | {r for d in DESKS for r in d.reviewers}
        )
        self.users: dict[str, int] = {u.get_username(): u.pk for u in users}
        self.items = {
            item.code: item
            for item in ServiceItem.objects.filter(
                code__in=ITEM_WEIGHTS, is_active=True, automatic=False
            )
        }
        self.cases: list[PlannedCase] = []
        # (agency, day, window, clerk, ticket)
        self.tickets: list[tuple[int, date, int, int, PlannedTicket]] = []

    # --- times ------------------------------------------------------------------------------

    def _at(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=self.zone)

    def _clock(self, day: date, hours: float) -> datetime:
        return self._at(day, time.min) + timedelta(hours=hours)

    def _next_working_day(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.calendar.is_working_day(day):
            day += timedelta(days=1)
        return day

    def _later(self, at: datetime, low: float, high: float) -> datetime:
        """Some minutes later within office hours, else early the next working day."""
        then = at + timedelta(minutes=self.rng.uniform(low, high))
        local = then.astimezone(self.zone)
        day = local.date()
        if self.calendar.is_working_day(day) and local.time() <= CLOSE:
            if local.time() >= OPEN:
                return then
        else:
            day = self._next_working_day(day)
        return self._at(day, OPEN) + timedelta(minutes=self.rng.uniform(5, 90))

    def _days_later(self, at: datetime, low: int, high: int) -> datetime:
        """A time in office hours some working days later (0: later the same day)."""
        n = self.rng.randint(low, high)
        if n == 0:
            return self._later(at, 20, 240)
        day = self.calendar.add_working_days(at.astimezone(self.zone).date(), n)
        return self._clock(day, self.rng.uniform(8.7, 17.2))

    def _count(self, mean: float) -> int:
        return max(0, round(self.rng.gauss(mean, math.sqrt(mean)))) if mean > 0 else 0

    def _weighted(self, choices: list[tuple[Any, float]]) -> Any:
        values, weights = zip(*choices, strict=True)
        return self.rng.choices(values, weights=weights)[0]

    # --- the register ---------------------------------------------------------------------

    def _applicants(self, desk: Desk) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        persons = Person.objects.filter(
            managing_agency__code__in=desk.agencies, status=PersonStatus.ACTIVE
        ).order_by("id")
        employers = Employer.objects.filter(
            managing_agency__code__in=desk.agencies, status=EmployerStatus.ACTIVE
        ).order_by("id")
        return (
            list(persons.values_list("id", "managing_agency_id")),
            list(employers.values_list("id", "managing_agency_id")),
        )

    def _pool(self, desk: Desk, persons: bool, employers: bool) -> list[ServiceItem]:
        """The items the desk handles for the applicants it has."""
        kinds = set()
        if persons:
            kinds |= {"person", "either"}
        if employers:
            kinds |= {"employer", "either"}
        return [
            item
            for _code, item in sorted(self.items.items())
            if item.applicant_kind in kinds
            and (not desk.categories or item.category in desk.categories)
            and (desk.reviewers or not item.review_required)
        ]

    # --- writing ----------------------------------------------------------------------------

    def write(self) -> HistoryCounts:
        for desk in DESKS:
            self._desk(desk)
        return self._insert()

    def _desk(self, desk: Desk) -> None:
        if desk.clerk not in self.users or any(r not in self.users for r in desk.reviewers):
            return
        persons, employers = self._applicants(desk)
        pool = self._pool(desk, bool(persons), bool(employers))
        if not pool:
            return
        desk_state = _DeskState(desk, persons, employers, pool)
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
        for day in self.days:
            factor = WEEKDAY_FACTOR[day.weekday()]
            if window is not None and day not in busy:
                self._queue_day(desk_state, day, window, factor)
            for _n in range(self._count(desk.counter * factor)):
                at = self._clock(day, self._queue_hour())
                self._case(desk_state, COUNTER, at)
            for _n in range(self._count(desk.online * factor)):
                channel = self._weighted(
                    [(c, w) for c, w in ONLINE_WEIGHTS.items() if c != KIOSK or desk.kiosk]
                )
                hours = self.rng.uniform(8.5, 17.2) if channel != WEB else self.rng.uniform(7, 22.5)
                self._case(desk_state, channel, self._clock(day, hours))
        self._stalled(desk_state)

    def _queue_hour(self) -> float:
        start, end, _weight = self._weighted([(h, h[2]) for h in QUEUE_HOURS])
        return float(self.rng.uniform(start, end))

    # --- cases ------------------------------------------------------------------------------

    def _item(self, channel: str, pool: list[ServiceItem]) -> ServiceItem | None:
        fits = [item for item in pool if channel in item.channels]
        if channel == KIOSK:
            fits = [item for item in fits if item.applicant_kind != "employer"]
        if not fits:
            return None
        return self.rng.choices(fits, weights=[ITEM_WEIGHTS[i.code] for i in fits])[0]

    def _applicant(
        self, state: _DeskState, item: ServiceItem, channel: str, person: int | None = None
    ) -> tuple[int | None, int | None, int]:
        wants_person = item.applicant_kind == "person" or (
            item.applicant_kind == "either" and (channel == KIOSK or self.rng.random() < 0.8)
        )
        if not state.employers:
            wants_person = True
        if not state.persons:
            wants_person = False
        if wants_person:
            if person is not None:
                return person, None, state.person_agency[person]
            pk, agency = self.rng.choice(state.persons)
            return pk, None, agency
        pk, agency = self.rng.choice(state.employers)
        return None, pk, agency

    def _case(
        self,
        state: _DeskState,
        channel: str,
        at: datetime,
        person: int | None = None,
        kinds: tuple[str, ...] = ("person", "employer", "either"),
    ) -> int | None:
        """Plan one case opened at ``at``; its index, or None when none fits."""
        pool = [item for item in state.pool if item.applicant_kind in kinds]
        for _attempt in range(5):
            item = self._item(channel, pool)
            if item is None:
                return None
            applicant_person, employer, agency = self._applicant(state, item, channel, person)
            steps = self._steps(state.desk, item, channel, at, applicant_person, employer)
            kept = [step for step in steps if step.at < self.cutoff]
            finished = kept[-1].action in ("complete", "approve")
            if not finished and handler_for(item.code) is not None:
                pool = [i for i in pool if handler_for(i.code) is None]
                continue  # still open today: an item whose completion has no effect
            planned = PlannedCase(item, channel, agency, applicant_person, employer, at, kept)
            self.cases.append(planned)
            return len(self.cases) - 1
        return None

    def _steps(
        self,
        desk: Desk,
        item: ServiceItem,
        channel: str,
        at: datetime,
        person: int | None,
        employer: int | None,
    ) -> list[Step]:
        rng = self.rng
        clerk = self.users[desk.clerk]

        def by_clerk(action: str, when: datetime, note: str = "") -> Step:
            return Step(action, when, clerk, desk.clerk, note)

        if channel == KIOSK:
            applicant = f"kiosk-{desk.kiosk}:person-{person}"
        else:
            applicant = f"{channel}:person-{person}" if person else f"{channel}:employer-{employer}"
        steps: list[Step] = []
        if channel in (COUNTER, API):
            steps += [by_clerk("create", at), by_clerk("accept", at + timedelta(seconds=20))]
            accepted = at + timedelta(seconds=20)
        else:
            steps.append(Step("create", at, None, applicant))
            if not item.review_required and item.time_limit_days == 0:
                system = f"system:{channel}-self-service"
                steps.append(Step("accept", at + timedelta(seconds=3), None, system))
                steps.append(Step("complete", at + timedelta(seconds=6), None, system))
                return steps
            checked = self._later(at, 30, 480)
            if rng.random() < RETURN_ONLINE:
                steps.append(by_clerk("return", checked, rng.choice(RETURN_REASONS)))
                if rng.random() >= RESUBMITTED:
                    return steps
                again = self._days_later(checked, 1, 6)
                steps.append(Step("resubmit", again, None, applicant))
                checked = self._later(again, 30, 480)
            steps.append(by_clerk("accept", checked))
            accepted = checked
        if channel == COUNTER and rng.random() < RETURN_COUNTER:
            steps.append(
                by_clerk("return", accepted + timedelta(minutes=3), rng.choice(RETURN_REASONS))
            )
            if rng.random() >= RESUBMITTED:
                return steps
            again = self._days_later(accepted, 1, 8)
            steps += [
                by_clerk("resubmit", again),
                by_clerk("accept", again + timedelta(seconds=30)),
            ]
            accepted = again + timedelta(seconds=30)
        limit = item.time_limit_days if item.time_limit_days is not None else 10
        if not item.review_required:
            if limit == 0 or channel in (COUNTER, API):
                done = accepted + timedelta(minutes=rng.uniform(1, 4))
            else:
                done = self._days_later(accepted, 0, min(limit, 3))
            steps.append(by_clerk("complete", done))
            return steps
        sent = self._later(accepted, 5, 60 if channel == COUNTER else 240)
        steps.append(by_clerk("send_for_review", sent))
        reviewer = rng.choice(desk.reviewers)
        if rng.random() < SEND_BACK:
            back = self._days_later(sent, 0, 2)
            steps.append(
                Step(
                    "send_back", back, self.users[reviewer], reviewer, rng.choice(SEND_BACK_REASONS)
                )
            )
            sent = self._later(back, 20, 300)
            steps.append(by_clerk("send_for_review", sent))
        approved = self._days_later(sent, 0, max(1, min(limit // 2, 6)))
        steps.append(Step("approve", approved, self.users[reviewer], reviewer))
        return steps

    def _stalled(self, state: _DeskState) -> None:
        """A handful of cases left accepted or in review well past their due date."""
        desk = state.desk
        stalled = [
            item for item in state.pool if item.time_limit_days and handler_for(item.code) is None
        ]
        review = [item for item in stalled if item.review_required]
        if not stalled:
            return
        clerk = self.users[desk.clerk]
        for n in range(STALLED):
            in_review = bool(review) and n % 2 == 0  # waiting for the reviewer, else the clerk
            candidates = review if in_review else stalled
            item = candidates[n % len(candidates)]
            limit = item.time_limit_days or 10
            late = [
                day
                for day in self.days
                if self.calendar.add_working_days(day, limit) < self.today - timedelta(days=3)
            ]
            if not late:
                return
            day = self.rng.choice(late[len(late) // 3 :])
            at = self._clock(day, self._queue_hour())
            person, employer, agency = self._applicant(state, item, COUNTER)
            steps = [
                Step("create", at, clerk, desk.clerk),
                Step("accept", at + timedelta(seconds=20), clerk, desk.clerk),
            ]
            if in_review:
                steps.append(Step("send_for_review", self._later(at, 10, 60), clerk, desk.clerk))
            self.cases.append(PlannedCase(item, COUNTER, agency, person, employer, at, steps))

    # --- the queue --------------------------------------------------------------------------

    def _queue_day(
        self, state: _DeskState, day: date, window: tuple[int, int], factor: float
    ) -> None:
        """One day at the hall: the clerk at window 1 calls the green channel first, then
        first come first served; a few visitors do not answer the call."""
        rng = self.rng
        total = sum(weight for _s, _e, weight in QUEUE_HOURS)
        tickets: list[PlannedTicket] = []
        for start, end, weight in QUEUE_HOURS:
            for _n in range(self._count(state.desk.tickets * factor * weight / total)):
                green = rng.random() < GREEN
                tickets.append(
                    PlannedTicket(
                        category=Category.GREEN if green else Category.GENERAL,
                        reason=self._weighted(list(GREEN_REASONS)) if green else "",
                        source=(
                            TicketSource.KIOSK
                            if state.desk.kiosk and rng.random() < 0.6
                            else TicketSource.RECEPTION
                        ),
                        taken=self._clock(day, rng.uniform(start, end)),
                    )
                )
        tickets.sort(key=lambda t: t.taken)
        numbers: dict[str, int] = {}
        for ticket in tickets:
            numbers[ticket.category] = numbers.get(ticket.category, 0) + 1
            ticket.number = numbers[ticket.category]
        free = self._at(day, OPEN)
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
        clerk = self.users[state.desk.clerk]
        self.tickets += [(window[1], day, window[0], clerk, ticket) for ticket in tickets]

    def _visit_cases(self, state: _DeskState, ticket: PlannedTicket, seen: set[int]) -> None:
        """The cases the visitor leaves with, opened by the clerk while serving them."""
        assert ticket.started is not None
        if self.rng.random() >= OPENS_CASE:
            return
        opened = ticket.started + timedelta(minutes=self.rng.uniform(0.5, 1.5))
        first = self._case(state, COUNTER, opened)
        if first is None:
            return
        ticket.cases.append(first)
        case = self.cases[first]
        if case.person is not None and case.person not in seen:
            seen.add(case.person)
            ticket.person = case.person
        if self.rng.random() < SECOND_CASE:
            again = opened + timedelta(minutes=self.rng.uniform(1, 2))
            kinds = ("person", "either") if case.person is not None else ("employer", "either")
            second = self._case(state, COUNTER, again, person=case.person, kinds=kinds)
            if second is not None and self.cases[second].employer == case.employer:
                ticket.cases.append(second)

    # --- the inserts ------------------------------------------------------------------------

    def _replay(self, planned: PlannedCase) -> tuple[Case, list[CaseEvent]]:
        """The case's fields and events from its steps, each a transition of the table."""
        case = Case(
            receipt_no="",
            item=planned.item,
            channel=planned.channel,
            agency_id=planned.agency,
            applicant_person_id=planned.person,
            applicant_employer_id=planned.employer,
            status=CaseStatus.DRAFT,
            data={"demo": MARK},
            created_at=planned.created,
        )
        events = []
        for step in planned.steps:
            before = case.status
            if step.action == "create":
                case.status = CaseStatus.SUBMITTED
                case.submitted_at = step.at
            else:
                transition = TRANSITIONS[step.action]
                assert before in transition.sources, (planned.item.code, step.action, before)
                assert (
                    transition.review is None or transition.review == planned.item.review_required
                )
                case.status = transition.target
            if step.action == "accept":
                case.accepted_at = step.at
                case.accepted_by_id = step.actor
                case.due_date = _due_date(planned.item, step.at.astimezone(self.zone).date())
            if step.action in ("send_for_review", "complete"):
                case.prepared_by_id = step.actor
            if step.action == "approve":
                assert step.actor not in (case.accepted_by_id, case.prepared_by_id)
                case.reviewed_by_id = step.actor
            if case.status in (CaseStatus.APPROVED, CaseStatus.DONE):
                case.finished_at = step.at
            if step.action == "return":
                case.return_reason = step.note
                case.returned_count += 1
            if step.action == "resubmit":
                case.submitted_at = step.at
            events.append(
                CaseEvent(
                    action=step.action,
                    from_status=before,
                    to_status=case.status,
                    actor_id=step.actor,
                    actor_label=step.label,
                    note=step.note,
                    at=step.at,
                )
            )
        return case, events

    def _insert(self) -> HistoryCounts:
        """The cases in the order opened, numbered as the services number them (agency,
        day, primary key): the keys are given here, after the highest one, so each
        receipt number is final when inserted, and the key sequence is moved past them."""
        order = sorted(range(len(self.cases)), key=lambda n: self.cases[n].created)
        replayed = [self._replay(self.cases[n]) for n in order]
        codes = dict(Agency.objects.values_list("id", "code"))
        first = (Case.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        events = []
        for n, (case, case_events) in enumerate(replayed):
            case.pk = first + n
            day = case.created_at.astimezone(self.zone).date()
            case.receipt_no = f"{codes[case.agency_id].replace('-', '')}-{day:%Y%m%d}-{case.pk:07d}"
            for event in case_events:
                event.case_id = case.pk
                events.append(event)
        rows = [case for case, _events in replayed]
        with _given_times((Case, "created_at"), (CaseEvent, "at")):
            Case.objects.bulk_create(rows, batch_size=CHUNK)
            _sequence_reset(Case)
            CaseEvent.objects.bulk_create(events, batch_size=CHUNK)
        pk_of = {n: first + position for position, n in enumerate(order)}
        tickets = self._insert_tickets(pk_of)
        return HistoryCounts(cases=len(rows), events=len(events), tickets=tickets)

    def _insert_tickets(self, pk_of: dict[int, int]) -> int:
        rows = []
        counters: dict[tuple[int, date, str], int] = {}
        for agency, day, window, clerk, planned in self.tickets:
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
            for row, (_a, _d, _w, _c, planned) in zip(rows, self.tickets, strict=True)
            for n in planned.cases
            if n in pk_of
        ]
        Ticket.cases.through.objects.bulk_create(links, batch_size=CHUNK)
        return len(rows)


@dataclass
class _DeskState:
    desk: Desk
    persons: list[tuple[int, int]]
    employers: list[tuple[int, int]]
    pool: list[ServiceItem]
    person_agency: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.person_agency = dict(self.persons)


def _due_date(item: ServiceItem, accepted_on: date) -> date | None:
    """The services' due date: the item's time limit counted from the day of acceptance."""
    if item.time_limit_days is not None:
        return default_calendar().add_working_days(accepted_on, item.time_limit_days)
    if item.time_limit_calendar_days is not None:
        return accepted_on + timedelta(days=item.time_limit_calendar_days)
    return None


def _sequence_reset(model: type[models.Model]) -> None:
    """Move the key sequence past keys given by hand (nothing to do on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [model])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


@contextmanager
def _given_times(*fields: tuple[type[models.Model], str]) -> Iterator[None]:
    """Let a bulk insert keep the history's own times in fields stamped on creation."""
    stamped = []
    for model, name in fields:
        column = model._meta.get_field(name)
        assert isinstance(column, models.DateTimeField)
        stamped.append((column, column.auto_now_add))
        column.auto_now_add = False
    try:
        yield
    finally:
        for column, auto in stamped:
            column.auto_now_add = auto
