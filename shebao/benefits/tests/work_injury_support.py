"""Injured workers for the work-injury tests: a Maojian employee insured since 2024 with the
work-injury contribution months of the year before the injury, and the cases that record the
injury and its assessment made by a clerk and approved by a reviewer."""

from __future__ import annotations

from datetime import date

from shebao.benefits.models import Injury, WorkAbilityAssessment
from shebao.benefits.services.work_injury import InjuryRecord, injury_request
from shebao.benefits.services.work_injury_assessment import AssessmentRecord, assessment_request
from shebao.benefits.tests.retirement_factories import retiree_make
from shebao.contributions.models import HistoricalContribution
from shebao.contributions.tests.factories import employer_make, relations_make
from shebao.core.actors import staff_actor
from shebao.core.models import Agency
from shebao.core.periods import period_range
from shebao.registry.models import Employer, Person
from shebao.services.models import Case
from shebao.services.services import case_transition

CLERK = "clerk_maojian"
REVIEWER = "reviewer_maojian"


def worker_make(
    agency: Agency, *, base_fen: int = 600_000, first: int = 202503, last: int = 202602
) -> tuple[Person, Employer]:
    """Insured in all three schemes since 2024-01; work-injury months ``first``–``last`` at
    ``base_fen`` from the city system."""
    person = retiree_make(agency, birth=date(1985, 5, 5))
    employer = employer_make(agency)
    relations_make(person, employer, agency=agency, start=202401)
    HistoricalContribution.objects.bulk_create(
        HistoricalContribution(
            person_id=person.pk, scheme="work_injury", period=p, base_fen=base_fen, source="tests"
        )
        for p in period_range(first, last)
    )
    return person, employer


def approve(case: Case) -> Case:
    case = case_transition(actor=staff_actor(CLERK), case=case, action="send_for_review")
    return case_transition(actor=staff_actor(REVIEWER), case=case, action="approve")


_decisions = iter(range(1, 10_000))


def injury_make(
    person: Person,
    employer: Employer,
    *,
    injured_on: date = date(2026, 3, 10),
    fatal: bool = False,
    died_on: date | None = None,
) -> Injury:
    case = injury_request(
        actor=staff_actor(CLERK),
        person=person,
        record=InjuryRecord(
            decision_no=f"测试工认〔2026〕{next(_decisions)}号",
            decided_on=date(2026, 6, 1),
            injured_on=injured_on,
            employer_id=employer.pk,
            description="搬运货物时摔伤",
            fatal=fatal,
            died_on=died_on,
        ),
    )
    approve(case)
    return Injury.objects.get(case_id=case.pk)


def assessment_make(
    injury: Injury, level: int, dependence: str = "none", concluded_on: date = date(2026, 9, 15)
) -> WorkAbilityAssessment:
    case = assessment_request(
        actor=staff_actor(CLERK),
        injury=injury,
        record=AssessmentRecord(
            conclusion_no=f"测试劳鉴〔2026〕{next(_decisions)}号",
            concluded_on=concluded_on,
            level=level,
            dependence=dependence,
        ),
    )
    approve(case)
    return WorkAbilityAssessment.objects.get(
        injury=injury, conclusion_no=case.data["record"]["conclusion_no"]
    )
