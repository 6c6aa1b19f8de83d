"""The retirement counter page, the pension list and detail pages and the pension API, under
the actor's agency scope: a record out of scope answers 404."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from shebao.benefits.models import Pension
from shebao.benefits.tests.retirement_factories import applicant_make
from shebao.core.actors import system_actor
from shebao.core.demo import DEMO_PASSWORD
from shebao.core.models import User
from shebao.core.services import api_token_issue
from shebao.core.testing import complete_second_factor
from shebao.services.models import Case

pytestmark = pytest.mark.django_db


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


@pytest.fixture
def maojian_pension(demo):
    return Pension.objects.filter(agency__code="420302").select_related("person").first()


@pytest.fixture
def applicant(agency):
    return applicant_make(agency("420302"))


FORM = {"item": "SBBN001", "retirement_month": "", "deemed_months": "170", "group": ""}


# --- the pension pages -----------------------------------------------------------------------


def test_the_list_shows_the_pensions_in_scope_only(maojian_pension, django_assert_max_num_queries):
    client = signed_in("clerk_maojian")
    with django_assert_max_num_queries(12):
        page = client.get("/benefits/pensions/")
    assert page.status_code == 200
    agencies = {pension.agency.code for pension, _masked in page.context["rows"]}
    assert agencies == {"420302"}
    found = client.get("/benefits/pensions/", {"q": maojian_pension.person.name[:2]})
    assert maojian_pension in [pension for pension, _masked in found.context["rows"]]
    stopped = client.get("/benefits/pensions/", {"status": "stopped"})
    assert all(p.status == "stopped" for p, _m in stopped.context["rows"])


def test_the_detail_page_shows_the_award_and_answers_404_out_of_scope(maojian_pension):
    page = signed_in("clerk_maojian").get(f"/benefits/pensions/{maojian_pension.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert maojian_pension.person.resident_id not in body  # masked
    assert 'data-testid="pension-award"' in body
    assert 'data-testid="pension-payments"' in body
    assert 'data-testid="pension-rates"' in body
    wuhan = signed_in("clerk_wuhan").get(f"/benefits/pensions/{maojian_pension.pk}/")
    assert wuhan.status_code == 404


# --- the API -----------------------------------------------------------------------------------


def test_api_pension_of_a_person_and_404_out_of_scope(client, maojian_pension, applicant):
    url = f"/api/v1/persons/{maojian_pension.person_id}/pension"
    answer = client.get(url, headers=bearer("clerk_maojian"))
    assert answer.status_code == 200
    data = answer.json()
    assert (data["id"], data["monthly_fen"]) == (maojian_pension.pk, maojian_pension.monthly_fen)
    assert data["award"]["kind"] == "migrated"
    assert data["resident_id"] != maojian_pension.person.resident_id
    assert client.get(url, headers=bearer("clerk_wuhan")).status_code == 404
    none = client.get(f"/api/v1/persons/{applicant.pk}/pension", headers=bearer("clerk_maojian"))
    assert (none.status_code, none.json()["code"]) == (404, "PEN-NONE")


def test_api_preview_returns_the_figures_and_writes_nothing(client, applicant):
    cases = Case.objects.count()
    body = json.dumps({"person_id": applicant.pk, "deemed_months": 170})
    answer = client.post(
        "/api/v1/retirement-applications/preview",
        body,
        content_type="application/json",
        headers=bearer("clerk_maojian"),
    )
    assert answer.status_code == 200
    data = answer.json()
    assert data["figures"]["total_fen"] == 112_547 + 86_439 + 124_780
    assert data["calculation"]["eligibility"]["retirement_month"] == 202502
    assert any(step["rule"] == "PEN-TOTAL" for step in data["calculation"]["trace"])
    assert Case.objects.count() == cases
    short = client.post(
        "/api/v1/retirement-applications/preview",
        json.dumps({"person_id": applicant.pk, "deemed_months": 0}),
        content_type="application/json",
        headers=bearer("clerk_maojian"),
    )
    assert (short.status_code, short.json()["code"]) == (400, "RET-MIN-CONTRIBUTION-SHORT")
    outside = client.post(
        "/api/v1/retirement-applications/preview",
        body,
        content_type="application/json",
        headers=bearer("clerk_wuhan"),
    )
    assert outside.status_code == 404


# --- the counter page ----------------------------------------------------------------------------


def test_preview_then_open_the_case(applicant):
    client = signed_in("clerk_maojian")
    url = f"/benefits/persons/{applicant.pk}/retirement/"
    assert client.get(url).status_code == 200
    preview = client.post(url, {**FORM, "action": "preview"})
    assert preview.status_code == 200
    assert preview.context["preview"]["figures"]["total_fen"] == 323_766
    body = preview.content.decode()
    assert 'data-testid="retirement-preview"' in body
    assert "3,237.66" in body
    assert not Case.objects.filter(applicant_person=applicant).exists()
    opened = client.post(url, {**FORM, "action": "open"})
    case = Case.objects.get(applicant_person=applicant)
    assert opened.status_code == 302
    assert opened["Location"] == f"/benefits/persons/{applicant.pk}/retirement/{case.pk}/"
    assert case.data["figures"]["total_fen"] == 323_766
    assert client.get(opened["Location"]).status_code == 200
    detail = client.get(f"/cases/{case.pk}/")
    assert 'data-testid="retirement-figures"' in detail.content.decode()
    again = client.get(url)
    assert "RET-APP-OPEN" in again.context["blocked"]


def test_short_applicant_sees_the_options_and_nothing_is_written(applicant):
    client = signed_in("clerk_maojian")
    page = client.post(
        f"/benefits/persons/{applicant.pk}/retirement/",
        {**FORM, "deemed_months": "100", "action": "open"},
    )
    assert page.status_code == 200
    assert page.context["refusal"].startswith("RET-MIN-CONTRIBUTION-SHORT")
    assert page.context["shortfall"]["missing"] == 180 - 114
    assert 'data-testid="shortfall-options"' in page.content.decode()
    assert not Case.objects.filter(applicant_person=applicant).exists()


def test_counter_page_of_a_person_out_of_scope_is_404(applicant):
    page = signed_in("clerk_wuhan").get(f"/benefits/persons/{applicant.pk}/retirement/")
    assert page.status_code == 404
