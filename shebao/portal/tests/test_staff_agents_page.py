"""The staff page of an employer's portal access, reached from the employer's record."""

from __future__ import annotations

import pytest

from shebao.portal.models import EmployerAgent
from shebao.portal.tests.employer_support import PARTS_MAKER, SUPERMARKET
from shebao.registry.demo import demo_employer

pytestmark = pytest.mark.django_db


def test_the_clerk_opens_an_administrator_from_the_employer_record(login, demo):
    clerk = login("clerk_maojian")
    employer = demo_employer(SUPERMARKET)
    record = clerk.get(f"/registry/employers/{employer.pk}/").content.decode()
    page_url = f"/portal/staff/employers/{employer.pk}/agents/"
    assert page_url in record
    listed = clerk.get(page_url).content.decode()
    assert "赵敏" in listed
    assert "13907191001" not in listed  # the agent's phone is masked
    opened = clerk.post(page_url, {"name": "周涛", "phone": "13907191009"}, follow=True)
    assert "周涛" in opened.content.decode()
    agent = EmployerAgent.objects.get(employer=employer, phone="13907191009")
    assert agent.is_admin


def test_another_agencys_employer_is_not_found(login, demo):
    parts_maker = demo_employer(PARTS_MAKER)  # 张湾区: outside 茅箭区's scope
    clerk = login("clerk_maojian")
    assert clerk.get(f"/portal/staff/employers/{parts_maker.pk}/agents/").status_code == 404
    answer = clerk.post(
        f"/portal/staff/employers/{parts_maker.pk}/agents/",
        {"name": "周涛", "phone": "13907191009"},
    )
    assert answer.status_code == 404
    assert not EmployerAgent.objects.filter(phone="13907191009").exists()
