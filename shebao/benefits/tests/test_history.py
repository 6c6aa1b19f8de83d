"""The contribution history retirement counts: paid assessment months and historical months
once each (the assessment line wins), deemed months only before 1996 and from age 16, and
the average contribution index to 4 places, half-up."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest

from shebao.benefits.services.history import contribution_history
from shebao.benefits.tests.retirement_factories import WithValues, history_make, retiree_make, value
from shebao.contributions.models import AssessmentLine
from shebao.contributions.tests.factories import employer_make, relations_make
from shebao.core.errors import RuleViolation
from shebao.core.models import BatchRun
from shebao.registry.models import InsuredRelation

pytestmark = pytest.mark.django_db


@pytest.fixture
def maojian(agency):
    return agency("420302")


@pytest.fixture
def source():
    return WithValues(
        value("wage.reference_average_monthly", "420300", date(2000, 1, 1), "3000.00"),
        value("wage.reference_average_monthly", "420300", date(2024, 1, 1), "6000.00"),
    )


def lines(person, agency, bases: dict[int, int], *, paid: bool = True) -> None:
    relation = InsuredRelation.objects.filter(person=person, scheme="pension").first()
    if relation is None:
        (relation,) = relations_make(
            person, employer_make(agency), agency=agency, start=202401, schemes=["pension"]
        )
    run = BatchRun.objects.create(kind="test_lines", agency=agency, actor_label="tests")
    AssessmentLine.objects.bulk_create(
        AssessmentLine(
            run=run,
            period=period,
            relation=relation,
            person_id=person.pk,
            employer=relation.employer,
            agency=agency,
            scheme="pension",
            kind=relation.kind,
            base_source="declared",
            base_fen=base,
            employer_fen=base * 16 // 100,
            individual_fen=base * 8 // 100,
            account_credit_fen=base * 8 // 100,
            paid_on=dt.date(period // 100, period % 100, 20) if paid else None,
        )
        for period, base in bases.items()
    )


def test_months_from_both_sources_counted_once_and_the_line_wins(maojian, source):
    person = retiree_make(maojian, birth=date(1965, 1, 20))
    history_make(person, 200001, 200012, 300_000)  # 12 months at index 1.0
    history_make(person, 202401, 202403, 600_000)  # overlaps the lines below
    lines(person, maojian, {202402: 1_200_000, 202403: 1_200_000, 202404: 1_200_000})
    lines(person, maojian, {202405: 1_200_000}, paid=False)  # unpaid: not a month
    summary = contribution_history(
        person=person, through=202412, deemed_months=0, region="420302", source=source
    )
    assert (summary.contributed_months, summary.from_assessment, summary.from_history) == (
        16,
        3,
        13,
    )
    # 12 × 1.0 + 202401 at 1.0 + 3 lines at 2.0 = 19 / 16 = 1.1875
    assert summary.average_index == "1.1875"
    assert (summary.first_month, summary.last_month) == (200001, 202404)
    assert [(y.year, y.months, y.index_sum) for y in summary.years] == [
        (2000, 12, "12.0000"),
        (2024, 4, "7.0000"),
    ]


def test_index_is_rounded_half_up_to_four_places(maojian, source):
    person = retiree_make(maojian, birth=date(1965, 1, 20))
    # 3 months: 1.0, 1.0, and 1,000.15 / 3,000 = 0.33338333…; mean 0.77779444… → 0.7778
    history_make(person, 200001, 200002, 300_000)
    history_make(person, 200003, 200003, 100_015)
    summary = contribution_history(
        person=person, through=202412, deemed_months=0, region="420302", source=source
    )
    assert summary.average_index == "0.7778"
    assert summary.trace[-2]["rule"] == "RET-INDEX"
    assert "half-up to 4 places" in summary.trace[-2]["description"]


def test_months_after_the_retirement_month_do_not_count(maojian, source):
    person = retiree_make(maojian, birth=date(1965, 1, 20))
    history_make(person, 202401, 202412, 600_000)
    summary = contribution_history(
        person=person, through=202406, deemed_months=0, region="420302", source=source
    )
    assert summary.contributed_months == 6


def test_deemed_months_reach_only_from_age_16_to_1995(maojian, source):
    # Born 1978-03: 16 in 1994-03, so 1994-03 … 1995-12 = 22 months at most.
    person = retiree_make(maojian, birth=date(1978, 3, 5))
    summary = contribution_history(
        person=person, through=202412, deemed_months=22, region="420302", source=source
    )
    assert (summary.deemed_months, summary.total_months) == (22, 22)
    with pytest.raises(RuleViolation) as refused:
        contribution_history(
            person=person, through=202412, deemed_months=23, region="420302", source=source
        )
    assert refused.value.code == "RET-DEEMED-TOO-MANY"
    assert refused.value.params["available"] == 22


def test_nobody_born_after_1979_has_deemed_months(maojian, source):
    person = retiree_make(maojian, birth=date(1980, 1, 5))  # 16 in 1996-01
    with pytest.raises(RuleViolation) as refused:
        contribution_history(
            person=person, through=202412, deemed_months=1, region="420302", source=source
        )
    assert refused.value.params["available"] == 0
