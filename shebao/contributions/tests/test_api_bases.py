"""/api/v1/base-declarations and /contribution-bases: the counter's rules, masked answers."""

from __future__ import annotations

import pytest

from shebao.contributions.models import ContributionBase
from shebao.contributions.tests.conftest import base_set
from shebao.contributions.tests.factories import employer_make, person_make, relations_make
from shebao.core.actors import system_actor
from shebao.core.models import User
from shebao.core.services import api_token_issue

pytestmark = pytest.mark.django_db


def bearer(username: str) -> dict[str, str]:
    _row, token = api_token_issue(actor=system_actor("t"), user=User.objects.get(username=username))
    return {"Authorization": f"Bearer {token}"}


def test_a_declaration_through_the_api_is_clamped_and_opens_a_case(client, maojian):
    employer = employer_make(maojian)
    low, high = person_make(maojian), person_make(maojian)
    for person in (low, high):
        relations_make(person, employer, agency=maojian, start=202501)

    response = client.post(
        "/api/v1/base-declarations",
        {
            "employer": employer.credit_code,
            "year": 2026,
            "rows": [
                {"resident_id": low.resident_id, "wage_fen": 250000},
                {"resident_id": high.resident_id, "wage_fen": 9000000},
            ],
        },
        content_type="application/json",
        headers=bearer("clerk_maojian"),
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["case"]["item"], body["case"]["channel"]) == ("SBCL002", "api")
    assert (body["floor"], body["cap"], body["within"]) == (1, 1, 0)
    assert sorted(b["base_fen"] for b in body["bases"]) == [429900, 2167800]
    assert all("*" in b["resident_id"] for b in body["bases"])


def test_bad_rows_answer_400_with_the_rule_code(client, maojian):
    employer = employer_make(maojian)
    response = client.post(
        "/api/v1/base-declarations",
        {"employer": employer.credit_code, "year": 2026, "rows": []},
        content_type="application/json",
        headers=bearer("clerk_maojian"),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "BASE-NOTHING"


def test_a_reviewer_is_refused_before_the_rows_are_checked(client, maojian):
    """Declaring is the counter's (accept); a reviewer learns that, not what the rows lack."""
    employer = employer_make(maojian)
    response = client.post(
        "/api/v1/base-declarations",
        {"employer": employer.credit_code, "year": 2026, "rows": []},
        content_type="application/json",
        headers=bearer("reviewer_maojian"),
    )
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "CORE-PERMISSION"


def test_another_district_gets_404(client, maojian):
    employer = employer_make(maojian)
    response = client.get(
        f"/api/v1/contribution-bases?employer={employer.credit_code}&year=2026",
        headers=bearer("clerk_zhangwan"),
    )
    assert response.status_code == 404


def test_stored_bases_are_listed_masked(client, maojian):
    employer = employer_make(maojian)
    person = person_make(maojian)
    relations_make(person, employer, agency=maojian, schemes=["pension"])
    base_set(person, 2026, 612300, schemes=("pension",))
    ContributionBase.objects.filter(person=person).update(employer=employer)

    response = client.get(
        f"/api/v1/contribution-bases?employer={employer.credit_code}&year=2026",
        headers=bearer("clerk_maojian"),
    )

    assert response.status_code == 200
    [row] = response.json()
    assert (row["scheme"], row["base_fen"]) == ("pension", 612300)
    assert row["resident_id"] != person.resident_id
