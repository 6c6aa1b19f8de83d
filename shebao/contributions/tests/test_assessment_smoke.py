from __future__ import annotations

import pytest

from shebao.contributions.models import AssessmentLine, Bill
from shebao.contributions.services.assessments import (
    assessment_run_create,
    assessment_run_execute,
)
from shebao.contributions.tests.factories import employer_make, person_make, relations_make


@pytest.mark.django_db
def test_smoke(agency, system):
    maojian = agency("420302")
    employer = employer_make(maojian)
    for _ in range(3):
        relations_make(person_make(maojian), employer, agency=maojian)
    run = assessment_run_create(actor=system, period=202510, agency=maojian)
    run = assessment_run_execute(run, actor=system)
    print(
        run.totals,
        list(AssessmentLine.objects.filter(run=run).values()),
        list(Bill.objects.values()),
    )
    assert run.status == "done"
