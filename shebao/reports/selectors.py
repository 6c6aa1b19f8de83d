"""The dashboard figures, each read within an agency subtree the viewer may see.

The monthly figures (insured, contributions, arrears, retirees and payroll) read the summary
tables; the day figures (cases, workload, the queue, overdue cases) read the cases and tickets
through their indexes. Every figure is defined as a count or sum over named records, and the
tests compare each with a direct query of those records.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import ExtractHour, TruncDate
from django.utils.translation import gettext_lazy as _

from shebao.core.actors import Actor
from shebao.core.models import Action, Agency
from shebao.core.periods import local_day_bounds, period_format, period_range
from shebao.core.permissions import OutOfScope, PermissionRefused, actor_can, in_scope
from shebao.hall.models import Ticket
from shebao.registry.models import Scheme
from shebao.reports.figures import DECIMAL, RATE, TEXT, YUAN, Column, Figure, Filters
from shebao.reports.models import (
    BillSummary,
    ContributionSummary,
    InsuredSummary,
    PayrollSummary,
    RetireeSummary,
    SummaryRefresh,
)
from shebao.reports.scope import AgencyRows, subtree
from shebao.services.models import FINISHED_STATUSES, Case, CaseChannel, CaseEvent
from shebao.services.selectors import ONLINE_CHANNELS, RUNNING_STATUSES

STATISTICS_ACTIONS = (Action.AUDIT, Action.RUN_BATCH, Action.CONFIGURE)
SCHEMES = tuple(Scheme)
TOP_ITEMS = 20


def can_see_statistics(actor: Actor) -> bool:
    """Agency heads and auditors, fund officers and administrators read the statistics."""
    return any(actor_can(actor, action) for action in STATISTICS_ACTIONS)


def ensure_can_see_statistics(actor: Actor) -> None:
    if not can_see_statistics(actor):
        raise PermissionRefused(Action.AUDIT, "*")


def agencies_for(actor: Actor) -> list[Agency]:
    """The agencies a viewer may choose: their own and every one under it."""
    if actor.agency is None:
        return list(Agency.objects.order_by("path")) if actor.is_system else []
    return list(Agency.objects.filter(path__startswith=actor.agency.path).order_by("path"))


def agency_for(actor: Actor, code: str) -> Agency:
    """The chosen agency, or "not found" when it is outside the viewer's subtree."""
    agency = Agency.objects.filter(code=code).first()
    if agency is None or not in_scope(actor, agency):
        raise OutOfScope()
    return agency


def _periods(filters: Filters) -> list[int]:
    return period_range(filters.start, filters.end)


def _day_bounds(filters: Filters) -> tuple[datetime, datetime]:
    return local_day_bounds(filters.day_from, filters.day_to)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- monthly figures (summary tables) ---------------------------------------------------------


def insured_by_scheme(filters: Filters) -> Figure:
    rows = (
        subtree(InsuredSummary.objects.filter(period__in=_periods(filters)), filters.agency)
        .values("period", "scheme")
        .annotate(insured=Sum("insured"), joined=Sum("joined"), ended=Sum("ended"))
    )
    found = {(row["period"], row["scheme"]): row for row in rows}
    table = []
    for period in _periods(filters):
        cells = [found.get((period, scheme), {}).get("insured", 0) for scheme in SCHEMES]
        joined = sum(found.get((period, s), {}).get("joined", 0) for s in SCHEMES)
        ended = sum(found.get((period, s), {}).get("ended", 0) for s in SCHEMES)
        table.append((period_format(period), *cells, joined, ended))
    return Figure(
        slug="insured",
        title=_("Insured persons by scheme"),
        columns=(
            Column("period", _("Period"), TEXT),
            *(Column(scheme.value, scheme.label) for scheme in SCHEMES),
            Column("joined", _("Relations begun in the month")),
            Column("ended", _("Relations ended in the month")),
        ),
        rows=table,
        chart="line",
        series=tuple(scheme.value for scheme in SCHEMES),
        note=_(
            "Persons with an insured relation in force in each month, from its start to its end "
            "month; begun and ended count relations."
        ),
    )


def contributions_by_month(filters: Filters) -> Figure:
    rows = (
        subtree(ContributionSummary.objects.filter(period__in=_periods(filters)), filters.agency)
        .values("period")
        .annotate(
            employer=Sum("employer_fen"),
            individual=Sum("individual_fen"),
            paid=Sum("paid_fen"),
            late=Sum("late_fee_fen"),
        )
    )
    found = {row["period"]: row for row in rows}
    table = []
    for period in _periods(filters):
        row = found.get(period, {})
        assessed = row.get("employer", 0) + row.get("individual", 0)
        paid = row.get("paid", 0)
        table.append(
            (
                period_format(period),
                row.get("employer", 0),
                row.get("individual", 0),
                assessed,
                paid,
                assessed - paid,
                _rate(paid, assessed),
            )
        )
    return Figure(
        slug="contributions",
        title=_("Assessed and paid contributions by month"),
        columns=(
            Column("period", _("Period"), TEXT),
            Column("employer", _("Employer part"), YUAN),
            Column("individual", _("Individual part"), YUAN),
            Column("assessed", _("Assessed"), YUAN),
            Column("paid", _("Paid"), YUAN),
            Column("unpaid", _("Not yet paid"), YUAN),
            Column("paid_rate", _("Paid rate"), RATE),
        ),
        rows=table,
        chart="bar",
        series=("assessed", "paid"),
        note=_(
            "Every run's assessment lines of the period (difference lines included); paid: "
            "the lines of bills paid in full."
        ),
    )


def arrears_by_agency(filters: Filters) -> Figure:
    rows = subtree(
        BillSummary.objects.filter(period__in=_periods(filters)), filters.agency
    ).values_list("agency__path", "total_fen", "paid_fen", "outstanding_fen", "unpaid_bills")
    owners = AgencyRows(filters.agency)
    sums: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for path, *values in rows:
        totals = sums[owners.of(path)]
        for position, value in enumerate(values):
            totals[position] += value
    table = []
    for code, label in owners.rows():
        billed, received, outstanding, bills = sums[code]
        table.append((label, billed, received, outstanding, bills, _rate(outstanding, billed)))
    return Figure(
        slug="arrears",
        title=_("Arrears by agency"),
        columns=(
            Column("agency", _("Agency"), TEXT),
            Column("billed", _("Billed"), YUAN),
            Column("received", _("Received"), YUAN),
            Column("outstanding", _("Outstanding"), YUAN),
            Column("unpaid_bills", _("Bills not fully paid")),
            Column("outstanding_rate", _("Outstanding rate"), RATE),
        ),
        rows=table,
        chart="hbar",
        series=("outstanding",),
        note=_(
            "The bills of the chosen months: what each still owes (an overpaid bill owes "
            "nothing). The agency's own row holds the bills it manages itself."
        ),
    )


def retirees_and_payroll(filters: Filters) -> Figure:
    periods = _periods(filters)
    retirees = {
        row["period"]: row
        for row in subtree(RetireeSummary.objects.filter(period__in=periods), filters.agency)
        .values("period")
        .annotate(retirees=Sum("retirees"), new=Sum("new"), suspended=Sum("suspended"))
    }
    payroll = {
        row["period"]: row
        for row in subtree(PayrollSummary.objects.filter(period__in=periods), filters.agency)
        .values("period")
        .annotate(
            pension=Sum("amount_fen", filter=Q(benefit="pension")),
            other=Sum("amount_fen", filter=~Q(benefit="pension")),
            failed=Sum("failed_fen"),
        )
    }
    table = []
    for period in periods:
        r, p = retirees.get(period, {}), payroll.get(period, {})
        pension, other, failed = p.get("pension") or 0, p.get("other") or 0, p.get("failed") or 0
        table.append(
            (
                period_format(period),
                r.get("retirees", 0),
                r.get("new", 0),
                r.get("suspended", 0),
                pension,
                other,
                failed,
                pension + other - failed,
            )
        )
    return Figure(
        slug="payroll",
        title=_("Retirees and payroll"),
        columns=(
            Column("period", _("Period"), TEXT),
            Column("retirees", _("Retirees")),
            Column("new", _("New retirees")),
            Column("suspended", _("Suspended")),
            Column("pensions", _("Pensions sent"), YUAN),
            Column("benefits", _("Other benefits sent"), YUAN),
            Column("failed", _("Returned by the bank"), YUAN),
            Column("paid", _("Paid"), YUAN),
        ),
        rows=table,
        chart="bar",
        series=("paid", "retirees"),
        secondary=("retirees",),
        note=_(
            "Retirees: pensions due in the month. Payroll: what the month's payroll runs "
            "sent to the banks (back pay included), less what the banks returned."
        ),
    )


# --- day figures (cases and tickets) ----------------------------------------------------------


def _cases(filters: Filters) -> QuerySet[Case]:
    low, high = _day_bounds(filters)
    return subtree(Case.objects.filter(created_at__gte=low, created_at__lt=high), filters.agency)


def cases_by_channel(filters: Filters) -> Figure:
    counts = dict(_cases(filters).values_list("channel").annotate(n=Count("id")))
    total = sum(counts.values())
    table = [
        (
            str(channel.label),
            counts.get(channel.value, 0),
            _rate(counts.get(channel.value, 0), total),
        )
        for channel in CaseChannel
    ]
    online = sum(counts.get(channel, 0) for channel in ONLINE_CHANNELS)
    return Figure(
        slug="channels",
        title=_("Cases by channel"),
        columns=(
            Column("channel", _("Channel"), TEXT),
            Column("cases", _("Cases")),
            Column("share", _("Share"), RATE),
        ),
        rows=table,
        chart="pie",
        series=("cases",),
        totals=(str(_("Online rate")), online, _rate(online, total)),
        note=_("Cases opened in the chosen days; online: the portal, the kiosks and the API."),
    )


def cases_by_item(filters: Filters) -> Figure:
    rows = (
        _cases(filters)
        .values("item__code", "item__name")
        .annotate(
            cases=Count("id"),
            online=Count("id", filter=Q(channel__in=ONLINE_CHANNELS)),
            finished=Count("id", filter=Q(status__in=FINISHED_STATUSES)),
        )
        .order_by("-cases", "item__code")[:TOP_ITEMS]
    )
    table = [
        (
            f"{row['item__code']} {row['item__name']}",
            row["cases"],
            row["online"],
            _rate(row["online"], row["cases"]),
            row["finished"],
        )
        for row in rows
    ]
    return Figure(
        slug="items",
        title=_("Cases by service item"),
        columns=(
            Column("item", _("Service item"), TEXT),
            Column("cases", _("Cases")),
            Column("online", _("Online")),
            Column("online_rate", _("Online rate"), RATE),
            Column("finished", _("Finished")),
        ),
        rows=table,
        chart="hbar",
        series=("cases",),
        note=_("The %(n)s items with the most cases opened in the chosen days.") % {"n": TOP_ITEMS},
    )


def workload_ranking(filters: Filters) -> Figure:
    """Cases each clerk accepted, per day worked, with how many went back: returned to the
    applicant (materials missing) or sent back by the reviewer (an error to correct)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    cases = _cases(filters).filter(accepted_by__isnull=False)
    per_clerk = cases.values(
        "accepted_by", "accepted_by__username", "accepted_by__full_name"
    ).annotate(
        cases=Count("id"),
        returned=Count("id", filter=Q(returned_count__gt=0)),
        finished=Count("id", filter=Q(status__in=FINISHED_STATUSES)),
    )
    days = dict(
        cases.annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("accepted_by")
        .annotate(days=Count("day", distinct=True))
        .values_list("accepted_by", "days")
    )
    # The same cases as ``cases``, reached through the events' own join (one pass over the
    # review events, not one per action through an IN subquery).
    low, high = _day_bounds(filters)
    reviewed = subtree(
        CaseEvent.objects.filter(
            case__created_at__gte=low,
            case__created_at__lt=high,
            case__accepted_by__isnull=False,
            action__in=("send_for_review", "send_back"),
        ),
        filters.agency,
        "case__agency",
    )
    sent: dict[int, int] = {}
    errors: dict[int, int] = {}
    for clerk, sent_n, errors_n in (
        reviewed.values("case__accepted_by")
        .annotate(
            sent=Count("case", distinct=True, filter=Q(action="send_for_review")),
            errors=Count("case", distinct=True, filter=Q(action="send_back")),
        )
        .values_list("case__accepted_by", "sent", "errors")
    ):
        if sent_n:
            sent[clerk] = sent_n
        if errors_n:
            errors[clerk] = errors_n
    table = []
    for row in per_clerk:
        clerk = row["accepted_by"]
        name = row["accepted_by__full_name"].strip()
        label = f"{name} ({row['accepted_by__username']})" if name else row["accepted_by__username"]
        worked = days.get(clerk, 0)
        table.append(
            (
                label,
                row["cases"],
                worked,
                round(row["cases"] / worked, 1) if worked else None,
                row["finished"],
                _rate(row["returned"], row["cases"]),
                sent.get(clerk, 0),
                _rate(errors.get(clerk, 0), sent.get(clerk, 0)),
            )
        )
    table.sort(key=lambda r: (-(r[3] or 0), -int(r[1] or 0), str(r[0])))
    return Figure(
        slug="workload",
        title=_("Staff workload ranking"),
        columns=(
            Column("clerk", _("Clerk"), TEXT),
            Column("cases", _("Cases accepted")),
            Column("days", _("Days with cases")),
            Column("per_day", _("Cases per day"), DECIMAL),
            Column("finished", _("Finished")),
            Column("returned_rate", _("Returned to the applicant"), RATE),
            Column("reviewed", _("Sent for review")),
            Column("error_rate", _("Sent back by the reviewer"), RATE),
        ),
        rows=table,
        chart="hbar",
        series=("per_day",),
        note=_(
            "Ranked by cases per day with cases. Sent back: of the cases sent for review, "
            "those the reviewer sent back for correction."
        ),
    )


def queue_wait_by_hour(filters: Filters) -> Figure:
    zone = ZoneInfo(settings.TIME_ZONE)
    tickets = subtree(
        Ticket.objects.filter(service_date__gte=filters.day_from, service_date__lte=filters.day_to),
        filters.agency,
    )
    # One pass over the tickets: the waits are summed by the database (a duration: interval on
    # PostgreSQL, microseconds on SQLite), not row by row in Python.
    wait = ExpressionWrapper(F("called_at") - F("queued_at"), output_field=DurationField())
    rows = (
        tickets.annotate(hour=ExtractHour("taken_at", tzinfo=zone))
        .values("hour")
        .annotate(
            tickets=Count("id"),
            called=Count("id", filter=Q(called_at__isnull=False)),
            waited=Sum(wait),
            longest=Max(wait),
        )
        .order_by("hour")
    )
    table = []
    for row in rows:
        count = row["called"]
        table.append(
            (
                f"{row['hour']:02d}:00",
                row["tickets"],
                count,
                _minutes(row["waited"]) / count if count else None,
                # The longest wait counts from zero (a ticket put back in the queue after its
                # first call has a negative wait).
                max(_minutes(row["longest"]), 0.0) if count else None,
            )
        )
    return Figure(
        slug="queue",
        title=_("Queue waiting time by hour"),
        columns=(
            Column("hour", _("Hour taken"), TEXT),
            Column("tickets", _("Tickets")),
            Column("called", _("Called")),
            Column("average", _("Average wait (minutes)"), DECIMAL),
            Column("longest", _("Longest wait (minutes)"), DECIMAL),
        ),
        rows=table,
        chart="bar",
        series=("average",),
        note=_("Wait: from joining the queue to the first call, for the tickets called."),
    )


def _minutes(duration: timedelta | None) -> float:
    return duration.total_seconds() / 60 if duration is not None else 0.0


def overdue_by_agency(filters: Filters) -> Figure:
    """Cases still running past their due date today, whenever they were opened."""
    late = Q(due_date__lt=filters.today)
    per_agency = (
        subtree(Case.objects.filter(status__in=RUNNING_STATUSES), filters.agency)
        .values("agency__path")
        .annotate(
            running=Count("id"),
            overdue=Count("id", filter=late),
            oldest=Min("due_date", filter=late),
        )
        .values_list("agency__path", "running", "overdue", "oldest")
    )
    owners = AgencyRows(filters.agency)
    running: dict[str, int] = defaultdict(int)
    overdue: dict[str, int] = defaultdict(int)
    oldest: dict[str, date] = {}
    for path, running_n, overdue_n, due in per_agency:
        owner = owners.of(path)
        running[owner] += running_n
        overdue[owner] += overdue_n
        if due is not None:
            oldest[owner] = min(due, oldest.get(owner, due))
    table = [
        (
            label,
            running[code],
            overdue[code],
            _rate(overdue[code], running[code]),
            (filters.today - oldest[code]).days if code in oldest else None,
        )
        for code, label in owners.rows()
    ]
    return Figure(
        slug="overdue",
        title=_("Overdue cases"),
        columns=(
            Column("agency", _("Agency"), TEXT),
            Column("running", _("Running cases")),
            Column("overdue", _("Overdue")),
            Column("overdue_rate", _("Overdue rate"), RATE),
            Column("days_late", _("Most days past due")),
        ),
        rows=table,
        chart="hbar",
        series=("overdue",),
        note=_("Cases submitted, accepted or in review whose due date has passed, today."),
    )


FIGURES = {
    "insured": insured_by_scheme,
    "contributions": contributions_by_month,
    "arrears": arrears_by_agency,
    "payroll": retirees_and_payroll,
    "channels": cases_by_channel,
    "items": cases_by_item,
    "workload": workload_ranking,
    "queue": queue_wait_by_hour,
    "overdue": overdue_by_agency,
}


def figures_of(filters: Filters) -> list[Figure]:
    return [build(filters) for build in FIGURES.values()]


def figure_of(slug: str, filters: Filters) -> Figure:
    build = FIGURES.get(slug)
    if build is None:
        raise OutOfScope()
    return build(filters)


def refreshed_at(filters: Filters) -> datetime | None:
    """When the oldest summary of the chosen months was rebuilt (None: never)."""
    found = SummaryRefresh.objects.filter(period__in=_periods(filters)).aggregate(
        at=Min("refreshed_at")
    )
    return found["at"]
