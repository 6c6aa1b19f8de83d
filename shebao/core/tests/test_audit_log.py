"""Searching and exporting the audit log: filters, scope, rule-coded refusals, audited export."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from shebao.core import actors
from shebao.core.audit import audit_record
from shebao.core.audit_log import AuditFilters, audit_export, audit_search
from shebao.core.errors import RuleViolation
from shebao.core.models import AuditEntry, Channel, PermissionClaim, Role, Staff
from shebao.core.permissions import PermissionRefused
from shebao.core.tests.test_api import issue_token

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def record(username: str, action: str, *, channel: str = Channel.COUNTER, ip: str = "10.0.0.1"):
    actor = actors.staff_actor(username, channel, client_ip=ip)
    with transaction.atomic():
        return audit_record(
            actor=actor,
            action=action,
            target_type="test.thing",
            target_id=f"{username}-{action}",
            target_agency=actor.agency,
            after={"resident_id": "420302197003120470", "note": "x"},
        )


@pytest.fixture
def entries(demo):
    """Entries by a Maojian clerk (counter, yesterday), a Zhangwan clerk (web) and a Wuhan
    clerk (api, from another address)."""
    yesterday = timezone.now() - dt.timedelta(days=1)
    with time_machine.travel(yesterday, tick=True):
        maojian = record("clerk_maojian", "test.search.alpha")
    zhangwan = record("clerk_zhangwan", "test.search.beta", channel=Channel.WEB)
    wuhan = record("clerk_wuhan", "test.search.gamma", channel=Channel.API, ip="10.9.9.9")
    return {"maojian": maojian, "zhangwan": zhangwan, "wuhan": wuhan}


def found(reader: str, **filters: str) -> set[str]:
    actor = actors.staff_actor(reader)
    parsed = AuditFilters.parse({"action": "test.search."} | filters)
    return set(audit_search(actor, parsed).values_list("actor_username", flat=True))


def make_auditor(username: str) -> None:
    staff = Staff.objects.get(user__username=username)
    PermissionClaim.objects.filter(staff=staff).delete()
    PermissionClaim.objects.create(staff=staff, role=Role.objects.get(code="auditor"))


def test_scope_the_city_head_sees_its_districts_not_wuhan(entries):
    assert found("head_shiyan") == {"clerk_maojian", "clerk_zhangwan"}
    assert found("admin") == {"clerk_maojian", "clerk_zhangwan", "clerk_wuhan"}
    assert found("head_maojian") == {"clerk_maojian"}


def test_each_filter_narrows(entries):
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    assert found("admin", username="clerk_wuhan") == {"clerk_wuhan"}
    assert found("admin", action="test.search.b") == {"clerk_zhangwan"}
    assert found("admin", agency="420303") == {"clerk_zhangwan"}
    assert found("admin", agency="420300") == {"clerk_maojian", "clerk_zhangwan"}
    assert found(
        "admin", target_type="test.thing", target_id="clerk_maojian-test.search.alpha"
    ) == {"clerk_maojian"}
    assert found("admin", target_type="other") == set()
    assert found("admin", date_to=yesterday.isoformat()) == {"clerk_maojian"}
    assert found("admin", date_from=today.isoformat()) == {"clerk_zhangwan", "clerk_wuhan"}
    assert found("admin", date_from=yesterday.isoformat(), date_to=yesterday.isoformat()) == {
        "clerk_maojian"
    }
    assert found("admin", channel="web") == {"clerk_zhangwan"}
    assert found("admin", client_ip="10.9.9.9") == {"clerk_wuhan"}


@pytest.mark.parametrize(
    ("filters", "code"),
    [
        ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "CORE-AUDIT-DATES"),
        ({"date_from": "2026-13-01"}, "CORE-AUDIT-FILTER"),
        ({"channel": "fax"}, "CORE-AUDIT-FILTER"),
        ({"client_ip": "10.0.0.300"}, "CORE-AUDIT-FILTER"),
        ({"action": "x" * 61}, "CORE-AUDIT-FILTER"),
    ],
)
def test_bad_filters_are_refused_with_a_rule_code(filters, code):
    with pytest.raises(RuleViolation) as refused:
        AuditFilters.parse(filters)
    assert refused.value.code == code
    assert refused.value.message_zh
    assert refused.value.message_en


def test_an_agency_outside_the_scope_is_refused_like_an_unknown_one(entries):
    actor = actors.staff_actor("head_shiyan")
    for code in ("420102", "999999"):
        with pytest.raises(RuleViolation) as refused:
            audit_search(actor, AuditFilters.parse({"agency": code}))
        assert (refused.value.code, refused.value.params["field"]) == (
            "CORE-AUDIT-FILTER",
            "agency",
        )


def test_only_audit_log_readers_search(entries):
    for username in ("clerk_maojian", "reviewer_maojian", "fund_shiyan"):
        with pytest.raises(PermissionRefused):
            audit_search(actors.staff_actor(username), AuditFilters())
    make_auditor("reviewer_maojian")
    assert found("reviewer_maojian") == {"clerk_maojian"}


# The page and its export.


def test_the_page_filters_and_keeps_the_filters_in_the_pager_and_export_links(login, entries):
    client = login("head_shiyan")
    body = client.get("/audit/", {"action": "test.search.", "channel": "web"}).content.decode()
    assert "test.search.beta" in body
    assert "test.search.alpha" not in body
    assert "/audit/export.xlsx?" in body
    assert "channel=web" in body


def test_the_page_answers_a_backwards_range_with_the_rule(login, entries):
    response = login("admin").get("/audit/", {"date_from": "2026-03-02", "date_to": "2026-03-01"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "CORE-AUDIT-DATES" in body
    assert "test.search" not in body


def test_a_clerk_gets_403_on_the_page_and_the_export(login, entries):
    client = login("clerk_maojian")
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.xlsx").status_code == 403


def test_the_export_holds_the_filtered_entries_masked_and_is_audited(login, entries):
    client = login("head_shiyan")
    response = client.get("/audit/export.xlsx", {"action": "test.search.", "username": ""})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "#"
    by_action = {row[5]: row for row in rows[1:]}
    assert set(by_action) == {"test.search.alpha", "test.search.beta"}  # not Wuhan's
    alpha = by_action["test.search.alpha"]
    assert alpha[0] == entries["maojian"].pk
    assert alpha[2] == "clerk_maojian"
    after = str(alpha[12])
    assert "420302197003120470" not in after
    assert "420302********0470" in after
    exported = AuditEntry.objects.latest("id")
    assert (exported.action, exported.actor_username) == ("audit.export", "head_shiyan")
    assert exported.after == {"filters": {"action": "test.search."}, "rows": 2}


def test_an_export_past_the_cap_is_refused(entries, settings):
    settings.AUDIT_EXPORT_MAX_ROWS = 2
    before = AuditEntry.objects.count()
    with pytest.raises(RuleViolation) as refused:
        audit_export(actors.staff_actor("admin"), AuditFilters.parse({"action": "test.search."}))
    assert refused.value.code == "CORE-AUDIT-EXPORT-CAP"
    assert refused.value.params == {"count": 3, "cap": 2}
    assert AuditEntry.objects.count() == before


def test_the_page_export_past_the_cap_goes_back_with_the_rule(login, entries, settings):
    settings.AUDIT_EXPORT_MAX_ROWS = 1
    response = login("admin").get("/audit/export.xlsx", {"action": "test.search."}, follow=True)
    assert "CORE-AUDIT-EXPORT-CAP" in response.content.decode()


def test_a_formula_like_value_stays_text_in_the_export(demo):
    record("clerk_maojian", '=HYPERLINK("http://x")')
    output = audit_export(actors.staff_actor("admin"), AuditFilters.parse({"action": "=HYP"}))
    sheet = openpyxl.load_workbook(output).active
    assert sheet is not None
    cell = sheet.cell(row=2, column=6)
    assert cell.value == '=HYPERLINK("http://x")'
    assert cell.data_type == "s"


# The API.


def api_get(client, token: str, **params: str):
    return client.get("/api/v1/audit", params, headers={"Authorization": f"Bearer {token}"})


def test_the_api_takes_the_same_filters_and_masks_values(client, entries):
    token = issue_token("admin")
    body = api_get(client, token, action="test.search.", channel="api").json()
    assert [item["actor_username"] for item in body["items"]] == ["clerk_wuhan"]
    assert body["items"][0]["after"]["resident_id"] == "420302********0470"
    body = api_get(client, token, action="test.search.", agency="420300", limit="10").json()
    assert {item["actor_username"] for item in body["items"]} == {
        "clerk_maojian",
        "clerk_zhangwan",
    }


def test_the_api_refuses_bad_filters_with_the_rule_code(client, entries):
    token = issue_token("admin")
    response = api_get(client, token, date_from="2026-03-02", date_to="2026-03-01")
    assert response.status_code == 400
    assert response.json()["code"] == "CORE-AUDIT-DATES"
    response = api_get(client, issue_token("head_shiyan"), agency="420102")
    assert response.status_code == 400
    assert response.json()["code"] == "CORE-AUDIT-FILTER"


def test_the_api_is_403_without_the_audit_action_and_200_for_an_auditor(client, entries):
    assert api_get(client, issue_token("fund_shiyan")).status_code == 403
    make_auditor("fund_shiyan")
    body = api_get(client, issue_token("fund_shiyan"), action="test.search.").json()
    assert {item["actor_username"] for item in body["items"]} == {
        "clerk_maojian",
        "clerk_zhangwan",
    }
