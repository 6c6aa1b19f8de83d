"""Every employer page renders for the demo agent 赵敏 with her employer's records."""

from __future__ import annotations

import pytest

from shebao.contributions.models import Bill
from shebao.portal.tests.employer_support import SUPERMARKET, ZHAO_MIN, signed_in
from shebao.registry.demo import demo_employer
from shebao.registry.models import InsuredRelation, RelationStatus
from shebao.services.models import Case

PAGES = [
    "/portal/employer/",
    "/portal/employer/staff/",
    "/portal/employer/staff/?scope=former",
    "/portal/employer/staff/add/",
    "/portal/employer/staff/remove/",
    "/portal/employer/staff/remove/?q=张",
    "/portal/employer/staff/batch/",
    "/portal/employer/bases/",
    "/portal/employer/bills/",
    "/portal/employer/bills/?year=",
    "/portal/employer/documents/",
    "/portal/employer/cases/",
    "/portal/employer/cases/?status=open",
    "/portal/employer/agents/",
]


@pytest.fixture
def zhao(client, demo):
    return signed_in(client, SUPERMARKET, ZHAO_MIN)


@pytest.mark.parametrize("url", PAGES)
def test_each_page_shows_the_employer(zhao, url):
    page = zhao.get(url)
    assert page.status_code == 200, url
    assert SUPERMARKET in page.content.decode()


def test_the_pages_of_one_record_render(zhao):
    employer = demo_employer(SUPERMARKET)
    relation = InsuredRelation.objects.filter(
        employer=employer, status=RelationStatus.ACTIVE
    ).first()
    assert relation is not None
    bill = Bill.objects.filter(employer=employer).first()
    assert bill is not None
    case = Case.objects.filter(applicant_employer=employer).first()
    assert case is not None
    for url in [
        f"/portal/employer/staff/{relation.person_id}/",
        f"/portal/employer/staff/remove/?person={relation.person_id}",
        f"/portal/employer/bills/{bill.number}/",
        f"/portal/employer/cases/{case.pk}/",
        f"/portal/employer/cases/{case.pk}/submitted/",
    ]:
        assert zhao.get(url).status_code == 200, url
    for url in [
        "/portal/employer/bills/bills.xlsx",
        f"/portal/employer/bills/{bill.number}/bill.xlsx",
        "/portal/employer/bases/template.xlsx",
        "/portal/employer/staff/batch/templates/addition.xlsx",
        "/portal/employer/staff/batch/templates/removal.xlsx",
    ]:
        response = zhao.get(url)
        assert response.status_code == 200, url
        assert response.content[:2] == b"PK", url
