"""Django admin changes are audited; list pages keep a fixed number of queries."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shebao.core.models import Agency, AuditEntry
from shebao.core.services import claim_grant, staff_create


def test_admin_change_of_an_agency_is_audited_with_before_and_after(login):
    client = login("admin")
    maojian = Agency.objects.get(code="420302")
    response = client.post(
        f"/admin/core/agency/{maojian.pk}/change/",
        {
            "division_code": "420302",
            "name": "茅箭区社会保险服务中心",
            "name_en": maojian.name_en,
            "level": "district",
            "address": "十堰市茅箭区北京北路",
            "phone": "0719-8888888",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.channel, entry.actor_username) == (
        "agency.change",
        "admin",
        "admin",
    )
    assert entry.before is not None
    assert entry.after is not None
    assert entry.before["name"] == "茅箭区社保经办机构"
    assert entry.after["name"] == "茅箭区社会保险服务中心"
    assert entry.target_agency_path == maojian.path


def test_admin_is_closed_to_a_clerk(login):
    response = login("clerk_maojian").get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def staff_list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/staff/")
    assert response.status_code == 200
    return len(queries)


def test_staff_list_queries_do_not_grow_with_the_rows(login, system, agency):
    client = login("admin")
    client.get("/staff/")  # warm the session
    before = staff_list_queries(client)
    for n in range(5):
        staff = staff_create(
            actor=system,
            username=f"extra_{n}",
            password="Extra-Clerk-2026",
            full_name=f"临时{n}",
            agency=agency("420303"),
        )
        claim_grant(actor=system, staff=staff, role_code="clerk", item_scope="*")
    assert staff_list_queries(client) == before
    assert before <= 12


def test_home_shows_agency_roles_and_permissions(login):
    body = login("fund_shiyan").get("/").content.decode()
    assert "十堰市社会保险局" in body
    assert "基金财务人员" in body


def test_client_ip_is_taken_from_the_trusted_proxy(settings, login, actor_of):
    settings.TRUSTED_PROXY_COUNT = 1
    client = login("head_maojian")
    client.post(
        "/staff/clerk_maojian/claims/",
        {"role": "reviewer", "item_scope": "category:benefit"},
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9",
    )
    assert AuditEntry.objects.latest("id").client_ip == "203.0.113.9"


def test_admin_revokes_an_api_token_and_the_revocation_is_audited(login, system):
    from shebao.core.models import ApiToken, User
    from shebao.core.services import api_token_issue

    row, _token = api_token_issue(actor=system, user=User.objects.get(username="clerk_wuhan"))
    client = login("admin")
    response = client.post(
        "/admin/core/apitoken/",
        {"action": "revoke_tokens", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=row.pk).revoked_at is not None
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.channel, entry.actor_username) == (
        "api_token.revoke",
        "admin",
        "admin",
    )


def test_admin_refuses_a_district_under_the_province(login):
    client = login("admin")
    province = Agency.objects.get(code="420000")
    response = client.post(
        "/admin/core/agency/add/",
        {
            "code": "420304",
            "division_code": "420304",
            "name": "郧阳区社保经办机构",
            "name_en": "Yunyang",
            "level": "district",
            "parent": province.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "CORE-AGENCY-LEVEL" in response.content.decode()
    assert not Agency.objects.filter(code="420304").exists()
