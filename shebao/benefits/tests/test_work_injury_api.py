"""The work-injury API: an injury with its benefits, the disability preview (nothing
written), 404 outside the caller's subtree."""

from __future__ import annotations

from datetime import date

import pytest

from shebao.benefits.models import Benefit, WorkAbilityAssessment
from shebao.benefits.services.work_injury_benefits import disability_request
from shebao.benefits.tests.test_pension_pages import bearer
from shebao.benefits.tests.work_injury_support import (
    CLERK,
    approve,
    assessment_make,
    injury_make,
    worker_make,
)
from shebao.core.actors import staff_actor
from shebao.services.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def injury(agency):
    return injury_make(*worker_make(agency("420302"), base_fen=600_000))


def test_injury_with_its_benefits(client, injury):
    assessment = assessment_make(injury, 3, "major")
    approve(disability_request(actor=staff_actor(CLERK), injury=injury, assessment=assessment))
    response = client.get(f"/api/v1/injuries/{injury.pk}", headers=bearer(CLERK))
    assert response.status_code == 200
    body = response.json()
    assert (body["decision_no"], body["own_wage_fen"]) == (injury.decision_no, 600_000)
    assert body["resident_id"].count("*") > 0
    assert [(b["kind"], b["monthly_fen"], b["payer"]) for b in body["benefits"]] == [
        ("disability_lump_sum", 13_800_000, "fund"),  # 23 × 6,000.00
        ("disability_allowance", 480_000, "fund"),  # 80 %
        ("nursing_allowance", 289_040, "fund"),  # 40 % of 7,226.00
    ]
    assert [a["level"] for a in body["assessments"]] == [3]
    assert [c["item"] for c in body["cases"]] == ["SBRG017", "SBRG018", "SBBN032"]
    assert body["own_wage"]["trace"][-1]["rule"] == "WI-OWN-WAGE-CLAMP"


def test_disability_preview_writes_nothing(client, injury):
    assessment = assessment_make(injury, 1, "full")
    cases = Case.objects.count()
    response = client.post(
        f"/api/v1/injuries/{injury.pk}/disability-preview",
        {"assessment_id": assessment.pk},
        content_type="application/json",
        headers=bearer(CLERK),
    )
    assert response.status_code == 200
    figures = response.json()["figures"]
    assert (figures["lump_sum_fen"], figures["allowance_fen"], figures["nursing_fen"]) == (
        16_200_000,
        540_000,
        361_300,
    )
    assert Case.objects.count() == cases
    assert not Benefit.objects.filter(person=injury.person).exists()


def test_out_of_scope_and_foreign_assessments_answer_404(client, injury, agency):
    assert (
        client.get(f"/api/v1/injuries/{injury.pk}", headers=bearer("clerk_zhangwan")).status_code
        == 404
    )
    other = injury_make(*worker_make(agency("420302")))
    foreign = assessment_make(other, 4)
    response = client.post(
        f"/api/v1/injuries/{injury.pk}/disability-preview",
        {"assessment_id": foreign.pk},
        content_type="application/json",
        headers=bearer(CLERK),
    )
    assert response.status_code == 404
    assert response.json()["code"] == "CORE-SCOPE"


def test_a_fatal_injury_preview_is_refused_with_its_code(client, agency):
    fatal = injury_make(
        *worker_make(agency("420302")),
        injured_on=date(2026, 5, 18),
        fatal=True,
        died_on=date(2026, 5, 19),
    )
    assessment = WorkAbilityAssessment.objects.create(
        injury=fatal, conclusion_no="N", concluded_on=date(2026, 9, 1), level=1, dependence="full"
    )
    response = client.post(
        f"/api/v1/injuries/{fatal.pk}/disability-preview",
        {"assessment_id": assessment.pk},
        content_type="application/json",
        headers=bearer(CLERK),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "WI-INJURY-FATAL-CLAIM"
