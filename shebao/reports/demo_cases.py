"""The demo history's cases: planned as the services would move them, step by step, then
replayed into rows and their case events and written in bulk."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

from shebao.core.models import Agency
from shebao.registry.models import Employer, EmployerStatus, Person, PersonStatus
from shebao.reports.demo_plan import (
    API,
    CHUNK,
    COUNTER,
    ITEM_WEIGHTS,
    KIOSK,
    MARK,
    RESUBMITTED,
    RETURN_COUNTER,
    RETURN_ONLINE,
    RETURN_REASONS,
    SEND_BACK,
    SEND_BACK_REASONS,
    STALLED,
    Desk,
    DeskState,
    HistoryClock,
    PlannedCase,
    Step,
)
from shebao.services.handlers import handler_for
from shebao.services.models import Case, CaseEvent, CaseStatus, ServiceItem
from shebao.services.transitions import TRANSITIONS
from shebao.services.workdays import default_calendar


class CasePlanner:
    """Plans each desk's cases; the queue opens some of them while a visitor is served."""

    def __init__(
        self, clock: HistoryClock, users: dict[str, int], items: dict[str, ServiceItem]
    ) -> None:
        self.clock = clock
        self.rng = clock.rng
        self.users = users
        self.items = items
        self.cases: list[PlannedCase] = []

    # --- the register ---------------------------------------------------------------------

    def applicants(self, desk: Desk) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
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

    def pool(self, desk: Desk, persons: bool, employers: bool) -> list[ServiceItem]:
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

    # --- cases ------------------------------------------------------------------------------

    def _item(self, channel: str, pool: list[ServiceItem]) -> ServiceItem | None:
        fits = [item for item in pool if channel in item.channels]
        if channel == KIOSK:
            fits = [item for item in fits if item.applicant_kind != "employer"]
        if not fits:
            return None
        return self.rng.choices(fits, weights=[ITEM_WEIGHTS[i.code] for i in fits])[0]

    def _applicant(
        self, state: DeskState, item: ServiceItem, channel: str, person: int | None = None
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

    def case(
        self,
        state: DeskState,
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
            kept = [step for step in steps if step.at < self.clock.cutoff]
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
        clock = self.clock
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
            checked = clock.later(at, 30, 480)
            if rng.random() < RETURN_ONLINE:
                steps.append(by_clerk("return", checked, rng.choice(RETURN_REASONS)))
                if rng.random() >= RESUBMITTED:
                    return steps
                again = clock.days_later(checked, 1, 6)
                steps.append(Step("resubmit", again, None, applicant))
                checked = clock.later(again, 30, 480)
            steps.append(by_clerk("accept", checked))
            accepted = checked
        if channel == COUNTER and rng.random() < RETURN_COUNTER:
            steps.append(
                by_clerk("return", accepted + timedelta(minutes=3), rng.choice(RETURN_REASONS))
            )
            if rng.random() >= RESUBMITTED:
                return steps
            again = clock.days_later(accepted, 1, 8)
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
                done = clock.days_later(accepted, 0, min(limit, 3))
            steps.append(by_clerk("complete", done))
            return steps
        sent = clock.later(accepted, 5, 60 if channel == COUNTER else 240)
        steps.append(by_clerk("send_for_review", sent))
        reviewer = rng.choice(desk.reviewers)
        if rng.random() < SEND_BACK:
            back = clock.days_later(sent, 0, 2)
            steps.append(
                Step(
                    "send_back", back, self.users[reviewer], reviewer, rng.choice(SEND_BACK_REASONS)
                )
            )
            sent = clock.later(back, 20, 300)
            steps.append(by_clerk("send_for_review", sent))
        approved = clock.days_later(sent, 0, max(1, min(limit // 2, 6)))
        steps.append(Step("approve", approved, self.users[reviewer], reviewer))
        return steps

    def stalled(self, state: DeskState) -> None:
        """A handful of cases left accepted or in review well past their due date."""
        desk = state.desk
        clock = self.clock
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
                for day in clock.days
                if clock.calendar.add_working_days(day, limit) < clock.today - timedelta(days=3)
            ]
            if not late:
                return
            day = self.rng.choice(late[len(late) // 3 :])
            at = clock.clock(day, clock.queue_hour())
            person, employer, agency = self._applicant(state, item, COUNTER)
            steps = [
                Step("create", at, clerk, desk.clerk),
                Step("accept", at + timedelta(seconds=20), clerk, desk.clerk),
            ]
            if in_review:
                steps.append(Step("send_for_review", clock.later(at, 10, 60), clerk, desk.clerk))
            self.cases.append(PlannedCase(item, COUNTER, agency, person, employer, at, steps))


# --- the inserts ----------------------------------------------------------------------------


def cases_insert(cases: list[PlannedCase], zone: ZoneInfo) -> tuple[int, int, dict[int, int]]:
    """The cases in the order opened, numbered as the services number them (agency,
    day, primary key): the keys are given here, after the highest one, so each
    receipt number is final when inserted, and the key sequence is moved past them.

    Returns the numbers of cases and events, and each planned case's primary key."""
    order = sorted(range(len(cases)), key=lambda n: cases[n].created)
    replayed = [_replay(cases[n], zone) for n in order]
    codes = dict(Agency.objects.values_list("id", "code"))
    first = (Case.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    events = []
    for n, (case, case_events) in enumerate(replayed):
        case.pk = first + n
        day = case.created_at.astimezone(zone).date()
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
    return len(rows), len(events), pk_of


def _replay(planned: PlannedCase, zone: ZoneInfo) -> tuple[Case, list[CaseEvent]]:
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
            assert transition.review is None or transition.review == planned.item.review_required
            case.status = transition.target
        if step.action == "accept":
            case.accepted_at = step.at
            case.accepted_by_id = step.actor
            case.due_date = _due_date(planned.item, step.at.astimezone(zone).date())
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
