"""/api/v1/cases and /api/v1/service-items under the same permissions and scope as the pages."""

from __future__ import annotations

import pytest

from shebao.core.actors import system_actor
from shebao.core.models import User
from shebao.core.services import api_token_issue
from shebao.services.models import Case
from shebao.services.tests.factories import make_item, person


def bearer(username: str) -> dict[str, str]:
    _row, token = api_token_issue(
        actor=system_actor("tests"), user=User.objects.get(username=username)
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def item(demo):
    return make_item("TST020", review=True)


def test_service_items_are_public(client, demo):
    response = client.get("/api/v1/service-items")
    assert response.status_code == 200
    items = response.json()
    assert len(items) >= 120
    assert sum(1 for i in items if i["fully_online"]) >= 63
    assert {"code", "name", "channels", "time_limit_days", "implemented"} <= set(items[0])


def test_create_list_and_move_a_case_through_the_api(client, item):
    clerk = bearer("clerk_maojian")
    created = client.post(
        "/api/v1/cases",
        {"item": item.code, "resident_id": person("张伟").resident_id, "accept_now": True},
        content_type="application/json",
        headers=clerk,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["channel"], body["agency"]) == ("accepted", "api", "420302")
    case_id = body["id"]
    listed = client.get("/api/v1/cases", {"status": "accepted"}, headers=clerk).json()
    assert case_id in [c["id"] for c in listed]
    moved = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        {"action": "send_for_review"},
        content_type="application/json",
        headers=clerk,
    )
    assert moved.json()["status"] == "in_review"
    refused = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        {"action": "approve"},
        content_type="application/json",
        headers=clerk,
    )
    assert refused.status_code == 403
    approved = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        {"action": "approve"},
        content_type="application/json",
        headers=bearer("reviewer_maojian"),
    )
    assert approved.json()["status"] == "approved"


def test_api_keeps_other_districts_out(client, item):
    zhangwan = client.post(
        "/api/v1/cases",
        {"item": item.code, "resident_id": person("李娜").resident_id},
        content_type="application/json",
        headers=bearer("clerk_zhangwan"),
    )
    assert zhangwan.status_code == 201
    maojian = bearer("clerk_maojian")
    case_id = zhangwan.json()["id"]
    assert client.get(f"/api/v1/cases/{case_id}", headers=maojian).status_code == 404
    assert case_id not in [c["id"] for c in client.get("/api/v1/cases", headers=maojian).json()]
    foreign_applicant = client.post(
        "/api/v1/cases",
        {"item": item.code, "resident_id": person("李娜").resident_id},
        content_type="application/json",
        headers=maojian,
    )
    assert foreign_applicant.status_code == 400
    assert foreign_applicant.json()["code"] == "CASE-APPLICANT-UNKNOWN"
    assert Case.objects.filter(applicant_person__name="李娜").count() == 1
