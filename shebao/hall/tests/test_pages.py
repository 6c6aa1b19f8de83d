"""The hall's pages: the console calls through the services, the public board shows numbers
and windows only, a clerk of another agency finds nothing of this hall."""

from __future__ import annotations

import pytest

from shebao.hall.models import HomeVisit, Ticket, TicketStatus
from shebao.hall.services import ticket_call_next, ticket_take
from shebao.hall.tests.support import empty_hall, seated, take
from shebao.registry.demo import demo_person

pytestmark = pytest.mark.django_db


def test_the_console_signs_in_and_calls_the_next_ticket(login, actor_of):
    agency = empty_hall()
    clerk = actor_of("clerk_maojian")
    green = take(clerk, agency, "G", "elderly")
    take(clerk, agency)
    client = login("clerk_maojian")
    page = client.get("/hall/").content.decode()
    assert 'data-testid="sign-in-1"' in page
    one = agency.windows.get(number=1)
    assert client.post(f"/hall/windows/{one.pk}/sign-in/").status_code == 302
    assert client.post("/hall/call/").status_code == 302
    green.refresh_from_db()
    assert (green.status, green.window_id) == (TicketStatus.CALLED, one.pk)
    page = client.get("/hall/").content.decode()
    assert green.code in page
    client.post(f"/hall/tickets/{green.pk}/start/")
    client.post(f"/hall/tickets/{green.pk}/finish/")
    green.refresh_from_db()
    assert green.status == TicketStatus.DONE


def test_reception_issues_a_ticket_and_shows_its_slip(login):
    agency = empty_hall()
    client = login("clerk_maojian")
    zhang = demo_person("张伟")
    response = client.post(
        "/hall/reception/",
        {"category": "G", "priority_reason": "disabled", "resident_id": zhang.resident_id},
    )
    ticket = Ticket.objects.get(agency=agency)
    assert response["Location"] == f"/hall/tickets/{ticket.pk}/slip/"
    assert (ticket.code, ticket.person, ticket.source) == ("G001", zhang, "reception")
    slip = client.get(response["Location"]).content.decode()
    assert "G001" in slip
    assert 'data-testid="ticket-slip"' in slip


def test_the_board_shows_the_call_and_no_personal_data(client, actor_of):
    agency = empty_hall()
    clerk = actor_of("clerk_maojian")
    zhang = demo_person("张伟")
    ticket = ticket_take(actor=clerk, agency=agency, category="A", channel="counter", person=zhang)
    take(clerk, agency)
    ticket_call_next(actor=clerk, window=seated(clerk, agency, 3))
    page = client.get("/hall/420302/board/").content.decode()  # no login: the hall's screen
    calls = client.get("/hall/420302/board/calls/").content.decode()
    for body in (page, calls):
        assert 'data-testid="board-latest-code">A001<' in body
        assert "请A001号到3号窗口办理" in body
        assert 'data-testid="board-waiting-A">1<' in body
        assert zhang.name not in body
        assert zhang.resident_id not in body
        assert "黄宇娇" not in body  # nor the clerk
    assert f'data-stamp="{ticket.pk}-1-' in calls
    assert client.get("/hall/999999/board/").status_code == 404


def test_a_clerk_of_another_agency_finds_nothing_of_this_hall(login, actor_of):
    agency = empty_hall()
    clerk = actor_of("clerk_maojian")
    ticket = take(clerk, agency)
    client = login("clerk_zhangwan")
    assert client.get(f"/hall/tickets/{ticket.pk}/slip/").status_code == 404
    assert client.post(f"/hall/tickets/{ticket.pk}/skip/").status_code == 404
    maojian_window = agency.windows.get(number=1)
    assert client.post(f"/hall/windows/{maojian_window.pk}/sign-in/").status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING


def test_the_hall_overview_lists_the_day(login):
    client = login("head_maojian")
    page = client.get("/hall/overview/").content.decode()
    # The demo morning: tickets served at window 1 with their waits and service times.
    assert 'data-testid="tickets"' in page
    assert "A003" in page
    assert "1号窗口" in page


def test_a_next_address_off_the_site_is_ignored(login, actor_of):
    agency = empty_hall()
    clerk = actor_of("clerk_maojian")
    take(clerk, agency)
    called = ticket_call_next(actor=clerk, window=seated(clerk, agency, 1))
    assert called is not None
    client = login("clerk_maojian")
    response = client.post(f"/hall/tickets/{called.pk}/recall/", {"next": "https://evil.example/"})
    assert response["Location"] == "/hall/"


def test_a_clerk_requests_a_home_visit_from_the_persons_page(login):
    client = login("clerk_maojian")
    zhang = demo_person("张伟")
    page = client.get(f"/registry/persons/{zhang.pk}/").content.decode()
    assert f"/hall/persons/{zhang.pk}/home-visit/" in page
    response = client.post(
        f"/hall/persons/{zhang.pk}/home-visit/",
        {
            "address": "十堰市茅箭区人民北路 1 号",
            "phone": "13907190001",
            "reason": "elderly",
            "needed_items": "SBQL001",
        },
    )
    visit = HomeVisit.objects.get(person=zhang)
    assert response["Location"] == f"/hall/home-visits/{visit.pk}/"
    assert (visit.case.item.code, visit.case.channel, visit.needed_items) == (
        "SBCT014",
        "counter",
        ["SBQL001"],
    )
    listed = client.get("/hall/home-visits/").content.decode()
    assert visit.case.receipt_no in listed
    # Not for a clerk of another district.
    client.logout()
    assert login("clerk_zhangwan").get(f"/hall/home-visits/{visit.pk}/").status_code == 404
