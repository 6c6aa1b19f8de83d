"""The citizen portal's demo: what the demo citizens find, written once."""

from __future__ import annotations

import pytest

from shebao.core.models import AuditEntry
from shebao.documents.models import IssuedDocument
from shebao.hall.models import Appointment, AppointmentStatus, HomeVisit
from shebao.portal.demo_citizen import citizen_portal_logins, demo_retiree, seed_citizen_portal
from shebao.portal.models import CitizenAccount
from shebao.registry.demo import demo_person
from shebao.services.models import CaseStatus

pytestmark = pytest.mark.django_db


def test_the_demo_citizens_find_their_records(demo):
    zhang, wang = demo_person("张伟"), demo_person("王芳")
    assert IssuedDocument.objects.filter(person=zhang, channel="web").exists()
    assert Appointment.objects.filter(person=zhang, status=AppointmentStatus.BOOKED).exists()
    visit = HomeVisit.objects.get(person=wang)
    assert (visit.case.channel, visit.case.status) == ("web", CaseStatus.SUBMITTED)
    retiree = demo_retiree()
    assert retiree is not None
    assert retiree.phone
    assert CitizenAccount.objects.filter(person=retiree).exists()
    assert retiree.name in citizen_portal_logins()[0]


def test_the_demo_is_written_once(demo):
    before = (
        IssuedDocument.objects.count(),
        Appointment.objects.count(),
        AuditEntry.objects.count(),
    )
    seed_citizen_portal()
    after = (
        IssuedDocument.objects.count(),
        Appointment.objects.count(),
        AuditEntry.objects.count(),
    )
    assert after == before
