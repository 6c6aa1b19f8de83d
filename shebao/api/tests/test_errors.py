"""Every refusal of the API has one shape: code, message_zh, message_en, detail."""

from __future__ import annotations

import pytest

from shebao.core.models import User

SHAPE = {"code", "message_zh", "message_en", "detail"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) >= SHAPE
    assert body["code"] == code
    assert body["message_zh"]
    assert body["message_en"]
    return body


def test_no_credentials(client, demo):
    assert_error(client.get("/api/v1/me"), 401, "API-UNAUTHENTICATED")


def test_a_body_that_breaks_the_schema_lists_its_fields(client, bearer):
    body = assert_error(
        client.post(
            "/api/v1/cases",
            {"item": 5},
            content_type="application/json",
            headers=bearer("clerk_maojian"),
        ),
        422,
        "API-VALIDATION",
    )
    assert body["errors"]
    assert all({"loc", "type", "msg"} <= set(error) for error in body["errors"])


def test_an_unknown_path_and_a_wrong_method(client, bearer):
    headers = bearer("clerk_maojian")
    assert_error(client.get("/api/v1/no-such-thing", headers=headers), 404, "API-NOT-FOUND")
    wrong = client.delete("/api/v1/me", headers=headers)
    assert_error(wrong, 405, "API-METHOD")


def test_an_out_of_scope_record_is_not_found(client, bearer):
    from shebao.services.tests.factories import person

    body = assert_error(
        client.get(f"/api/v1/persons/{person('张伟').pk}", headers=bearer("clerk_wuhan")),
        404,
        "CORE-SCOPE",
    )
    assert body["detail"] == body["message_zh"]


def test_the_message_follows_the_language(client, demo):
    english = client.get("/api/v1/me", headers={"Accept-Language": "en"}).json()
    assert english["detail"] == english["message_en"]


def test_a_portal_session_is_not_a_staff_session(client, demo):
    citizen = User.objects.exclude(kind="staff").first()
    assert citizen is not None
    client.force_login(citizen)
    assert_error(client.get("/api/v1/me"), 403, "API-FORBIDDEN")


def test_a_fault_is_a_json_500_and_is_logged(client, bearer, monkeypatch, caplog):
    import shebao.core.api as core_api

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(core_api, "staff_permissions", broken)
    with caplog.at_level("ERROR"):
        response = client.get("/api/v1/me", headers=bearer("clerk_maojian"))
    body = assert_error(response, 500, "API-SERVER-ERROR")
    assert "boom" not in str(body)
    assert "API request failed" in caplog.text


@pytest.mark.parametrize("path", ["/api/v1/openapi.json"])
def test_the_schema_documents_the_shared_errors(client, demo, path):
    schema = client.get(path).json()
    cases = schema["paths"]["/api/v1/cases"]
    shared = {"400", "401", "403", "404", "409", "422", "429", "500"}
    assert shared <= set(cases["post"]["responses"])
    assert {"401", "422", "429"} <= set(cases["get"]["responses"])
    header = [p for p in cases["post"]["parameters"] if p["name"] == "Idempotency-Key"]
    assert len(header) == 1
    assert header[0]["in"] == "header"
    assert "ErrorOut" in schema["components"]["schemas"]
    public = schema["paths"]["/api/v1/service-items"]["get"]
    assert "401" not in public["responses"]


def test_the_api_root_is_a_json_not_found(client, bearer):
    assert_error(client.get("/api/v1/", headers=bearer("clerk_maojian")), 404, "API-NOT-FOUND")


def test_a_nul_character_is_refused_before_any_handler(client, bearer):
    headers = bearer("clerk_maojian")
    assert_error(
        client.get("/api/v1/persons", {"q": "张\x00伟"}, headers=headers), 422, "API-NUL-CHARACTER"
    )
    assert_error(
        client.post(
            "/api/v1/cases",
            '{"item": "SBCT002", "resident_id": "1\\u00002"}',
            content_type="application/json",
            headers=headers,
        ),
        422,
        "API-NUL-CHARACTER",
    )
