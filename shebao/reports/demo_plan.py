"""What the statistics demo history is made of: the desks and their rates, the plans of
cases and tickets, and the clock every random draw goes through.

One random source, shared by the case and queue planners in a fixed order, is what makes
the history the same for the same seed and day.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from shebao.hall.models import PriorityReason, TicketStatus
from shebao.services.models import CaseChannel, ServiceItem
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


@dataclass
class DeskState:
    """A desk with the applicants and items it draws from."""

    desk: Desk
    persons: list[tuple[int, int]]
    employers: list[tuple[int, int]]
    pool: list[ServiceItem]
    person_agency: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.person_agency = dict(self.persons)


class HistoryClock:
    """The history's working days and office hours, and its one seeded random source."""

    def __init__(self, today: date) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.calendar: WorkCalendar = default_calendar()
        self.today = today
        self.cutoff = self.at(today, time.min)
        first = today - timedelta(days=DAYS)
        self.days = [
            first + timedelta(days=n)
            for n in range(DAYS)
            if self.calendar.is_working_day(first + timedelta(days=n))
        ]

    def at(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=self.zone)

    def clock(self, day: date, hours: float) -> datetime:
        return self.at(day, time.min) + timedelta(hours=hours)

    def next_working_day(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.calendar.is_working_day(day):
            day += timedelta(days=1)
        return day

    def later(self, at: datetime, low: float, high: float) -> datetime:
        """Some minutes later within office hours, else early the next working day."""
        then = at + timedelta(minutes=self.rng.uniform(low, high))
        local = then.astimezone(self.zone)
        day = local.date()
        if self.calendar.is_working_day(day) and local.time() <= CLOSE:
            if local.time() >= OPEN:
                return then
        else:
            day = self.next_working_day(day)
        return self.at(day, OPEN) + timedelta(minutes=self.rng.uniform(5, 90))

    def days_later(self, at: datetime, low: int, high: int) -> datetime:
        """A time in office hours some working days later (0: later the same day)."""
        n = self.rng.randint(low, high)
        if n == 0:
            return self.later(at, 20, 240)
        day = self.calendar.add_working_days(at.astimezone(self.zone).date(), n)
        return self.clock(day, self.rng.uniform(8.7, 17.2))

    def count(self, mean: float) -> int:
        return max(0, round(self.rng.gauss(mean, math.sqrt(mean)))) if mean > 0 else 0

    def weighted(self, choices: list[tuple[Any, float]]) -> Any:
        values, weights = zip(*choices, strict=True)
        return self.rng.choices(values, weights=weights)[0]

    def queue_hour(self) -> float:
        """An hour of the day drawn as the hall's tickets are taken."""
        start, end, _weight = self.weighted([(h, h[2]) for h in QUEUE_HOURS])
        return float(self.rng.uniform(start, end))
