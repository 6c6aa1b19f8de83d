"""The work-injury pages: the list and the injury page within the agency's subtree (404
outside it), and the counter pages that preview first and open a case only then."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from shebao.benefits.models import Benefit
from shebao.benefits.services.work_injury_assessment import AssessmentRecord, assessment_request
from shebao.benefits.services.work_injury_benefits import disability_request
from shebao.benefits.services.work_injury_death import Claimant, Survivor, death_request
from shebao.benefits.services.work_injury_medical import MedicalItem, medical_request
from shebao.benefits.tests.work_injury_support import (
    CLERK,
    approve,
    assessment_make,
    injury_make,
    worker_make,
)
from shebao.core.actors import staff_actor
from shebao.core.demo import DEMO_PASSWORD
from shebao.services.models import Case, CaseStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def maojian(agency):
    return agency("420302")


@pytest.fixture
def worker(maojian):
    return worker_make(maojian, base_fen=600_000)


@pytest.fixture
def injury(worker):
    return injury_make(*worker)


def test_recording_an_injury_previews_the_own_wage_then_opens_the_case(login, worker):
    person, employer = worker
    client = login(CLERK)
    form = {
        "decision_no": "十人社工认〔2026〕555号",
        "decided_on": "2026-06-01",
        "injured_on": "2026-03-10",
        "employer": employer.pk,
        "description": "摔伤",
    }
    url = f"/benefits/persons/{person.pk}/injury/"
    page = client.post(url, form | {"action": "preview"})
    assert page.status_code == 200
    assert 'data-testid="injury-preview"' in page.content.decode()
    assert "6,000.00" in page.content.decode()
    assert not Case.objects.filter(applicant_person=person).exists()

    opened = client.post(url, form | {"action": "open"})
    case = Case.objects.get(applicant_person=person, item__code="SBRG017")
    assert opened.status_code == 302
    assert opened["Location"] == f"/cases/{case.pk}/"
    summary = client.get(opened["Location"]).content.decode()
    assert "十人社工认〔2026〕555号" in summary
    assert 'data-testid="own-wage-amount">6,000.00' in summary


def test_a_refusal_is_shown_with_its_code_and_writes_nothing(login, worker):
    person, employer = worker
    page = login(CLERK).post(
        f"/benefits/persons/{person.pk}/injury/",
        {
            "decision_no": "X",
            "decided_on": "2026-06-01",
            "injured_on": "2023-03-10",
            "employer": employer.pk,
            "description": "摔伤",
            "action": "open",
        },
    )
    assert "WI-NOT-INSURED" in page.content.decode()
    assert not Case.objects.filter(applicant_person=person).exists()


def test_list_and_page_are_scoped(login, injury, django_assert_max_num_queries):
    client = login(CLERK)
    with django_assert_max_num_queries(12):
        listing = client.get("/benefits/injuries/")
    assert injury.decision_no in listing.content.decode()
    assert client.get(f"/benefits/injuries/{injury.pk}/").status_code == 200
    other = Client()
    assert (
        other.post("/login/", {"username": "clerk_zhangwan", "password": DEMO_PASSWORD}).status_code
        == 302
    )
    assert injury.decision_no not in other.get("/benefits/injuries/").content.decode()
    for url in ("", "disability/", "medical/", "death/", "assessment/"):
        assert other.get(f"/benefits/injuries/{injury.pk}/{url}").status_code == 404


def test_disability_page_previews_and_opens(login, injury):
    assessment = assessment_make(injury, 5, "partial")
    client = login(CLERK)
    url = f"/benefits/injuries/{injury.pk}/disability/"
    page = client.post(url, {"assessment": assessment.pk, "action": "preview"}).content.decode()
    assert 'data-testid="lump-sum">108,000.00' in page
    assert 'data-testid="allowance">4,200.00' in page
    assert 'data-testid="nursing">2,167.80' in page
    assert client.post(url, {"assessment": assessment.pk, "action": "open"}).status_code == 302
    case = Case.objects.get(item__code="SBBN032", data__injury_id=injury.pk)
    assert case.status == CaseStatus.ACCEPTED
    detail = client.get(f"/benefits/injuries/{injury.pk}/").content.decode()
    assert case.receipt_no in detail


def test_medical_page_previews_the_allowed_amount(login, injury):
    management = {"item-TOTAL_FORMS": "4", "item-INITIAL_FORMS": "0"}
    rows = {
        "item-0-category": "in_catalogue",
        "item-0-description": "手术",
        "item-0-amount": "1,250.00",
        "item-1-category": "outside_catalogue",
        "item-1-amount": "80",
    }
    page = login(CLERK).post(
        f"/benefits/injuries/{injury.pk}/medical/", management | rows | {"action": "preview"}
    )
    assert 'data-testid="allowed">1,250.00' in page.content.decode()


def test_death_page_previews_the_cap(login, worker):
    injury = injury_make(
        *worker, injured_on=date(2026, 5, 18), fatal=True, died_on=date(2026, 5, 20)
    )
    bank = {"bank_name": "建行", "bank_account": "6217000011112222"}
    data = {
        "survivor-TOTAL_FORMS": "3",
        "survivor-INITIAL_FORMS": "0",
        "claimant-name": "林秀英",
        "claimant-resident_id": "420302198603042626",
        "claimant-relation": "配偶",
        **{f"claimant-{k}": v for k, v in bank.items()},
        "survivor-0-name": "林秀英",
        "survivor-0-resident_id": "420302198603042626",
        "survivor-0-relation": "spouse",
        **{f"survivor-0-{k}": v for k, v in bank.items()},
        "survivor-1-name": "林小明",
        "survivor-1-resident_id": "420302201206014511",
        "survivor-1-relation": "child",
        "survivor-1-orphan": "on",
        **{f"survivor-1-{k}": v for k, v in bank.items()},
        "survivor-2-name": "林小红",
        "survivor-2-resident_id": "420302201508024627",
        "survivor-2-relation": "child",
        "survivor-2-orphan": "on",
        **{f"survivor-2-{k}": v for k, v in bank.items()},
        "action": "preview",
    }
    page = login(CLERK).post(f"/benefits/injuries/{injury.pk}/death/", data).content.decode()
    assert "injury-refusal" not in page, page
    assert 'data-testid="capped"' in page
    assert 'data-testid="survivor-total">6,000.00' in page
    assert 'data-testid="death-lump-sum">1,130,040.00' in page


def test_the_approved_case_shows_on_the_injury_page(login, injury):
    assessment = assessment_make(injury, 3)
    approve(disability_request(actor=staff_actor(CLERK), injury=injury, assessment=assessment))
    page = login(CLERK).get(f"/benefits/injuries/{injury.pk}/").content.decode()
    assert Benefit.objects.filter(source=f"injury:{injury.pk}").count() == 2
    assert "4,800.00" in page  # the level-3 allowance, 80 % of 6,000.00
    assert "138,000.00" in page  # 23 months


def test_every_case_summary_renders(login, worker):
    injury = injury_make(*worker)
    assessment = assessment_make(injury, 2, "full")
    clerk = staff_actor(CLERK)
    disability = disability_request(actor=clerk, injury=injury, assessment=assessment)
    medical = medical_request(
        actor=clerk, injury=injury, items=[MedicalItem("in_catalogue", "手术", 100_000)]
    )
    fatal = injury_make(
        *worker_make(injury.agency),
        injured_on=date(2026, 5, 18),
        fatal=True,
        died_on=date(2026, 5, 20),
    )
    widow = Claimant("林秀英", "420302198603042626", "配偶", "建行", "6217000011112222")
    death = death_request(
        actor=clerk,
        injury=fatal,
        claimant=widow,
        survivors=[
            Survivor("林秀英", "420302198603042626", "spouse", False, False, "建行", "62170")
        ],
    )
    pending = assessment_request(
        actor=clerk,
        injury=injury,
        record=AssessmentRecord("十劳鉴〔2026〕900号", date(2026, 10, 1), 3, "none"),
    )
    client = login(CLERK)  # the summary shows while the case is open
    expected = {
        disability.pk: "150,000.00",  # level 2: 25 × 6,000.00
        medical.pk: "1,000.00",
        death.pk: "1,130,040.00",
        pending.pk: "十劳鉴〔2026〕900号",
    }
    for case_id, text in expected.items():
        page = client.get(f"/cases/{case_id}/").content.decode()
        assert 'data-testid="case-data"' in page, Case.objects.get(pk=case_id).item.code
        assert text in page
