"""The statistics demo: ninety days of cases and queue tickets fill the dashboard's day
figures within each viewer's scope, every history case and ticket keeps the invariants the
services keep, and seeding again adds nothing."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import pytest
from django.db.models import Max
from django.test import Client
from django.utils import timezone

from shebao.hall.models import Ticket, TicketCounter, TicketStatus
from shebao.reports.demo import MARK, HistoryCounts, seed_history
from shebao.reports.figures import Figure
from shebao.reports.models import InsuredSummary
from shebao.services.handlers import handler_for
from shebao.services.models import Case, CaseChannel, CaseEvent, CaseStatus
from shebao.services.workdays import default_calendar

pytestmark = pytest.mark.django_db

RUNNING = (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW)


def _figures(client: Client) -> dict[str, Figure]:
    response = client.get("/statistics/")
    assert response.status_code == 200
    return {table["figure"].slug: table["figure"] for table in response.context["tables"]}


def _column(figure: Figure, key: str) -> list[Any]:
    index = [column.key for column in figure.columns].index(key)
    return [row[index] for row in figure.rows]


def _clerks(figure: Figure) -> list[str]:
    return [str(label) for label in _column(figure, "clerk")]


def test_the_history_fills_the_day_figures_within_each_viewers_scope(
    demo: None, login: Any, client: Client
) -> None:
    counts = seed_history()
    assert counts.cases > 2000
    assert counts.tickets > 1000

    figures = _figures(login("head_shiyan"))

    channels = dict(
        zip(
            _column(figures["channels"], "channel"),
            _column(figures["channels"], "cases"),
            strict=True,
        )
    )
    assert all(n > 0 for n in channels.values()), channels
    web = channels[str(CaseChannel.WEB.label)]
    assert 0.4 < web / sum(channels.values()) < 0.6

    assert len(figures["items"].rows) >= 15
    workload = figures["workload"]
    clerks = _clerks(workload)
    assert any("clerk_maojian" in c for c in clerks)
    assert any("clerk_zhangwan" in c for c in clerks)
    assert not any("clerk_wuhan" in c for c in clerks)  # Wuhan is not the city's
    returned, sent_back = _column(workload, "returned_rate"), _column(workload, "error_rate")
    assert all(rate is not None for rate in returned + sent_back)
    assert all(0 < rate < 0.2 for rate in returned), returned
    assert all(0 < rate < 0.2 for rate in sent_back), sent_back

    waits = dict(
        zip(_column(figures["queue"], "hour"), _column(figures["queue"], "average"), strict=True)
    )
    assert 2 * float(waits["15:00"]) < float(waits["10:00"])  # the morning rush waits

    assert sum(_column(figures["overdue"], "overdue")) >= 3
    assert InsuredSummary.objects.exists()
    insured = figures["insured"].rows[-1]
    assert sum(cell for cell in insured[1:] if isinstance(cell, int)) > 0

    client.logout()
    district = _clerks(_figures(login("head_maojian"))["workload"])
    assert any("clerk_maojian" in c for c in district)
    assert not any("clerk_zhangwan" in c for c in district)

    cases, events, tickets = Case.objects.count(), CaseEvent.objects.count(), Ticket.objects.count()
    counters = TicketCounter.objects.count()

    assert seed_history() == HistoryCounts()

    assert Case.objects.count() == cases
    assert CaseEvent.objects.count() == events
    assert Ticket.objects.count() == tickets
    assert TicketCounter.objects.count() == counters


def test_the_history_keeps_the_services_invariants(demo: None, login: Any) -> None:
    today = timezone.localdate()
    real_before = Case.objects.aggregate(last=Max("pk"))["last"]
    seed_history()
    calendar = default_calendar()
    history = Case.objects.filter(data__demo=MARK).select_related(
        "item", "agency", "applicant_person", "applicant_employer"
    )
    assert history.count() > 2000
    assert history.filter(pk__lte=real_before).count() == 0
    timeline: dict[int, list[CaseEvent]] = defaultdict(list)
    for event in CaseEvent.objects.filter(case__in=history).order_by("at", "id"):
        timeline[event.case_id].append(event)
    statuses: set[str] = set()
    for case in history:
        local = timezone.localtime(case.created_at).date()
        assert local < today
        assert calendar.is_working_day(local)
        assert re.fullmatch(
            rf"{case.agency.code.replace('-', '')}-{local:%Y%m%d}-{case.pk:07d}", case.receipt_no
        )
        assert case.applicant.managing_agency_id == case.agency_id
        assert case.channel in case.item.channels
        events = timeline[case.pk]
        assert events[0].action == "create"
        assert events[0].from_status == CaseStatus.DRAFT
        for before, after in pairwise(events):
            assert after.from_status == before.to_status, case.receipt_no
        assert events[-1].to_status == case.status
        assert events[0].at == case.created_at
        statuses.add(case.status)
        if case.accepted_at is not None:
            accepted_on = timezone.localtime(case.accepted_at).date()
            if case.item.time_limit_days is not None:
                assert case.due_date == calendar.add_working_days(
                    accepted_on, case.item.time_limit_days
                )
        if case.status in (CaseStatus.APPROVED, CaseStatus.DONE):
            assert case.finished_at is not None
            assert case.finished_at >= case.created_at
        else:
            assert case.finished_at is None
            assert handler_for(case.item.code) is None, case.item.code
        if case.status == CaseStatus.APPROVED:
            assert case.reviewed_by_id not in (case.accepted_by_id, case.prepared_by_id)
            assert case.item.review_required
        if case.status == CaseStatus.RETURNED:
            assert case.returned_count > 0
            assert case.return_reason
    assert {
        CaseStatus.DONE,
        CaseStatus.APPROVED,
        CaseStatus.RETURNED,
        CaseStatus.IN_REVIEW,
    } <= statuses
    assert CaseEvent.objects.filter(case__in=history, action="send_back").exclude(note="").exists()
    overdue = history.filter(status__in=RUNNING, due_date__lt=today)
    assert 3 <= overdue.count() <= 30

    # Each day's tickets are numbered 1, 2, 3… per category, as far as the day's counter.
    tickets = Ticket.objects.filter(service_date__lt=today)
    numbers: dict[tuple[int, date, str], list[int]] = defaultdict(list)
    for ticket in tickets:
        numbers[(ticket.agency_id, ticket.service_date, ticket.category)].append(ticket.number)
        assert ticket.code == f"{ticket.category}{ticket.number:03d}"
        assert ticket.status in (TicketStatus.DONE, TicketStatus.SKIPPED)
        assert ticket.called_at is not None
        assert ticket.called_at > ticket.queued_at
        assert ticket.finished_at is not None
        assert ticket.finished_at > ticket.called_at
        if ticket.status == TicketStatus.DONE:
            assert ticket.started_at is not None
            assert ticket.served_by_id is not None
            assert ticket.window is not None
            assert ticket.window.agency_id == ticket.agency_id
    last = {
        (c.agency_id, c.service_date, c.category): c.last
        for c in TicketCounter.objects.filter(service_date__lt=today)
    }
    assert last.keys() == numbers.keys()
    for key, given in numbers.items():
        assert sorted(given) == list(range(1, last[key] + 1)), key
    assert Ticket.cases.through.objects.filter(case__in=history).exists()

    # The history's cases open like any other: the clerk sees a running one and a finished one.
    clerk = login("clerk_maojian")
    mine = history.filter(agency__code="420302")
    shown = [
        mine.filter(status=CaseStatus.APPROVED).first(),
        mine.filter(status=CaseStatus.RETURNED).first(),
        mine.filter(status__in=RUNNING).order_by("due_date").first(),
    ]
    for opened in shown:
        assert opened is not None
        assert clerk.get(f"/cases/{opened.pk}/").status_code == 200
    oldest = history.order_by("created_at")[0]
    assert today - timedelta(days=91) < timezone.localtime(oldest.created_at).date()
