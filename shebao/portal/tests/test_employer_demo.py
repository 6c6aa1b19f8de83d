"""The employer portal's demo: the staff addition 孙丽 filed online, written once, waiting for
a clerk of 张湾区."""

from __future__ import annotations

import pytest

from shebao.core.models import AuditEntry
from shebao.portal.demo_employer import PARTS_MAKER, seed_employer_portal
from shebao.portal.tests.employer_support import SUN_LI, signed_in
from shebao.registry.demo import demo_employer
from shebao.services.models import Case, CaseStatus

pytestmark = pytest.mark.django_db


def _online_addition() -> Case:
    return Case.objects.get(
        applicant_employer=demo_employer(PARTS_MAKER), item__code="SBRG005", channel="web"
    )


def test_the_agent_follows_the_addition_filed_online(client, demo):
    case = _online_addition()
    assert case.status == CaseStatus.SUBMITTED
    sun = signed_in(client, PARTS_MAKER, SUN_LI)
    assert case.receipt_no in sun.get("/portal/employer/cases/").content.decode()


def test_the_clerk_finds_it_among_the_cases_submitted_online(login, demo):
    case = _online_addition()
    assert case.receipt_no in login("clerk_zhangwan").get("/workbench/").content.decode()


def test_the_demo_is_written_once(demo):
    before = (Case.objects.count(), AuditEntry.objects.count())
    seed_employer_portal()
    assert (Case.objects.count(), AuditEntry.objects.count()) == before
