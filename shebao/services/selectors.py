"""Reads of cases, always within the actor's data scope, and the statistics that reports use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from shebao.core.actors import Actor
from shebao.core.models import Action
from shebao.core.periods import local_day_bounds
from shebao.core.permissions import OutOfScope, actor_can, scope_filter
from shebao.services.handlers import handler_for
from shebao.services.models import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    ServiceItem,
)
from shebao.services.transitions import TRANSITIONS, Transition
from shebao.services.workdays import default_calendar

NEARLY_DUE_WORKING_DAYS = 2
RUNNING_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW)


def cases_in_scope(
    actor: Actor,
    *,
    status: str = "",
    item_code: str = "",
    channel: str = "",
    overdue: bool = False,
    applicant_id: str = "",
) -> QuerySet[Case]:
    queryset = scope_filter(
        Case.objects.select_related(
            "item", "agency", "applicant_person", "applicant_employer", "accepted_by"
        ),
        actor,
        "agency",
    )
    if status:
        queryset = queryset.filter(status=status)
    if item_code:
        queryset = queryset.filter(item__code=item_code)
    if channel:
        queryset = queryset.filter(channel=channel)
    if overdue:
        queryset = queryset.filter(status__in=RUNNING_STATUSES, due_date__lt=timezone.localdate())
    if applicant_id:
        queryset = queryset.filter(
            Q(applicant_person__resident_id=applicant_id)
            | Q(applicant_employer__credit_code=applicant_id)
        )
    return queryset.order_by("-created_at", "-id")


def case_get(actor: Actor, case_id: int) -> Case:
    case = cases_in_scope(actor).filter(pk=case_id).first()
    if case is None:
        raise OutOfScope()
    return case


def open_cases_of(actor: Actor, *, person_ids: list[int], employer_ids: list[int]) -> list[Case]:
    return list(
        cases_in_scope(actor)
        .filter(status__in=OPEN_STATUSES)
        .filter(Q(applicant_person_id__in=person_ids) | Q(applicant_employer_id__in=employer_ids))
    )


def review_queue(actor: Actor) -> QuerySet[Case]:
    """Cases waiting for a second person, that this actor may approve (not their own work)."""
    handled = CaseEvent.objects.filter(
        case=OuterRef("pk"), actor=actor.user, action__in=["create", "accept", "send_for_review"]
    )
    return (
        cases_in_scope(actor, status=CaseStatus.IN_REVIEW)
        .annotate(handled_by_me=Exists(handled))
        .filter(handled_by_me=False)
        .order_by("due_date", "created_at")
    )


ONLINE_CHANNELS = ("web", "kiosk", "api")


def online_submissions(actor: Actor, limit: int = 50) -> list[Case]:
    """Cases submitted online (portal, kiosk, API) that wait for a clerk to accept them
    (网上申报待受理), oldest first, among the items this actor may accept."""
    waiting = cases_in_scope(actor, status=CaseStatus.SUBMITTED).filter(channel__in=ONLINE_CHANNELS)
    return [
        case
        for case in waiting.order_by("submitted_at", "id")[: limit * 2]
        if actor_can(actor, Action.ACCEPT, item_code=case.item.code, category=case.item.category)
    ][:limit]


def my_running_cases(actor: Actor) -> QuerySet[Case]:
    return (
        cases_in_scope(actor)
        .filter(accepted_by=actor.user, status__in=(CaseStatus.ACCEPTED, CaseStatus.SUBMITTED))
        .order_by("due_date", "created_at")
    )


@dataclass(frozen=True)
class DueFlag:
    overdue: bool
    nearly_due: bool


def due_flag(case: Case, today: date | None = None) -> DueFlag:
    today = today or timezone.localdate()
    if case.due_date is None or case.status not in RUNNING_STATUSES:
        return DueFlag(False, False)
    if case.due_date < today:
        return DueFlag(True, False)
    soon = default_calendar().add_working_days(today, NEARLY_DUE_WORKING_DAYS)
    return DueFlag(False, case.due_date <= soon)


def allowed_transitions(actor: Actor, case: Case) -> list[Transition]:
    """The actions this actor may try on this case now (the services check again)."""
    result = []
    for transition in TRANSITIONS.values():
        if case.status not in transition.sources:
            continue
        if transition.review is not None and transition.review != case.item.review_required:
            continue
        if not actor_can(
            actor, transition.permission, item_code=case.item.code, category=case.item.category
        ):
            continue
        result.append(transition)
    return result


def items_startable_by(actor: Actor, channel: str, applicant_kind: str) -> list[ServiceItem]:
    """Items a generic case can be opened for; automated items (with a handler) are started
    from their own pages, which collect what the handler needs."""
    items = ServiceItem.objects.filter(is_active=True).order_by("category", "code")
    return [
        item
        for item in items
        if handler_for(item.code) is None
        and channel in item.channels
        and item.applicant_kind in ("either", applicant_kind)
        and actor_can(actor, Action.ACCEPT, item_code=item.code, category=item.category)
    ]


# --- statistics -------------------------------------------------------------------------------


GROUPINGS = {
    "channel": "channel",
    "item": "item__code",
    "agency": "agency__code",
    "clerk": "accepted_by__username",
}


def cases_per_day(actor: Actor, *, start: date, end: date, by: str) -> list[dict[str, object]]:
    """Cases created per local day and per channel, item, agency or accepting clerk."""
    key = GROUPINGS[by]
    low, high = local_day_bounds(start, end)
    rows = (
        scope_filter(Case.objects.all(), actor, "agency")
        .filter(created_at__gte=low, created_at__lt=high)
        .annotate(day=TruncDate("created_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))
        .values("day", key)
        .annotate(cases=Count("id"))
        .order_by("day", key)
    )
    return [{"day": row["day"], by: row[key], "cases": row["cases"]} for row in rows]


@dataclass(frozen=True)
class Rates:
    cases: int
    finished: int
    finished_first_time: int
    returned: int

    @property
    def one_visit_rate(self) -> float | None:
        """Finished cases that were never returned, of all finished cases."""
        return self.finished_first_time / self.finished if self.finished else None

    @property
    def returned_rate(self) -> float | None:
        return self.returned / self.cases if self.cases else None


def case_rates(actor: Actor, *, start: date, end: date) -> Rates:
    low, high = local_day_bounds(start, end)
    totals = (
        scope_filter(Case.objects.all(), actor, "agency")
        .filter(created_at__gte=low, created_at__lt=high)
        .aggregate(
            cases=Count("id"),
            finished=Count("id", filter=Q(status__in=FINISHED_STATUSES)),
            finished_first_time=Count(
                "id", filter=Q(status__in=FINISHED_STATUSES, returned_count=0)
            ),
            returned=Count("id", filter=Q(returned_count__gt=0)),
        )
    )
    return Rates(**totals)
