"""Annual base declaration: clamping, the case and its approval, refusals; flexible choice."""

from __future__ import annotations

from datetime import date

import pytest

from shebao.contributions.models import AssessmentLine, ContributionBase
from shebao.contributions.services.assessments import (
    assessment_run_create,
    assessment_run_execute,
)
from shebao.contributions.services.bases import (
    WageRow,
    base_declaration_request,
    clamp_summary,
    flexible_base_request,
)
from shebao.contributions.tests.factories import employer_make, person_make, relations_make
from shebao.core.errors import RuleViolation
from shebao.core.models import AuditEntry
from shebao.services.models import CaseStatus
from shebao.services.services import case_transition

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 27)


def approve(case, actor_of):
    case = case_transition(actor=actor_of("clerk_maojian"), case=case, action="send_for_review")
    return case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")


@pytest.fixture
def staff(maojian):
    employer = employer_make(maojian)
    people = [person_make(maojian) for _ in range(3)]
    for person in people:
        relations_make(person, employer, agency=maojian, start=202401)
    return employer, people


def test_wages_are_clamped_to_the_floor_and_cap_and_stored_on_approval(actor_of, staff):
    employer, (low, middle, high) = staff
    rows = [
        WageRow(low.resident_id, 300000),  # 3,000.00 → floor 4,299.00
        WageRow(middle.resident_id, 812345),
        WageRow(high.resident_id, 3000000),  # 30,000.00 → cap 21,678.00
    ]

    case = base_declaration_request(
        actor=actor_of("clerk_maojian"), employer=employer, year=2025, rows=rows, today=TODAY
    )

    shown = {b["resident_id"]: b for b in case.data["bases"]}
    assert (shown[low.resident_id]["base_fen"], shown[low.resident_id]["clamp"]) == (
        429900,
        "floor",
    )
    assert (shown[middle.resident_id]["base_fen"], shown[middle.resident_id]["clamp"]) == (
        812345,
        "",
    )
    assert (shown[high.resident_id]["base_fen"], shown[high.resident_id]["clamp"]) == (
        2167800,
        "cap",
    )
    assert clamp_summary(case.data["bases"]) == {"floor": 1, "cap": 1, "within": 1}
    assert not ContributionBase.objects.filter(person=low).exists()  # not before approval

    case = approve(case, actor_of)

    assert case.status == CaseStatus.APPROVED
    stored = ContributionBase.objects.filter(person=low, year=2025)
    assert sorted(stored.values_list("scheme", flat=True)) == [
        "pension",
        "unemployment",
        "work_injury",
    ]
    assert set(stored.values_list("base_fen", flat=True)) == {429900}
    assert ContributionBase.objects.get(person=high, scheme="pension", year=2025).clamp == "cap"


def test_the_assessment_uses_the_approved_base(actor_of, system, staff, maojian):
    employer, (person, *_rest) = staff
    case = base_declaration_request(
        actor=actor_of("clerk_maojian"),
        employer=employer,
        year=2025,
        rows=[WageRow(person.resident_id, 650000)],
        today=TODAY,
    )
    approve(case, actor_of)

    run = assessment_run_create(actor=system, period=202510, agency=maojian)
    assessment_run_execute(run, actor=system)

    line = AssessmentLine.objects.get(person=person, scheme="pension")
    assert (line.base_source, line.base_fen, line.individual_fen) == ("declared", 650000, 52000)


def test_a_second_declaration_in_the_year_replaces_the_base(actor_of, staff):
    employer, (person, *_rest) = staff
    clerk = actor_of("clerk_maojian")
    for wage in (500000, 520000):
        case = base_declaration_request(
            actor=clerk,
            employer=employer,
            year=2025,
            rows=[WageRow(person.resident_id, wage)],
            today=TODAY,
        )
        approve(case, actor_of)
    assert ContributionBase.objects.get(person=person, scheme="pension", year=2025).base_fen == (
        520000
    )
    # One audit entry per approval, naming the base it replaced and the one it set.
    entry = AuditEntry.objects.filter(action="contribution_base.set").order_by("-id").first()
    assert entry is not None
    assert (entry.before or {})["base_fen"][f"{person.pk}:pension"] == 500000
    assert (entry.after or {})["base_fen"][f"{person.pk}:pension"] == 520000


def test_bad_rows_refuse_the_whole_form_naming_each_row(actor_of, staff, maojian):
    employer, (person, other, _third) = staff
    stranger = person_make(maojian)
    rows = [
        WageRow(person.resident_id, 500000),
        WageRow(other.resident_id, -1),
        WageRow(person.resident_id, 500000),
        WageRow(stranger.resident_id, 500000),
        WageRow("420302199001011234", 500000),
    ]

    with pytest.raises(RuleViolation) as refused:
        base_declaration_request(
            actor=actor_of("clerk_maojian"), employer=employer, year=2025, rows=rows, today=TODAY
        )

    assert refused.value.code == "BASE-ROWS-INVALID"
    assert refused.value.params["count"] == 4
    text = refused.value.params["rows"]
    assert "#2 BASE-WAGE-NEGATIVE" in text
    assert "#3 BASE-DUPLICATE-ROW" in text
    assert "#4 BASE-NOT-INSURED-HERE" in text
    assert "#5 " in text
    assert not ContributionBase.objects.filter(person__in=[person, other, stranger]).exists()


def test_a_year_far_away_is_refused(actor_of, staff):
    employer, (person, *_rest) = staff
    with pytest.raises(RuleViolation) as refused:
        base_declaration_request(
            actor=actor_of("clerk_maojian"),
            employer=employer,
            year=2015,
            rows=[WageRow(person.resident_id, 500000)],
            today=TODAY,
        )
    assert refused.value.code == "BASE-YEAR"


def test_an_unpublished_floor_refuses_the_declaration(actor_of, staff):
    employer, (person, *_rest) = staff
    with pytest.raises(RuleViolation) as refused:
        base_declaration_request(
            actor=actor_of("clerk_maojian"),
            employer=employer,
            year=2024,  # Shiyan's 2024 floor is not in our sources: a null placeholder
            rows=[WageRow(person.resident_id, 500000)],
            today=TODAY,
        )
    assert refused.value.code == "PARAM-VALUE-UNPUBLISHED"


def test_another_district_cannot_declare_for_the_employer(actor_of, staff):
    employer, (person, *_rest) = staff
    with pytest.raises(RuleViolation) as refused:
        base_declaration_request(
            actor=actor_of("clerk_zhangwan"),
            employer=employer,
            year=2025,
            rows=[WageRow(person.resident_id, 500000)],
            today=TODAY,
        )
    assert refused.value.code == "CORE-SCOPE"


def test_a_flexible_worker_chooses_a_base_within_the_range(actor_of, maojian):
    person = person_make(maojian)
    relations_make(person, None, agency=maojian, schemes=["pension"], start=202501)
    clerk = actor_of("clerk_maojian")

    with pytest.raises(RuleViolation) as refused:
        flexible_base_request(actor=clerk, person=person, year=2025, base_fen=400000, today=TODAY)
    assert refused.value.code == "CON-FLEX-BASE-RANGE"

    case = flexible_base_request(
        actor=clerk, person=person, year=2025, base_fen=600000, today=TODAY
    )
    approve(case, actor_of)

    base = ContributionBase.objects.get(person=person, scheme="pension", year=2025)
    assert (base.source, base.base_fen) == ("flexible", 600000)


def test_an_employee_cannot_choose_a_flexible_base(actor_of, staff):
    _employer, (person, *_rest) = staff
    with pytest.raises(RuleViolation) as refused:
        flexible_base_request(
            actor=actor_of("clerk_maojian"), person=person, year=2025, base_fen=600000, today=TODAY
        )
    assert refused.value.code == "BASE-NOT-FLEXIBLE"
