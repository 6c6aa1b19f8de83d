"""/api/v1/halls: the public board as JSON (numbers and windows only), and the hall's own
clerks' tickets of the day and reception tickets."""

from __future__ import annotations

import pytest

from shebao.hall.models import Ticket
from shebao.hall.services import ticket_call_next, ticket_take
from shebao.hall.tests.support import empty_hall, seated, take
from shebao.registry.demo import demo_person

pytestmark = pytest.mark.django_db


def test_the_board_needs_no_login_and_shows_no_personal_data(client, actor_of):
    agency = empty_hall()
    clerk = actor_of("clerk_maojian")
    zhang = demo_person("张伟")
    ticket_take(actor=clerk, agency=agency, category="A", channel="counter", person=zhang)
    take(clerk, agency)
    ticket_call_next(actor=clerk, window=seated(clerk, agency, 3))
    response = client.get("/api/v1/halls/420302/board")
    assert response.status_code == 200
    body = response.json()
    assert [(c["ticket"], c["window_number"]) for c in body["current"]] == [("A001", 3)]
    assert {q["category"]: q["waiting"] for q in body["queue"]}["A"] == 1
    assert zhang.name not in response.content.decode()
    assert zhang.resident_id not in response.content.decode()
    assert client.get("/api/v1/halls/999999/board").status_code == 404


def test_the_hall_clerk_lists_and_issues_tickets(client, bearer):
    empty_hall()
    headers = bearer("clerk_maojian")
    issued = client.post(
        "/api/v1/halls/420302/tickets",
        {"category": "G", "priority_reason": "elderly"},
        content_type="application/json",
        headers=headers,
    )
    assert issued.status_code == 201, issued.content
    assert (issued.json()["code"], issued.json()["source"]) == ("G001", "reception")
    listed = client.get("/api/v1/halls/420302/tickets", headers=headers).json()
    assert [t["code"] for t in listed] == ["G001"]


def test_a_green_ticket_needs_its_reason(client, bearer):
    empty_hall()
    refused = client.post(
        "/api/v1/halls/420302/tickets",
        {"category": "G"},
        content_type="application/json",
        headers=bearer("clerk_maojian"),
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "HALL-GREEN-REASON"
    assert not Ticket.objects.filter(agency__code="420302").exists()


def test_another_agencys_clerk_finds_nothing_of_this_hall(client, bearer):
    empty_hall()
    headers = bearer("clerk_zhangwan")
    assert client.get("/api/v1/halls/420302/tickets", headers=headers).status_code == 404
    refused = client.post(
        "/api/v1/halls/420302/tickets",
        {"category": "A"},
        content_type="application/json",
        headers=headers,
    )
    assert refused.status_code == 404
