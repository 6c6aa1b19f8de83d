"""Every dashboard figure equals a direct count or sum over the records it names, within the
chosen agency's subtree; the summaries are rebuilt from the demo's records first."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from shebao.benefits.models import PayrollLine, Pension
from shebao.contributions.models import AssessmentLine, Bill
from shebao.contributions.tests.factories import employer_make, person_make, relations_make
from shebao.core.models import Agency, BatchRun
from shebao.core.periods import period_format, period_of, period_range
from shebao.hall.models import Ticket
from shebao.registry.models import InsuredRelation, Scheme
from shebao.reports import selectors as s
from shebao.reports.figures import Figure, Filters
from shebao.reports.models import InsuredSummary
from shebao.reports.refresh import summaries_refresh
from shebao.services.models import Case, CaseEvent

# The demo's day figures (cases, tickets) are made relative to the real clock, so "today" is
# the real one; the months run from January 2026, which holds the demo's assessments.
TODAY = timezone.localdate()
START, END = 202601, max(202612, period_of(TODAY))
PERIODS = period_range(START, END)


@pytest.fixture
def refreshed(demo) -> None:
    summaries_refresh(PERIODS)


def filters_of(code: str) -> Filters:
    return Filters(Agency.objects.get(code=code), START, END, TODAY)


def in_subtree(code: str, field: str = "agency") -> Q:
    return Q(**{f"{field}__path__startswith": Agency.objects.get(code=code).path})


def table(figure: Figure) -> list[tuple[Any, ...]]:
    """The figure's rows, read by the tests without narrowing each cell's type."""
    return [tuple(row) for row in figure.rows]


def rows_by_first(figure: Figure) -> dict[Any, dict[str, Any]]:
    keys = [column.key for column in figure.columns]
    return {row[0]: dict(zip(keys, row, strict=True)) for row in table(figure)}


@pytest.mark.parametrize("code", ["420000", "420300", "420302"])
def test_insured_persons_are_the_relations_in_force_each_month(refreshed, code) -> None:
    figure = s.insured_by_scheme(filters_of(code))
    rows = rows_by_first(figure)
    relations = InsuredRelation.objects.filter(in_subtree(code))
    assert relations.exists()
    for period in PERIODS:
        in_force = relations.filter(start_period__lte=period).filter(
            Q(end_period__isnull=True) | Q(end_period__gte=period)
        )
        row = rows[period_format(period)]
        for scheme in Scheme:
            persons = in_force.filter(scheme=scheme).values("agency", "kind", "person")
            assert row[scheme.value] == persons.distinct().count()
        assert row["joined"] == in_force.filter(start_period=period).count()
        assert row["ended"] == in_force.filter(end_period=period).count()


@pytest.mark.parametrize("code", ["420000", "420302"])
def test_contributions_are_the_sums_of_the_assessment_lines(refreshed, code) -> None:
    rows = rows_by_first(s.contributions_by_month(filters_of(code)))
    lines = AssessmentLine.objects.filter(in_subtree(code))
    assert lines.exists()
    for period in PERIODS:
        of_period = lines.filter(period=period)
        sums = of_period.aggregate(e=Sum("employer_fen"), i=Sum("individual_fen"))
        paid = of_period.filter(paid_on__isnull=False).aggregate(
            e=Sum("employer_fen"), i=Sum("individual_fen")
        )
        row = rows[period_format(period)]
        assert row["employer"] == (sums["e"] or 0)
        assert row["individual"] == (sums["i"] or 0)
        assert row["assessed"] == (sums["e"] or 0) + (sums["i"] or 0)
        assert row["paid"] == (paid["e"] or 0) + (paid["i"] or 0)
        assert row["unpaid"] == row["assessed"] - row["paid"]


def test_arrears_are_what_each_agency_s_bills_still_owe(refreshed) -> None:
    city = Agency.objects.get(code="420300")
    rows = {row[0].split()[0]: row for row in table(s.arrears_by_agency(filters_of("420300")))}
    assert set(rows) == {
        "420300",
        *Agency.objects.filter(parent=city).values_list("code", flat=True),
    }
    owing = 0
    for code, row in rows.items():
        if code == "420300":
            bills = Bill.objects.filter(agency=city)
        else:
            bills = Bill.objects.filter(in_subtree(code))
        bills = bills.filter(period__in=PERIODS)
        outstanding = sum(b.outstanding_fen for b in bills)
        owing += outstanding
        assert row[1] == sum(b.total_fen for b in bills)
        assert row[2] == sum(b.paid_fen for b in bills)
        assert row[3] == outstanding
        assert row[4] == bills.filter(payment_status__in=["unpaid", "partly_paid"]).count()
    assert owing > 0, "the demo has unpaid bills in Shiyan"


@pytest.mark.parametrize("code", ["420300", "420302"])
def test_retirees_and_payroll_are_the_pensions_due_and_the_lines_paid(refreshed, code) -> None:
    rows = rows_by_first(s.retirees_and_payroll(filters_of(code)))
    pensions = Pension.objects.filter(in_subtree(code))
    runs = BatchRun.objects.filter(kind="pension_payroll")
    assert pensions.exists()
    for period in PERIODS:
        due = pensions.filter(start_period__lte=period).filter(
            Q(end_period__isnull=True) | Q(end_period__gte=period)
        )
        lines = PayrollLine.objects.filter(
            in_subtree(code), run_id__in=runs.filter(period=period).values("pk")
        )
        sent = sum(line.amount_fen for line in lines)
        failed = sum(line.amount_fen for line in lines if line.status == "failed")
        row = rows[period_format(period)]
        assert row["retirees"] == due.count()
        assert row["new"] == due.filter(start_period=period).count()
        assert row["pensions"] + row["benefits"] == sent
        assert row["pensions"] == sum(line.amount_fen for line in lines if line.pension_id)
        assert row["paid"] == sent - failed
    assert any(row["paid"] for row in rows.values()), "the demo paid pensions"


def cases_of(code: str) -> QuerySet[Case]:
    low, high = s._day_bounds(filters_of(code))
    return Case.objects.filter(in_subtree(code), created_at__gte=low, created_at__lt=high)


@pytest.mark.parametrize("code", ["420000", "420302"])
def test_cases_by_channel_count_the_cases_opened(demo, code) -> None:
    figure = s.cases_by_channel(filters_of(code))
    counted = Counter(cases_of(code).values_list("channel", flat=True))
    assert sum(row[1] for row in table(figure)) == sum(counted.values()) > 0
    online = counted["web"] + counted["kiosk"] + counted["api"]
    assert figure.totals is not None
    assert figure.totals[1] == online
    assert figure.totals[2] == online / sum(counted.values())


def test_cases_by_item_count_each_item_s_cases(demo) -> None:
    figure = s.cases_by_item(filters_of("420000"))
    counted = Counter(cases_of("420000").values_list("item__code", flat=True))
    assert table(figure)
    for row in table(figure):
        assert row[1] == counted[str(row[0]).split()[0]]
    assert [row[1] for row in table(figure)] == sorted(
        (row[1] for row in table(figure)), reverse=True
    )


def test_the_workload_ranking_counts_each_clerk_s_cases_and_their_returns(demo) -> None:
    figure = s.workload_ranking(filters_of("420000"))
    cases = cases_of("420000").filter(accepted_by__isnull=False)
    assert table(figure)
    for row in table(figure):
        username = str(row[0]).rsplit("(", 1)[-1].rstrip(")")
        own = cases.filter(accepted_by__username=username)
        assert row[1] == own.count()
        days = {c.created_at.astimezone(s.ZoneInfo("Asia/Shanghai")).date() for c in own}
        assert row[2] == len(days)
        assert row[5] == own.filter(returned_count__gt=0).count() / own.count()
        reviewed = CaseEvent.objects.filter(case__in=own, action="send_for_review")
        sent_back = CaseEvent.objects.filter(case__in=own, action="send_back")
        assert row[6] == reviewed.values("case").distinct().count()
        if row[6]:
            assert row[7] == sent_back.values("case").distinct().count() / row[6]
    per_day = [row[3] for row in table(figure)]
    assert per_day == sorted(per_day, reverse=True)


def test_a_district_ranks_only_its_own_clerks(demo) -> None:
    def clerks(code: str) -> set[str]:
        return {str(row[0]) for row in s.workload_ranking(filters_of(code)).rows}

    assert any("clerk_zhangwan" in label for label in clerks("420000"))
    assert any("clerk_maojian" in label for label in clerks("420302"))
    assert not any("clerk_zhangwan" in label for label in clerks("420302"))


def test_queue_waits_by_hour_are_the_called_tickets_waits(demo) -> None:
    figure = s.queue_wait_by_hour(filters_of("420000"))
    tickets = Ticket.objects.filter(
        service_date__gte=filters_of("420000").day_from, service_date__lte=TODAY
    )
    zone = s.ZoneInfo("Asia/Shanghai")
    assert sum(row[1] for row in table(figure)) == tickets.count() > 0
    for row in table(figure):
        hour = int(str(row[0])[:2])
        taken = [t for t in tickets if t.taken_at.astimezone(zone).hour == hour]
        called = [t for t in taken if t.called_at is not None]
        assert row[1] == len(taken)
        assert row[2] == len(called)
        waits = [(t.called_at - t.queued_at).total_seconds() / 60 for t in called if t.called_at]
        if waits:
            assert row[3] == pytest.approx(sum(waits) / len(waits))
            assert row[4] == pytest.approx(max(waits))
        else:
            assert row[3] is None


def test_overdue_cases_are_the_running_cases_past_their_due_date(demo) -> None:
    rows = {str(row[0]).split()[0]: row for row in table(s.overdue_by_agency(filters_of("420000")))}
    running = Case.objects.filter(status__in=["submitted", "accepted", "in_review"])
    for code, row in rows.items():
        agency = Agency.objects.get(code=code)
        own = (
            running.filter(agency=agency) if code == "420000" else running.filter(in_subtree(code))
        )
        assert row[1] == own.count()
        assert row[2] == own.filter(due_date__lt=TODAY).count()
    assert sum(row[1] for row in rows.values()) == running.count() > 0


def test_a_refresh_rerun_writes_the_same_rows(refreshed) -> None:
    before = sorted(
        InsuredSummary.objects.values_list("period", "agency", "scheme", "kind", "insured")
    )
    summaries_refresh(PERIODS)
    after = sorted(
        InsuredSummary.objects.values_list("period", "agency", "scheme", "kind", "insured")
    )
    assert before
    assert before == after


def test_a_change_of_employer_counts_the_person_once_in_its_month(demo) -> None:
    zone = Agency.objects.get(code="420300-01")
    person = person_make(zone)
    relations_make(person, employer_make(zone), agency=zone, start=202601, end=202605)
    relations_make(person, employer_make(zone), agency=zone, start=202605)
    summaries_refresh([202604, 202605, 202606])
    zone_filters = Filters(zone, 202604, 202606, TODAY)
    before = {row[0]: row for row in table(s.insured_by_scheme(zone_filters))}
    InsuredRelation.objects.filter(person=person).delete()
    summaries_refresh([202604, 202605, 202606])
    after = {row[0]: row for row in table(s.insured_by_scheme(zone_filters))}
    for month in ("2026-04", "2026-05", "2026-06"):
        assert before[month][1] - after[month][1] == 1  # pension: one person
    assert before["2026-05"][4] - after["2026-05"][4] == 3  # three relations begun
    assert before["2026-05"][5] - after["2026-05"][5] == 3  # three relations ended
