"""Token scopes narrow a token within its user's permissions, per area and read or write."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shebao.api.scopes import allows, normalise_scopes
from shebao.core.errors import RuleViolation
from shebao.core.models import ApiToken, AuditEntry
from shebao.services.tests.factories import make_item, person


def test_write_includes_read_and_star_is_everything():
    assert allows("registry:write", "registry", write=False)
    assert allows("registry:write", "registry", write=True)
    assert allows("registry:read", "registry", write=False)
    assert not allows("registry:read", "registry", write=True)
    assert not allows("registry:write", "collection", write=False)
    assert allows("*", "benefits", write=True)


def test_scopes_are_checked_and_stored_sorted():
    assert normalise_scopes(["services:write", "core:read", "core:read"]) == (
        "core:read services:write"
    )
    assert normalise_scopes([]) == "*"
    with pytest.raises(RuleViolation) as refused:
        normalise_scopes(["payments:write"])
    assert refused.value.code == "API-TOKEN-SCOPE-UNKNOWN"
    with pytest.raises(RuleViolation):
        normalise_scopes(["registry:admin"])


def test_a_read_scope_reads_but_cannot_write(client, bearer):
    item = make_item("TST030", review=False)
    headers = bearer("clerk_maojian", scopes="services:read")
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    refused = client.post(
        "/api/v1/cases",
        {"item": item.code, "resident_id": person("张伟").resident_id},
        content_type="application/json",
        headers=headers,
    )
    assert refused.status_code == 403
    body = refused.json()
    assert body["code"] == "API-TOKEN-SCOPE"
    assert "services:write" in body["message_en"]
    assert "services:write" in body["message_zh"]


def test_a_scope_of_one_area_does_not_open_another(client, bearer):
    headers = bearer("clerk_maojian", scopes="collection:write")
    assert client.get("/api/v1/persons", headers=headers).status_code == 403
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 403
    assert me.json()["code"] == "API-TOKEN-SCOPE"


def test_a_scope_never_adds_to_the_users_permissions(client, bearer):
    # A clerk of 江岸区 with a registry scope still sees only 江岸区's persons.
    headers = bearer("clerk_wuhan", scopes="registry:read")
    persons = client.get("/api/v1/persons", headers=headers).json()
    maojian = person("张伟")
    assert maojian.pk not in [p["id"] for p in persons]
    assert client.get(f"/api/v1/persons/{maojian.pk}", headers=headers).status_code == 404


def test_api_token_command_takes_scopes_and_a_rate_limit(demo, capsys):
    call_command(
        "api_token",
        "fund_shiyan",
        "--scope",
        "collection:write",
        "--scope",
        "core:read",
        "--rate-limit",
        "120",
    )
    row = ApiToken.objects.filter(user__username="fund_shiyan").latest("created_at")
    assert (row.scopes, row.rate_limit_per_minute) == ("collection:write core:read", 120)
    entry = AuditEntry.objects.filter(action="api_token.issue").latest("id")
    assert entry.after is not None
    assert entry.after["scopes"] == "collection:write core:read"
    with pytest.raises(CommandError, match="API-TOKEN-SCOPE-UNKNOWN"):
        call_command("api_token", "fund_shiyan", "--scope", "everything")
