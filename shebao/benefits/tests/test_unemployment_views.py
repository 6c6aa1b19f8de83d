"""Unemployment pages and API: the counter preview writes nothing, the case opens from it, the
agency list shows the months paid, a stop opens a reviewed case, and out of scope is 404."""

from __future__ import annotations

from datetime import date

import pytest

from shebao.benefits.models import Benefit
from shebao.benefits.services.unemployment import UnemploymentRequest, unemployment_claim_request
from shebao.benefits.tests.test_unemployment import claimant
from shebao.contributions.tests.factories import employer_make
from shebao.services.models import Case
from shebao.services.services import case_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def maojian(agency):
    return agency("420302")


@pytest.fixture
def employer(maojian):
    return employer_make(maojian)


def form(employer, **fields):
    return {
        "separated_on": "2026-08-31",
        "separation_reason": "contract_end",
        "employer": str(employer.pk),
        "registered_on": "2026-09-10",
        "bank_name": "",
        "bank_account": "",
        "action": "preview",
    } | fields


def test_preview_then_open_the_case(login, maojian, employer):
    person = claimant(maojian, employer, 120)
    client = login("clerk_maojian")
    url = f"/benefits/persons/{person.pk}/unemployment/"
    page = client.get(url)
    assert page.status_code == 200
    preview = client.post(url, form(employer))
    body = preview.content.decode()
    assert 'data-testid="unemployment-preview"' in body
    assert "1,917.00" in body  # 2,130.00 × 0.90
    assert not Case.objects.filter(applicant_person=person).exists()
    opened = client.post(url, form(employer, action="open"))
    assert opened.status_code == 302
    case = Case.objects.get(applicant_person=person, item__code="SBBN011")
    assert case.data["figures"]["max_months"] == 24
    outcome = client.get(opened["Location"])
    assert 'data-testid="unemployment-opened"' in outcome.content.decode()
    detail = client.get(f"/cases/{case.pk}/")
    assert 'data-testid="unemployment-figures"' in detail.content.decode()


def test_resignation_is_refused_on_the_page(login, maojian, employer):
    person = claimant(maojian, employer, 120)
    client = login("clerk_maojian")
    page = client.post(
        f"/benefits/persons/{person.pk}/unemployment/",
        form(employer, separation_reason="resignation"),
    )
    assert "UNE-ELIG-INVOLUNTARY" in page.content.decode()


def test_another_districts_claimant_is_404(login, agency):
    zhangwan = agency("420303")
    employer = employer_make(zhangwan)
    person = claimant(zhangwan, employer, 60)
    client = login("clerk_maojian")
    assert client.get(f"/benefits/persons/{person.pk}/unemployment/").status_code == 404
    api = client.get(f"/api/v1/persons/{person.pk}/unemployment")
    assert api.status_code == 404


def running_benefit(actor_of, person, employer):
    case = unemployment_claim_request(
        actor=actor_of("clerk_maojian"),
        person=person,
        request=UnemploymentRequest(
            separated_on=date(2026, 8, 31),
            separation_reason="dismissal",
            registered_on=date(2026, 9, 10),
            employer_id=employer.pk,
        ),
    )
    case = case_transition(actor=actor_of("clerk_maojian"), case=case, action="send_for_review")
    case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")
    return Benefit.objects.get(person=person)


def test_the_list_and_a_stop(login, actor_of, maojian, employer):
    person = claimant(maojian, employer, 60)
    benefit = running_benefit(actor_of, person, employer)
    client = login("clerk_maojian")
    listing = client.get("/benefits/unemployment/").content.decode()
    assert person.name in listing
    assert "0 / 18" in listing
    stop = client.post(
        f"/benefits/unemployment/{benefit.pk}/stop/",
        {"reason": "emigration", "last_period": "2026-11", "note": ""},
    )
    assert stop.status_code == 302
    case = Case.objects.get(item__code="SBBC008")
    assert case.data == {
        "benefit": benefit.pk,
        "reason": "emigration",
        "last_period": 202611,
        "note": "",
        "end_period": 202802,
        "monthly_fen": 191_700,
    }


def test_the_list_is_scoped(login, actor_of, maojian, employer):
    person = claimant(maojian, employer, 60)
    benefit = running_benefit(actor_of, person, employer)
    client = login("clerk_zhangwan")
    assert person.name not in client.get("/benefits/unemployment/").content.decode()
    assert client.get(f"/benefits/unemployment/{benefit.pk}/stop/").status_code == 404


def test_api_preview_writes_nothing_and_person_lists_claims(login, actor_of, maojian, employer):
    person = claimant(maojian, employer, 60)
    client = login("clerk_maojian")
    preview = client.post(
        "/api/v1/unemployment-claims/preview",
        {
            "person_id": person.pk,
            "separated_on": "2026-08-31",
            "separation_reason": "dismissal",
            "registered_on": "2026-09-10",
            "employer_id": employer.pk,
        },
        content_type="application/json",
    )
    assert preview.status_code == 200, preview.content
    assert (preview.json()["figures"]["max_months"], preview.json()["figures"]["monthly_fen"]) == (
        18,
        191_700,
    )
    assert not Case.objects.filter(applicant_person=person).exists()
    refused = client.post(
        "/api/v1/unemployment-claims/preview",
        {
            "person_id": person.pk,
            "separated_on": "2026-08-31",
            "separation_reason": "resignation",
            "registered_on": "2026-09-10",
        },
        content_type="application/json",
    )
    assert (refused.status_code, refused.json()["code"]) == (400, "UNE-ELIG-INVOLUNTARY")
    running_benefit(actor_of, person, employer)
    claims = client.get(f"/api/v1/persons/{person.pk}/unemployment").json()
    [claim] = claims["claims"]
    assert (claim["max_months"], claim["start_period"], claim["end_period"], claim["status"]) == (
        18,
        202609,
        202802,
        "active",
    )


def test_the_list_costs_the_same_queries_for_more_benefits(login, actor_of, maojian, employer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login("clerk_maojian")
    running_benefit(actor_of, claimant(maojian, employer, 60), employer)
    # The first page after sign-in also settles, once per session, whether a second factor is
    # needed; the comparison is between two later pages.
    client.get("/benefits/unemployment/")
    with CaptureQueriesContext(connection) as one:
        client.get("/benefits/unemployment/")
    running_benefit(actor_of, claimant(maojian, employer, 60), employer)
    running_benefit(actor_of, claimant(maojian, employer, 60), employer)
    with CaptureQueriesContext(connection) as three:
        page = client.get("/benefits/unemployment/")
    assert page.content.decode().count('data-testid="months-paid"') >= 3
    assert len(three.captured_queries) == len(one.captured_queries)
