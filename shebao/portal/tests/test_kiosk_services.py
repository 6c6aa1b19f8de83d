"""The kiosk's services: a walk-in takes a ticket (general, or the green channel with its
reason) and sees its code, the people ahead and the wait; an appointment is checked in with
its booking code; a signed-in visitor prints the certificate, views the account, certifies
as a retiree and takes a ticket in their name; an idle visit ends on the server."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from shebao.benefits.models import Certification, Pension, PensionStatus
from shebao.core.actors import Actor
from shebao.documents.models import IssuedDocument
from shebao.hall.models import AppointmentStatus, Ticket, TicketStatus
from shebao.hall.services.appointments import appointment_book
from shebao.portal.auth import KIOSK_PERSON
from shebao.portal.demo import DEMO_KIOSK_KEY
from shebao.portal.services import citizen_actor
from shebao.portal.tests.support import citizen_account, last_code
from shebao.registry.demo import demo_person
from shebao.registry.models import Person
from shebao.services.models import Case, CaseStatus

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Monday morning before the hall opens (Asia/Shanghai).
MONDAY_MORNING = dt.datetime(2026, 12, 7, 8, 45, tzinfo=SHANGHAI)


@pytest.fixture
def kiosk_client(client, demo):
    assert client.get(f"/kiosk/activate/{DEMO_KIOSK_KEY}/").status_code == 302
    return client


def visitor_signs_in(client, person: Person):
    assert client.post("/kiosk/sign-in/", {"resident_id": person.resident_id}).status_code == 302
    done = client.post("/kiosk/sign-in/code/", {"code": last_code(person.phone)})
    assert done.status_code == 302
    return client


def taken(response) -> Ticket:
    assert response.status_code == 302, response.content.decode()
    ticket_id = int(response.url.rstrip("/").rsplit("/", 1)[1])
    return Ticket.objects.get(pk=ticket_id)


def test_the_start_screen_offers_tickets_check_in_and_sign_in(kiosk_client):
    page = kiosk_client.get("/kiosk/").content.decode()
    for tile in ("kiosk-ticket-general", "kiosk-ticket-green", "kiosk-check-in", "kiosk-sign-in"):
        assert f'data-testid="{tile}"' in page


def test_a_walk_in_takes_a_general_ticket(kiosk_client):
    first = taken(kiosk_client.post("/kiosk/ticket/", {"category": "A"}))
    second = taken(kiosk_client.post("/kiosk/ticket/", {"category": "A"}))
    assert (first.category, first.status, first.source) == ("A", TicketStatus.WAITING, "kiosk")
    assert first.person is None
    assert first.agency.code == "420302"
    assert second.number == first.number + 1
    page = kiosk_client.get(f"/kiosk/ticket/{second.pk}/").content.decode()
    assert second.code in page
    assert 'data-testid="kiosk-ticket-ahead"' in page
    assert 'data-testid="kiosk-ticket-minutes"' in page
    # The print button is wired by a static script (no inline handler under the CSP).
    assert 'data-print data-testid="kiosk-print"' in page
    assert "shebao/hall/print.js" in page


def test_a_green_channel_ticket_needs_its_reason(kiosk_client):
    refused = kiosk_client.post("/kiosk/ticket/", {"category": "G"})
    assert refused.status_code == 200
    assert "HALL-GREEN-REASON" in refused.content.decode()
    ticket = taken(
        kiosk_client.post("/kiosk/ticket/", {"category": "G", "priority_reason": "elderly"})
    )
    assert (ticket.category, ticket.priority_reason) == ("G", "elderly")
    assert ticket.code.startswith("G")


def test_a_ticket_page_is_only_the_session_that_took_it(kiosk_client):
    ticket = taken(kiosk_client.post("/kiosk/ticket/", {"category": "A"}))
    other = Client()
    assert other.get(f"/kiosk/activate/{DEMO_KIOSK_KEY}/").status_code == 302
    assert other.get(f"/kiosk/ticket/{ticket.pk}/").status_code == 404


def test_an_appointment_is_checked_in_with_its_code(kiosk_client):
    zhang = citizen_account("张伟")
    with time_machine.travel(MONDAY_MORNING, tick=False):
        appointment = appointment_book(
            actor=citizen_actor(zhang.user, zhang.person_id),
            agency=zhang.person.managing_agency,
            day=MONDAY_MORNING.date(),
            start=dt.time(9, 0),
            person=zhang.person,
        )
        wrong = kiosk_client.post("/kiosk/check-in/", {"code": "00000000"})
        assert "HALL-APPT-UNKNOWN" in wrong.content.decode()
        ticket = taken(kiosk_client.post("/kiosk/check-in/", {"code": appointment.code}))
    assert (ticket.category, ticket.person_id) == ("B", zhang.person_id)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN


def test_a_visitor_prints_the_certificate_at_the_kiosk(kiosk_client):
    zhang = demo_person("张伟")
    visitor_signs_in(kiosk_client, zhang)
    done = kiosk_client.post("/kiosk/me/certificate/")
    assert done.status_code == 302
    document = IssuedDocument.objects.filter(person=zhang).latest("issued_at")
    assert document.channel == "kiosk"
    assert document.code in kiosk_client.get(done.url).content.decode()
    pdf = kiosk_client.get(f"/kiosk/me/certificate/{document.code}/pdf/")
    text = "".join(page.extract_text() or "" for page in PdfReader(BytesIO(pdf.content)).pages)
    assert "参保缴费证明" in text
    assert "张伟" in text


def test_a_visitor_cannot_open_another_visitors_certificate(kiosk_client):
    wang = demo_person("王芳")
    wang_account = citizen_account("王芳")
    from shebao.documents.services import personal_certificate_issue

    actor: Actor = citizen_actor(wang_account.user, wang.pk)
    issued = personal_certificate_issue(actor=actor, person=wang, channel="web")
    visitor_signs_in(kiosk_client, demo_person("张伟"))
    code = issued.document.code
    assert kiosk_client.get(f"/kiosk/me/certificate/{code}/pdf/").status_code == 404
    assert kiosk_client.get(f"/kiosk/me/certificate/{code}/").status_code == 404


def test_a_visitor_sees_the_account_balance(kiosk_client):
    from shebao.accounts.selectors import account_summary
    from shebao.core.money import format_yuan

    zhang = demo_person("张伟")
    visitor_signs_in(kiosk_client, zhang)
    page = kiosk_client.get("/kiosk/me/account/").content.decode()
    assert 'data-testid="kiosk-balance"' in page
    assert format_yuan(account_summary(zhang).balance_fen) in page


def test_a_retiree_certifies_at_the_kiosk(kiosk_client):
    pension = Pension.objects.filter(status=PensionStatus.ACTIVE).select_related("person").first()
    assert pension is not None
    person = pension.person
    person.phone = "13807199999"
    person.save(update_fields=["phone"])
    visitor_signs_in(kiosk_client, person)
    assert 'data-testid="kiosk-certify"' in kiosk_client.get("/kiosk/menu/").content.decode()
    page = kiosk_client.post("/kiosk/me/certify/").content.decode()
    assert 'data-testid="kiosk-certified"' in page
    case = Case.objects.get(applicant_person=person, item__code="SBQL001")
    assert (case.channel, case.status) == ("kiosk", CaseStatus.DONE)
    assert Certification.objects.filter(pension=pension).latest("id").channel == "kiosk"


def test_a_visitor_takes_a_ticket_in_their_name(kiosk_client):
    zhang = demo_person("张伟")
    visitor_signs_in(kiosk_client, zhang)
    ticket = taken(kiosk_client.post("/kiosk/me/ticket/"))
    assert (ticket.category, ticket.person_id) == ("A", zhang.pk)
    again = kiosk_client.post("/kiosk/me/ticket/")
    assert "HALL-TICKET-HELD" in again.content.decode()


def test_visitor_pages_end_with_an_idle_visit(kiosk_client, settings):
    settings.KIOSK_IDLE_SECONDS = 60
    visitor_signs_in(kiosk_client, demo_person("张伟"))
    assert kiosk_client.get("/kiosk/me/account/").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        idle = kiosk_client.get("/kiosk/me/account/")
        assert idle.status_code == 302
        assert idle.url == "/kiosk/sign-in/?timeout=1"
        assert KIOSK_PERSON not in kiosk_client.session
        # the next walk-in's ticket is anonymous
        ticket = taken(kiosk_client.post("/kiosk/ticket/", {"category": "A"}))
    assert ticket.person is None
