"""Data scope: staff see and change only their agency's subtree; elsewhere is 'not found'."""

from __future__ import annotations

import pytest
from django.db.models import QuerySet

from shebao.core.models import AuditEntry, PermissionClaim, Staff
from shebao.core.permissions import OutOfScope, PermissionRefused
from shebao.core.selectors import agencies_in_scope, staff_get, staff_in_scope
from shebao.core.services import claim_grant

ZHANGWAN_STAFF = {"clerk_zhangwan", "reviewer_zhangwan"}
MAOJIAN_STAFF = {"clerk_maojian", "reviewer_maojian", "head_maojian"}


def usernames(queryset: QuerySet[Staff]) -> set[str]:
    return {s.user.username for s in queryset}


def test_district_clerk_lists_only_own_district(actor_of):
    assert usernames(staff_in_scope(actor_of("clerk_maojian"))) == MAOJIAN_STAFF


def test_city_fund_officer_sees_every_district_of_the_city_but_not_wuhan(actor_of):
    seen = usernames(staff_in_scope(actor_of("fund_shiyan")))
    assert seen == MAOJIAN_STAFF | ZHANGWAN_STAFF | {"fund_shiyan", "head_shiyan", "clerk_shiyan"}
    assert "clerk_wuhan" not in seen


def test_province_administrator_sees_the_whole_province(actor_of):
    seen = usernames(staff_in_scope(actor_of("admin")))
    assert {"clerk_wuhan", "clerk_zhangwan", "fund_shiyan", "admin"} <= seen


def test_agency_tree_is_scoped(actor_of):
    codes = {a.code for a in agencies_in_scope(actor_of("clerk_wuhan"))}
    assert codes == {"420102"}
    city = {a.code for a in agencies_in_scope(actor_of("fund_shiyan"))}
    assert city == {"420300", "420302", "420303", "420300-01", "420300-02"}


def test_selector_refuses_out_of_scope_record(actor_of):
    with pytest.raises(OutOfScope):
        staff_get(actor_of("clerk_maojian"), "clerk_zhangwan")


def test_maojian_clerk_cannot_list_view_or_change_a_zhangwan_record(login):
    client = login("clerk_maojian")
    claims_before = PermissionClaim.objects.filter(staff__user__username="clerk_zhangwan").count()

    listing = client.get("/staff/", {"q": "zhangwan"})
    assert listing.status_code == 200
    assert b"clerk_zhangwan" not in listing.content

    assert client.get("/staff/clerk_zhangwan/").status_code == 404
    change = client.post("/staff/clerk_zhangwan/claims/", {"role": "head", "item_scope": "*"})
    assert change.status_code == 404
    claim = PermissionClaim.objects.filter(staff__user__username="clerk_zhangwan").earliest("id")
    revoke = client.post(f"/staff/clerk_zhangwan/claims/{claim.pk}/revoke/")
    assert revoke.status_code == 404

    after = PermissionClaim.objects.filter(staff__user__username="clerk_zhangwan").count()
    assert after == claims_before


def test_agency_head_cannot_change_a_record_of_a_sibling_district(actor_of, demo):
    head = actor_of("head_maojian")
    other = staff_in_scope(actor_of("admin")).get(user__username="clerk_zhangwan")
    entries_before = AuditEntry.objects.count()
    with pytest.raises(OutOfScope):
        claim_grant(actor=head, staff=other, role_code="head", item_scope="*")
    assert not PermissionClaim.objects.filter(staff=other, role__code="head").exists()
    assert AuditEntry.objects.count() == entries_before


def test_clerk_without_configure_permission_is_refused_in_own_district(actor_of):
    clerk = actor_of("clerk_maojian")
    colleague = staff_get(clerk, "reviewer_maojian")
    with pytest.raises(PermissionRefused) as refused:
        claim_grant(actor=clerk, staff=colleague, role_code="head", item_scope="*")
    assert refused.value.code == "CORE-PERMISSION"


def test_out_of_scope_view_answers_404_and_in_scope_view_200(login):
    client = login("head_maojian")
    assert client.get("/staff/clerk_maojian/").status_code == 200
    assert client.get("/staff/clerk_wuhan/").status_code == 404


def test_audit_log_page_shows_only_entries_of_own_subtree(login):
    client = login("head_maojian")
    body = client.get("/audit/", {"action": "staff.create"}).content.decode()
    # head_maojian sees the creation of Maojian staff, not of Zhangwan's or Wuhan's.
    for username in MAOJIAN_STAFF:
        assert f"core.staff:{Staff.objects.get(user__username=username).pk}<" in body
    for username in ZHANGWAN_STAFF | {"clerk_wuhan"}:
        assert f"core.staff:{Staff.objects.get(user__username=username).pk}<" not in body


def test_clerk_cannot_read_the_audit_log(login):
    assert login("clerk_maojian").get("/audit/").status_code == 403
