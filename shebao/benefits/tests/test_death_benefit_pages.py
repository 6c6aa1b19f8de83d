"""The death pages and API: registering a working participant's death, the death-benefit page
(preview, applicant, review), the inheritance page, the outcome pages and case summaries, the
API's due and preview; out of scope answers 404."""

from __future__ import annotations

import json
from datetime import date

import pytest
import time_machine
from django.test import Client

from shebao.benefits.models import Benefit, Death
from shebao.benefits.tests.death_benefit_support import died, income_base, relative, sbbn009, worker
from shebao.core.actors import system_actor
from shebao.core.demo import DEMO_PASSWORD
from shebao.core.models import User
from shebao.core.services import api_token_issue
from shebao.core.testing import complete_second_factor
from shebao.services.models import Case, CaseStatus
from shebao.services.services import case_transition

pytestmark = pytest.mark.django_db

# The API's due: the person, the death, the case, the pension, the history, the parameters,
# the account journal; a bound that does not grow with the person's months or benefits.
QUERIES = 30


@pytest.fixture(autouse=True)
def _november_2026():
    with time_machine.travel(date(2026, 11, 20), tick=False):
        yield


def signed_in(username: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    complete_second_factor(client, username)
    return client


def bearer(username: str) -> dict[str, str]:
    _row, token = api_token_issue(
        actor=system_actor("tests"), user=User.objects.get(username=username)
    )
    return {"Authorization": f"Bearer {token}"}


def test_register_a_working_participants_death_at_the_counter(agency):
    person = worker(agency("420302"), months=120)
    client = signed_in("clerk_maojian")
    page = client.get(f"/benefits/persons/{person.pk}/death/")
    assert page.status_code == 200
    assert 'data-testid="participant-death-form"' in page.content.decode()

    answer = client.post(
        f"/benefits/persons/{person.pk}/death/",
        {"died_on": "2026-10-03", "reference": "DC-2026-1"},
    )

    assert answer.status_code == 302
    assert answer["Location"] == f"/benefits/persons/{person.pk}/death-benefit/"
    death = Death.objects.get(person=person)
    assert (death.died_on, death.reference) == (date(2026, 10, 3), "DC-2026-1")
    assert signed_in("clerk_wuhan").get(f"/benefits/persons/{person.pk}/death/").status_code == 404


def test_death_benefit_page_previews_then_sends_for_review(actor_of, agency):
    income_base("2818.50")
    person = worker(agency("420302"), months=255)
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))
    client = signed_in("clerk_maojian")
    url = f"/benefits/persons/{person.pk}/death-benefit/"

    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="applicant-form"' in body
    assert page.context["figures"].survivor_fen == 4298213
    assert "42,982.13" in body
    assert "5,637.00" in body

    form = relative() | {"deemed_months": "", "action": "send"}
    answer = client.post(url, form)

    case = sbbn009(person)
    assert answer.status_code == 302
    assert answer["Location"] == f"/benefits/persons/{person.pk}/death-benefit/{case.pk}/"
    assert case.status == CaseStatus.IN_REVIEW
    outcome = client.get(answer["Location"])
    assert outcome.status_code == 200
    assert 'data-testid="applicant"' in outcome.content.decode()
    summary = signed_in("reviewer_maojian").get(f"/cases/{case.pk}/")
    assert summary.status_code == 200
    text = summary.content.decode()
    assert 'data-testid="summary-survivor"' in text
    assert "42,982.13" in text
    assert relative()["resident_id"] not in text  # masked


def test_death_benefit_page_shows_a_refusal_and_writes_nothing(actor_of, agency):
    # 2025's M is null in parameters/ (the demo enters a placeholder for 2026 only).
    person = worker(agency("420302"), months=255, last_month=202509)
    died(actor_of("clerk_maojian"), person, date(2025, 10, 3))
    client = signed_in("clerk_maojian")
    url = f"/benefits/persons/{person.pk}/death-benefit/"
    page = client.get(url)
    assert "PARAM-VALUE-UNPUBLISHED" in page.content.decode()
    answer = client.post(url, relative() | {"action": "send"}, follow=True)
    assert "PARAM-VALUE-UNPUBLISHED" in answer.content.decode()
    assert sbbn009(person).status == CaseStatus.ACCEPTED
    assert "claim" not in sbbn009(person).data


def test_death_benefit_page_out_of_scope_is_404(actor_of, agency):
    person = worker(agency("420302"), months=255)
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))
    client = signed_in("clerk_wuhan")
    assert client.get(f"/benefits/persons/{person.pk}/death-benefit/").status_code == 404
    assert client.get(f"/benefits/persons/{person.pk}/inheritance/").status_code == 404
    case = sbbn009(person)
    assert client.get(f"/benefits/persons/{person.pk}/death-benefit/{case.pk}/").status_code == 404


def test_inheritance_page_previews_the_heirs_to_the_fen_and_opens_the_case(actor_of, agency):
    person = worker(agency("420302"), months=120, balance_fen=10000001)
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))
    client = signed_in("clerk_maojian")
    url = f"/benefits/persons/{person.pk}/inheritance/"
    data = {"heir-TOTAL_FORMS": "4", "heir-INITIAL_FORMS": "0"}
    for n in (1, 2):
        for key, value in (relative(n) | {"share": "1/2"}).items():
            data[f"heir-{n - 1}-{key}"] = value

    preview = client.post(url, data | {"action": "preview"})
    assert preview.status_code == 200
    assert [h["amount_fen"] for h in preview.context["preview"]["heirs"]] == [5056251, 5056250]
    assert "50,562.51" in preview.content.decode()
    assert not Case.objects.filter(item__code="SBBN008", applicant_person=person).exists()

    answer = client.post(url, data | {"action": "open"})
    case = Case.objects.get(item__code="SBBN008", applicant_person=person)
    assert answer.status_code == 302
    assert answer["Location"] == f"/benefits/persons/{person.pk}/inheritance/{case.pk}/"
    assert client.get(answer["Location"]).status_code == 200
    case_transition(actor=actor_of("clerk_maojian"), case=case, action="send_for_review")
    summary = signed_in("reviewer_maojian").get(f"/cases/{case.pk}/")
    assert 'data-testid="heir-amounts"' in summary.content.decode()

    bad = {**data, "heir-1-share": "1/3"}
    refused = client.post(url, bad | {"action": "preview"})
    assert "INH-SHARES-SUM" in refused.content.decode()


def test_api_death_benefits_and_preview(client, actor_of, agency, django_assert_max_num_queries):
    income_base("2818.50")
    person = worker(agency("420302"), months=255, balance_fen=500000)
    died(actor_of("clerk_maojian"), person, date(2026, 10, 3))

    url = f"/api/v1/persons/{person.pk}/death-benefits"
    headers = bearer("clerk_maojian")
    with django_assert_max_num_queries(QUERIES):
        answer = client.get(url, headers=headers)

    assert answer.status_code == 200
    data = answer.json()
    assert data["died_on"] == "2026-10-03"
    assert data["death_benefit"]["survivor_fen"] == 4298213
    assert data["death_benefit"]["funeral_fen"] == 563700
    assert data["case"]["status"] == "accepted"
    assert data["inheritance"]["amount_fen"] == 500000 + 5625  # 9 months at 1.50%
    assert data["funeral_granted"] is None
    assert client.get(url, headers=bearer("clerk_wuhan")).status_code == 404

    preview = client.post(
        "/api/v1/death-benefit-claims/preview",
        json.dumps({"person_id": person.pk}),
        content_type="application/json",
        headers=bearer("clerk_maojian"),
    )
    assert preview.status_code == 200
    assert preview.json()["survivor_months"] == "15.25"
    assert not Benefit.objects.filter(person=person).exists()
    alive = worker(agency("420302"), months=12)
    refused = client.post(
        "/api/v1/death-benefit-claims/preview",
        json.dumps({"person_id": alive.pk}),
        content_type="application/json",
        headers=bearer("clerk_maojian"),
    )
    assert (refused.status_code, refused.json()["code"]) == (400, "DBEN-NO-DEATH")
    outside = client.post(
        "/api/v1/death-benefit-claims/preview",
        json.dumps({"person_id": person.pk}),
        content_type="application/json",
        headers=bearer("clerk_wuhan"),
    )
    assert outside.status_code == 404
