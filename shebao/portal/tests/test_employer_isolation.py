"""An agent sees only their own employer: another employer's bill, staff member, case, document
or agent asked for by id or number is not found, and nothing is written for it."""

from __future__ import annotations

import pytest

from shebao.contributions.models import Bill
from shebao.core.models import Channel
from shebao.documents.models import IssuedDocument
from shebao.documents.services import employer_certificate_issue
from shebao.portal.services import agent_actor
from shebao.portal.tests.employer_support import (
    PARTS_MAKER,
    SUN_LI,
    SUPERMARKET,
    ZHAO_MIN,
    signed_in,
)
from shebao.portal.tests.support import demo_agent
from shebao.registry.demo import demo_employer
from shebao.registry.models import InsuredRelation, Person
from shebao.services.models import Case, CaseStatus


@pytest.fixture
def zhao(client, demo):
    return signed_in(client, SUPERMARKET, ZHAO_MIN)


@pytest.fixture
def parts():
    return demo_employer(PARTS_MAKER)


def _only_with(employer) -> Person:
    """A person insured with ``employer`` and never with the supermarket."""
    supermarket_staff = InsuredRelation.objects.filter(employer=demo_employer(SUPERMARKET)).values(
        "person_id"
    )
    person = (
        Person.objects.filter(relations__employer=employer)
        .exclude(pk__in=supermarket_staff)
        .first()
    )
    assert person is not None
    return person


def test_another_employers_bill_is_not_found(zhao, parts):
    bill = Bill.objects.filter(employer=parts).first()
    assert bill is not None
    assert zhao.get(f"/portal/employer/bills/{bill.number}/").status_code == 404
    assert zhao.get(f"/portal/employer/bills/{bill.number}/bill.xlsx").status_code == 404
    documents = IssuedDocument.objects.count()
    assert zhao.post(f"/portal/employer/bills/{bill.number}/pdf/").status_code == 404
    assert IssuedDocument.objects.count() == documents


def test_another_employers_staff_member_is_not_found(zhao, parts):
    person = _only_with(parts)
    assert zhao.get(f"/portal/employer/staff/{person.pk}/").status_code == 404
    assert zhao.get(f"/portal/employer/staff/remove/?person={person.pk}").status_code == 404
    cases = Case.objects.count()
    refused = zhao.post(
        "/portal/employer/staff/remove/",
        {"person": person.pk, "end_period": "2026-12", "reason": "resignation"},
    )
    assert refused.status_code == 404
    assert Case.objects.count() == cases
    listed = zhao.get("/portal/employer/staff/", {"q": person.resident_id})
    assert list(listed.context["rows"]) == []


def test_another_employers_case_is_not_found_nor_withdrawn(zhao, parts):
    case = Case.objects.filter(applicant_employer=parts).first()
    assert case is not None
    status = case.status
    for url in (
        f"/portal/employer/cases/{case.pk}/",
        f"/portal/employer/cases/{case.pk}/submitted/",
    ):
        assert zhao.get(url).status_code == 404, url
    withdraw = zhao.post(f"/portal/employer/cases/{case.pk}/withdraw/", {"reason": "试探"})
    assert withdraw.status_code == 404
    case.refresh_from_db()
    assert case.status == status
    assert case.status != CaseStatus.WITHDRAWN
    listed = zhao.get("/portal/employer/cases/")
    assert case.pk not in {row.pk for row, _due in listed.context["rows"]}


def test_another_employers_document_is_not_found(zhao, parts):
    issued = employer_certificate_issue(
        actor=agent_actor(demo_agent(PARTS_MAKER, SUN_LI)), employer=parts, channel=Channel.WEB
    )
    code = issued.document.code
    assert zhao.get(f"/portal/employer/documents/{code}/pdf/").status_code == 404
    listed = zhao.get("/portal/employer/documents/")
    assert code not in {document.code for document, _code in listed.context["rows"]}


def test_another_employers_agent_cannot_be_deactivated(zhao):
    other = demo_agent(PARTS_MAKER, SUN_LI)
    assert zhao.post(f"/portal/employer/agents/{other.pk}/deactivate/").status_code == 404
    other.refresh_from_db()
    assert other.is_active
    assert other.name not in zhao.get("/portal/employer/agents/").content.decode()
