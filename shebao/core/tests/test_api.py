"""API tokens: a token acts with exactly its user's permissions and data scope."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from shebao.core.models import ApiToken, AuditEntry, PermissionClaim, Staff


def issue_token(username: str) -> str:
    out = StringIO()
    call_command("api_token", username, "--label", "tests", stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def api(client, demo):
    def call(method: str, path: str, token: str | None, **kwargs):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return getattr(client, method)(f"/api/v1{path}", headers=headers, **kwargs)

    return call


def test_api_token_command_prints_a_token_and_stores_only_its_hash(demo):
    token = issue_token("clerk_maojian")
    assert token.startswith("sb_")
    assert len(token) > 40
    row = ApiToken.objects.get(user__username="clerk_maojian")
    assert token not in (row.key_hash, row.key_prefix)
    assert token.startswith(row.key_prefix)
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "api_token.issue"
    assert token not in str(entry.after)


def test_api_token_command_refuses_unknown_user(demo):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("api_token", "nobody")


def test_request_without_or_with_a_bad_token_is_refused(api):
    assert api("get", "/me", None).status_code == 401
    assert api("get", "/me", "sb_not-a-real-token").status_code == 401


def test_revoked_token_is_refused(api):
    token = issue_token("clerk_maojian")
    ApiToken.objects.filter(user__username="clerk_maojian").update(revoked_at=timezone.now())
    assert api("get", "/me", token).status_code == 401


def test_token_of_an_inactive_user_is_refused(api):
    token = issue_token("clerk_maojian")
    Staff.objects.get(user__username="clerk_maojian").user.__class__.objects.filter(
        username="clerk_maojian"
    ).update(is_active=False)
    assert api("get", "/me", token).status_code == 401


def test_me_describes_the_token_user(api):
    body = api("get", "/me", issue_token("clerk_maojian")).json()
    assert body["username"] == "clerk_maojian"
    assert body["agency"] == "420302"
    assert body["can"] == {
        "accept": True,
        "review": False,
        "approve": False,
        "run_batch": False,
        "configure": False,
        "audit": False,
    }


def test_clerk_token_carries_exactly_the_clerks_scope(api):
    token = issue_token("clerk_maojian")
    listed = {s["username"] for s in api("get", "/staff", token).json()}
    assert listed == {"clerk_maojian", "reviewer_maojian", "head_maojian"}
    assert all("****" in s["phone"] for s in api("get", "/staff", token).json())
    assert {a["code"] for a in api("get", "/agencies", token).json()} == {"420302"}

    absent = api("get", "/staff/clerk_zhangwan", token)
    assert absent.status_code == 404
    assert absent.json()["code"] == "CORE-SCOPE"

    refused = api(
        "post",
        "/staff/reviewer_maojian/claims",
        token,
        data={"role": "head", "item_scope": "*"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "CORE-PERMISSION"
    assert api("get", "/audit", token).status_code == 403


def test_head_token_grants_in_own_district_only(api):
    token = issue_token("head_maojian")
    granted = api(
        "post",
        "/staff/clerk_maojian/claims",
        token,
        data={"role": "reviewer", "item_scope": "category:registration"},
        content_type="application/json",
    )
    assert granted.status_code == 201
    assert granted.json() == {
        "role": "reviewer",
        "actions": ["approve", "review"],
        "item_scope": "category:registration",
    }
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.channel, entry.actor_username) == (
        "claim.grant",
        "api",
        "head_maojian",
    )

    before = PermissionClaim.objects.filter(staff__user__username="clerk_zhangwan").count()
    outside = api(
        "post",
        "/staff/clerk_zhangwan/claims",
        token,
        data={"role": "head", "item_scope": "*"},
        content_type="application/json",
    )
    assert outside.status_code == 404
    assert PermissionClaim.objects.filter(staff__user__username="clerk_zhangwan").count() == before


def test_bad_input_gets_a_rule_code_in_both_languages(api):
    token = issue_token("head_maojian")
    response = api(
        "post",
        "/staff/clerk_maojian/claims",
        token,
        data={"role": "clerk", "item_scope": "all of them"},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "CORE-CLAIM-SCOPE"
    assert "事项范围" in body["message_zh"]
    assert "Item scope" in body["message_en"]


def test_audit_api_lists_entries_of_own_subtree(api):
    token = issue_token("head_maojian")
    body = api("get", "/audit", token, data={"action": "staff.create", "limit": 100}).json()
    created = {entry["after"]["username"] for entry in body["items"]}
    assert created == {"clerk_maojian", "reviewer_maojian", "head_maojian"}


def test_openapi_schema_is_served(client, demo):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/staff/{username}" in schema["paths"]
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
