"""GET /api/v1/persons/{id}/account: balance, year-end balances and a year's statement,
masked, and absent (404) outside the caller's scope."""

from __future__ import annotations

import pytest

from shebao.accounts.models import EntryKind
from shebao.accounts.services.journal import entry_post
from shebao.contributions.tests.factories import person_make
from shebao.core.actors import system_actor
from shebao.core.masking import mask_resident_id
from shebao.core.models import User
from shebao.core.services import api_token_issue

pytestmark = pytest.mark.django_db


def bearer(username: str) -> dict[str, str]:
    _row, token = api_token_issue(actor=system_actor("t"), user=User.objects.get(username=username))
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def person(agency, system):
    person = person_make(agency("420302"))
    movements = [
        (EntryKind.CONTRIBUTION, 40000, 2024, 12, 202412, ""),
        (EntryKind.INTEREST, 44, 2024, 12, None, "0.0262"),
        (EntryKind.CONTRIBUTION, 40000, 2025, 1, 202501, ""),
        (EntryKind.TRANSFER_OUT, -10000, 2025, 5, None, ""),
        (EntryKind.INTEREST, 650, 2025, 12, None, "0.0150"),
    ]
    for number, (kind, amount, year, month, period, rate) in enumerate(movements):
        entry_post(
            actor=system,
            person=person,
            kind=kind,
            amount_fen=amount,
            year=year,
            month=month,
            period=period,
            rate=rate,
            source="tests",
            key=f"api-account-test:{person.pk}:{number}",
        )
    return person


def test_the_account_answers_balance_and_year_ends_masked(client, person):
    response = client.get(f"/api/v1/persons/{person.pk}/account", headers=bearer("clerk_maojian"))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["resident_id"] == mask_resident_id(person.resident_id)
    assert person.resident_id not in response.content.decode()
    assert body["balance_fen"] == 70694
    assert body["year_ends"] == [
        {"year": 2024, "movement_fen": 40044, "balance_fen": 40044},
        {"year": 2025, "movement_fen": 30650, "balance_fen": 70694},
    ]
    assert body["statement"] is None


def test_with_a_year_the_statement_comes_with_its_entries(client, person):
    response = client.get(
        f"/api/v1/persons/{person.pk}/account?year=2025", headers=bearer("clerk_maojian")
    )

    assert response.status_code == 200, response.content
    statement = response.json()["statement"]
    assert {k: statement[k] for k in ("opening_fen", "credits_fen", "interest_fen")} == {
        "opening_fen": 40044,
        "credits_fen": 40000,
        "interest_fen": 650,
    }
    assert (statement["others_fen"], statement["closing_fen"]) == (-10000, 70694)
    assert (
        statement["opening_fen"]
        + statement["credits_fen"]
        + statement["interest_fen"]
        + statement["others_fen"]
        == statement["closing_fen"]
    )
    assert statement["contribution_months"] == 2
    assert statement["provisional"] is False
    assert statement["credits"] == [{"month": 1, "periods": [202501], "amount_fen": 40000}]
    assert statement["interest"] == [
        {"month": 12, "amount_fen": 650, "rate": "0.0150", "provisional": False}
    ]
    assert [(e["kind"], e["month"], e["amount_fen"]) for e in statement["entries"]] == [
        ("contribution", 1, 40000),
        ("transfer_out", 5, -10000),
        ("interest", 12, 650),
    ]


def test_another_districts_caller_gets_404(client, person):
    response = client.get(
        f"/api/v1/persons/{person.pk}/account?year=2025", headers=bearer("clerk_zhangwan")
    )
    assert response.status_code == 404
    assert response.json()["code"] == "CORE-SCOPE"
    assert person.resident_id not in response.content.decode()


def test_the_city_sees_its_districts_accounts(client, person):
    response = client.get(f"/api/v1/persons/{person.pk}/account", headers=bearer("fund_shiyan"))
    assert response.status_code == 200


def test_an_unknown_person_is_404_and_a_wild_year_is_refused(client, person):
    headers = bearer("clerk_maojian")
    assert client.get("/api/v1/persons/999999999/account", headers=headers).status_code == 404
    wild = client.get(f"/api/v1/persons/{person.pk}/account?year=1800", headers=headers)
    assert wild.status_code == 422


def test_the_answer_reads_in_a_fixed_number_of_queries(
    client, person, system, django_assert_max_num_queries
):
    headers = bearer("clerk_maojian")
    url = f"/api/v1/persons/{person.pk}/account?year=2025"
    with django_assert_max_num_queries(20) as few:
        client.get(url, headers=headers)
    for month in range(2, 13):
        entry_post(
            actor=system,
            person=person,
            kind=EntryKind.CONTRIBUTION,
            amount_fen=40000,
            year=2025,
            month=month,
            period=202500 + month,
            source="tests",
            key=f"api-account-test:{person.pk}:month:{month}",
        )
    with django_assert_max_num_queries(len(few)):
        client.get(url, headers=headers)
