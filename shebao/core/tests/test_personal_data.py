"""Full personal data: who may reveal which field, and every reveal audited."""

from __future__ import annotations

import pytest

from shebao.core.actors import staff_actor
from shebao.core.masking import mask_bank_account, mask_phone, mask_resident_id
from shebao.core.models import Action, AuditEntry, PermissionClaim, Role, Staff
from shebao.core.personal_data import (
    REVEAL_ACTIONS,
    FieldKind,
    RevealRefused,
    mask_in,
    mask_text,
    may_reveal,
    personal_data,
)
from shebao.core.tests.test_api import issue_token
from shebao.registry.demo import demo_person
from shebao.registry.models import Person

ACCOUNT = "6222021234567890123"


def person_with_account() -> Person:
    zhang = demo_person("张伟")
    zhang.bank_name = "中国工商银行"
    zhang.bank_account = ACCOUNT
    zhang.save()
    return zhang


ALL_KINDS = {
    FieldKind.RESIDENT_ID,
    FieldKind.PHONE,
    FieldKind.BANK_ACCOUNT,
    FieldKind.STAFF_PHONE,
}

# The policy, spelled out: changing personal_data.REVEAL_ACTIONS must change this table too.
POLICY = {
    FieldKind.RESIDENT_ID: {Action.ACCEPT, Action.REVIEW, Action.APPROVE, Action.AUDIT},
    FieldKind.PHONE: {Action.ACCEPT, Action.REVIEW, Action.APPROVE, Action.AUDIT},
    FieldKind.BANK_ACCOUNT: {Action.REVIEW, Action.APPROVE, Action.RUN_BATCH, Action.AUDIT},
    FieldKind.STAFF_PHONE: {Action.CONFIGURE, Action.AUDIT},
}

# What each demo role may reveal, by the policy above.
BY_ROLE = {
    "clerk": {FieldKind.RESIDENT_ID, FieldKind.PHONE},
    "reviewer": {FieldKind.RESIDENT_ID, FieldKind.PHONE, FieldKind.BANK_ACCOUNT},
    "head": ALL_KINDS,
    "fund_officer": {FieldKind.BANK_ACCOUNT},
    "admin": ALL_KINDS,
    "auditor": ALL_KINDS,
}


def test_the_policy_is_the_documented_table():
    assert {kind: set(actions) for kind, actions in REVEAL_ACTIONS.items()} == POLICY


@pytest.mark.parametrize(("role_code", "kinds"), sorted(BY_ROLE.items()))
def test_each_role_reveals_exactly_its_fields(demo, role_code, kinds):
    staff = Staff.objects.get(user__username="reviewer_maojian")
    PermissionClaim.objects.filter(staff=staff).delete()
    PermissionClaim.objects.create(staff=staff, role=Role.objects.get(code=role_code))
    actor = staff_actor("reviewer_maojian")
    assert {kind for kind in ALL_KINDS if may_reveal(actor, kind)} == kinds


def test_staff_without_roles_reveal_nothing(demo):
    PermissionClaim.objects.filter(staff__user__username="reviewer_maojian").delete()
    actor = staff_actor("reviewer_maojian")
    assert not any(may_reveal(actor, kind) for kind in ALL_KINDS)


def test_masked_by_default_and_nothing_recorded(demo):
    zhang = demo_person("张伟")
    before = AuditEntry.objects.count()
    shown = personal_data(
        staff_actor("clerk_maojian"),
        zhang,
        {"resident_id": (FieldKind.RESIDENT_ID, zhang.resident_id)},
        full=False,
        target_agency=zhang.managing_agency,
    )
    assert shown["resident_id"] == mask_resident_id(zhang.resident_id)
    assert shown.can_reveal
    assert shown.full == ()
    assert AuditEntry.objects.count() == before


def test_a_reveal_shows_only_allowed_fields_and_records_them(demo):
    zhang = person_with_account()
    shown = personal_data(
        staff_actor("fund_shiyan"),
        zhang,
        {
            "resident_id": (FieldKind.RESIDENT_ID, zhang.resident_id),
            "bank_account": (FieldKind.BANK_ACCOUNT, zhang.bank_account),
        },
        full=True,
        target_agency=zhang.managing_agency,
    )
    assert shown["bank_account"] == ACCOUNT
    assert shown["resident_id"] == mask_resident_id(zhang.resident_id)
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.actor_username, entry.target_id) == (
        "person.view_full",
        "fund_shiyan",
        str(zhang.pk),
    )
    assert entry.after == {"fields": ["bank_account"]}
    assert entry.target_agency_path == zhang.managing_agency.path


def test_a_reveal_with_no_allowed_field_is_refused_and_not_recorded(demo):
    zhang = demo_person("张伟")
    before = AuditEntry.objects.count()
    with pytest.raises(RevealRefused) as refused:
        personal_data(
            staff_actor("clerk_maojian"),
            zhang,
            {"bank_account": (FieldKind.BANK_ACCOUNT, zhang.bank_account)},
            full=True,
            target_agency=zhang.managing_agency,
        )
    assert refused.value.code == "CORE-REVEAL"
    assert "银行账号" in refused.value.message_zh
    assert AuditEntry.objects.count() == before


def test_personal_numbers_inside_recorded_values_are_masked():
    value = {
        "key": "demo:death:420302197003120470:migrated",
        "person": "42030219700312047X",
        "phones": ["13812345678", 13812345678],
        "bank_account": "6247895517171878657",
        "amount_fen": 12000000,
        "hash": "a1234567890123456789b",
        "flag": True,
    }
    assert mask_in(value) == {
        "key": "demo:death:420302********0470:migrated",
        "person": "420302********047X",
        "phones": ["138****5678", "138****5678"],
        "bank_account": mask_bank_account("6247895517171878657"),
        "amount_fen": 12000000,
        "hash": "a1234567890123456789b",
        "flag": True,
    }
    assert mask_text("call 13812345678 now") == f"call {mask_phone('13812345678')} now"


# The pages.


def test_the_staff_page_masks_the_phone_until_an_administrator_asks(login):
    client = login("admin")
    body = client.get("/staff/clerk_maojian/").content.decode()
    assert "13907190001" not in body
    assert "?full=1" in body
    before = AuditEntry.objects.count()
    body = client.get("/staff/clerk_maojian/", {"full": "1"}).content.decode()
    assert "13907190001" in body
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.actor_username, entry.after) == (
        "staff.view_full",
        "admin",
        {"fields": ["phone"]},
    )


def test_a_clerk_cannot_reveal_a_colleagues_phone(login):
    client = login("clerk_maojian")
    body = client.get("/staff/reviewer_maojian/").content.decode()
    assert "?full=1" not in body
    response = client.get("/staff/reviewer_maojian/", {"full": "1"})
    assert response.status_code == 403
    assert "13907190002" not in response.content.decode()


def test_the_person_page_reveals_per_role(login):
    zhang = person_with_account()
    client = login("reviewer_maojian")
    text = client.get(f"/registry/persons/{zhang.pk}/").content.decode()
    assert zhang.resident_id not in text
    assert ACCOUNT not in text
    text = client.get(f"/registry/persons/{zhang.pk}/", {"full": "1"}).content.decode()
    assert zhang.resident_id in text
    assert ACCOUNT in text
    entry = AuditEntry.objects.latest("id")
    assert entry.after == {"fields": ["resident_id", "phone", "bank_account"]}


def test_the_employer_page_keeps_the_bank_account_masked_for_a_clerk(login):
    from shebao.registry.demo import demo_employer

    firm = demo_employer("十堰市示范超市有限公司")
    firm.bank_account = "6222021234567890123"
    firm.contact_phone = "13907199999"
    firm.save()
    body = login("clerk_maojian").get(f"/registry/employers/{firm.pk}/", {"full": "1"})
    text = body.content.decode()
    assert "6222021234567890123" not in text
    assert "13907199999" in text
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.after) == ("employer.view_full", {"fields": ["contact_phone"]})


def test_the_home_visit_page_masks_the_contact_phone_until_asked(login):
    from shebao.hall.models import HomeVisit

    zhang = demo_person("张伟")
    client = login("clerk_maojian")
    client.post(
        f"/hall/persons/{zhang.pk}/home-visit/",
        {"address": "十堰市茅箭区人民北路 1 号", "phone": "13907191234", "reason": "elderly"},
    )
    visit = HomeVisit.objects.get(person=zhang)
    body = client.get(f"/hall/home-visits/{visit.pk}/").content.decode()
    assert "13907191234" not in body
    assert "139****1234" in body
    body = client.get(f"/hall/home-visits/{visit.pk}/", {"full": "1"}).content.decode()
    assert "13907191234" in body
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.target_id, entry.after) == (
        "homevisit.view_full",
        str(visit.pk),
        {"fields": ["phone"]},
    )


def test_the_staff_api_reveals_only_on_request(client, demo):
    token = issue_token("admin")
    headers = {"Authorization": f"Bearer {token}"}
    masked = client.get("/api/v1/staff/clerk_maojian", headers=headers).json()
    assert masked["phone"] == "139****0001"
    before = AuditEntry.objects.count()
    full = client.get("/api/v1/staff/clerk_maojian?full=true", headers=headers).json()
    assert full["phone"] == "13907190001"
    assert AuditEntry.objects.count() == before + 1
    assert AuditEntry.objects.latest("id").channel == "api"
    clerk = {"Authorization": f"Bearer {issue_token('clerk_maojian')}"}
    refused = client.get("/api/v1/staff/reviewer_maojian?full=true", headers=clerk)
    assert refused.status_code == 403
    assert refused.json()["code"] == "CORE-REVEAL"
