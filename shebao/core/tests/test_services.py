"""Core services: agencies, claims, roles, the demo seed."""

from __future__ import annotations

import pytest

from shebao.core.actors import Actor
from shebao.core.audit import audit_chain_verify
from shebao.core.demo import DEMO_USERS, seed_all_apps
from shebao.core.errors import RuleViolation
from shebao.core.models import Agency, AuditEntry, PermissionClaim, Role, Staff
from shebao.core.permissions import staff_can
from shebao.core.selectors import agencies_in_scope
from shebao.core.services import agency_create, claim_grant, claim_revoke, role_define


def test_demo_tree_has_the_shiyan_agencies_of_the_launch_report(agency):
    shiyan = agency("420300")
    children = {a.code: a.division_code for a in shiyan.children.all()}
    assert children == {
        "420302": "420302",
        "420303": "420303",
        "420300-01": "420300",
        "420300-02": "420300",
    }
    assert agency("420302").path == "/420000/420300/420302/"
    assert agency("420102").parent == agency("420100")


def test_seed_demo_is_idempotent(demo):
    entries = AuditEntry.objects.count()
    counts = (Agency.objects.count(), Staff.objects.count(), PermissionClaim.objects.count())
    seed_all_apps(bulk=False)
    assert AuditEntry.objects.count() == entries
    assert (
        Agency.objects.count(),
        Staff.objects.count(),
        PermissionClaim.objects.count(),
    ) == counts
    assert {s.user.username for s in Staff.objects.all()} >= {d.username for d in DEMO_USERS}


def test_seed_demo_restores_a_changed_demo_password(demo):
    user = Staff.objects.get(user__username="clerk_wuhan").user
    user.set_password("Changed-Pass-2026")
    user.save()
    seed_all_apps(bulk=False)
    user.refresh_from_db()
    assert user.check_password("Shebao-Demo-2026")
    assert AuditEntry.objects.latest("id").action == "staff.password"


def open_district(system: Actor, parent: Agency, code: str = "420304") -> Agency:
    return agency_create(
        actor=system,
        code=code,
        division_code=code[:6] if code[:6].isdigit() else "420304",
        name="郧阳区社保经办机构",
        name_en="Yunyang District Social Insurance Office",
        level="district",
        parent=parent,
    )


@pytest.mark.parametrize(
    ("code", "parent_code", "rule"),
    [
        ("420304", "420000", "CORE-AGENCY-LEVEL"),  # a district under the province
        ("42030", "420300", "CORE-AGENCY-CODE"),
        ("4203040", "420300", "CORE-AGENCY-CODE"),
        ("420304-1", "420300", "CORE-AGENCY-CODE"),
        ("ABCDEF", "420300", "CORE-AGENCY-CODE"),
        ("420302", "420300", "CORE-AGENCY-DUPLICATE"),
    ],
)
def test_misplaced_or_malformed_agency_is_refused(system, agency, code, parent_code, rule):
    agencies = Agency.objects.count()
    with pytest.raises(RuleViolation) as refused:
        open_district(system, agency(parent_code), code)
    assert refused.value.code == rule
    assert Agency.objects.count() == agencies


def test_new_agency_is_created_audited_and_in_the_city_scope(system, agency, actor_of):
    yunyang = open_district(system, agency("420300"))
    assert yunyang.path == "/420000/420300/420304/"
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.target_id) == ("agency.create", str(yunyang.pk))
    assert entry.after is not None
    assert entry.after["parent"] == agency("420300").pk
    assert yunyang in agencies_in_scope(actor_of("fund_shiyan"))
    assert yunyang not in agencies_in_scope(actor_of("clerk_maojian"))


def test_nobody_grants_themself_a_permission(actor_of):
    head = actor_of("head_maojian")
    own = Staff.objects.get(user__username="head_maojian")
    with pytest.raises(RuleViolation) as refused:
        claim_grant(actor=head, staff=own, role_code="fund_officer", item_scope="*")
    assert refused.value.code == "CORE-CLAIM-SELF"
    assert not PermissionClaim.objects.filter(staff=own, role__code="fund_officer").exists()


def test_claim_for_a_category_covers_only_that_category(demo):
    clerk = Staff.objects.get(user__username="clerk_zhangwan")
    assert staff_can(clerk, "accept", category="registration")
    assert staff_can(clerk, "accept", category="collection")
    assert not staff_can(clerk, "accept", category="benefit")
    assert not staff_can(clerk, "review", category="registration")


def test_claim_for_one_item_covers_that_item(actor_of):
    head = actor_of("head_maojian")
    clerk = Staff.objects.get(user__username="clerk_maojian")
    claim_grant(actor=head, staff=clerk, role_code="reviewer", item_scope="item:REG-001")
    clerk = Staff.objects.get(pk=clerk.pk)
    assert staff_can(clerk, "review", item_code="REG-001", category="registration")
    assert not staff_can(clerk, "review", item_code="REG-002", category="registration")


def test_duplicate_claim_is_refused(actor_of):
    head = actor_of("head_maojian")
    clerk = Staff.objects.get(user__username="clerk_maojian")
    with pytest.raises(RuleViolation) as refused:
        claim_grant(actor=head, staff=clerk, role_code="clerk", item_scope="*")
    assert refused.value.code == "CORE-CLAIM-EXISTS"


def test_revoking_a_claim_takes_the_permission_away_and_is_audited(actor_of):
    head = actor_of("head_maojian")
    reviewer = Staff.objects.get(user__username="reviewer_maojian")
    claim = PermissionClaim.objects.get(staff=reviewer, role__code="reviewer")
    claim_revoke(actor=head, claim=claim)
    reviewer = Staff.objects.get(pk=reviewer.pk)
    assert not staff_can(reviewer, "review")
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "claim.revoke"
    assert entry.before == {"staff": "reviewer_maojian", "role": "reviewer", "item_scope": "*"}
    assert audit_chain_verify().intact


def test_inactive_staff_can_do_nothing(demo):
    clerk = Staff.objects.get(user__username="clerk_maojian")
    clerk.user.is_active = False
    clerk.user.save()
    assert not staff_can(clerk, "accept")


def test_role_define_writes_only_real_changes(system):
    entries = AuditEntry.objects.count()
    role_define(
        actor=system, code="clerk", name="受理员", name_en="Counter clerk", actions=["accept"]
    )
    assert AuditEntry.objects.count() == entries
    role_define(
        actor=system,
        code="clerk",
        name="受理员",
        name_en="Counter clerk",
        actions=["accept", "review"],
    )
    assert Role.objects.get(code="clerk").actions == ["accept", "review"]
    assert AuditEntry.objects.latest("id").before == {
        "code": "clerk",
        "name": "受理员",
        "name_en": "Counter clerk",
        "actions": ["accept"],
    }
