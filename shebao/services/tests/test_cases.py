"""Cases: the transition table, maker-checker, data scope, attachments, due dates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from shebao.core.errors import RuleViolation
from shebao.core.models import AuditEntry, Staff
from shebao.core.permissions import OutOfScope
from shebao.core.services import claim_grant
from shebao.services.models import Case, CaseStatus
from shebao.services.selectors import case_get, cases_in_scope, review_queue
from shebao.services.services import case_attach, case_create, case_transition
from shebao.services.tests.factories import make_item, open_case, person
from shebao.services.transitions import TRANSITIONS

ALL_STATUSES = [status.value for status in CaseStatus]
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def review_item(demo):
    return make_item("TST001", review=True)


@pytest.fixture
def quick_item(demo):
    return make_item("TST002", review=False, limit=0)


def actor_for(transition_permission: str, actor_of):
    return actor_of(
        "reviewer_maojian" if transition_permission in {"review", "approve"} else "clerk_maojian"
    )


@pytest.mark.parametrize("status", ALL_STATUSES)
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_every_transition_is_allowed_exactly_from_its_sources(
    system, actor_of, review_item, quick_item, status, action
):
    transition = TRANSITIONS[action]
    item = quick_item if transition.review is False else review_item
    case = open_case(system, item, person("张伟"), accept=False)
    Case.objects.filter(pk=case.pk).update(status=status)  # put the case where the test needs it
    case.refresh_from_db()
    actor = actor_for(transition.permission, actor_of)
    if status in transition.sources:
        moved = case_transition(actor=actor, case=case, action=action, reason="核对材料")
        assert moved.status == transition.target
        assert moved.events.latest("id").action == action
        assert AuditEntry.objects.latest("id").action == f"case.{action}"
    else:
        with pytest.raises(RuleViolation) as refused:
            case_transition(actor=actor, case=case, action=action, reason="核对材料")
        assert refused.value.code == "CASE-TRANSITION-NOT-ALLOWED"
        case.refresh_from_db()
        assert case.status == status


def test_unknown_action_is_refused(system, actor_of, review_item):
    case = open_case(system, review_item, person("张伟"))
    with pytest.raises(RuleViolation) as refused:
        case_transition(actor=actor_of("clerk_maojian"), case=case, action="teleport")
    assert refused.value.code == "CASE-TRANSITION-NOT-ALLOWED"


def test_review_item_cannot_be_completed_without_review(actor_of, review_item):
    case = open_case(actor_of("clerk_maojian"), review_item, person("张伟"))
    with pytest.raises(RuleViolation) as refused:
        case_transition(actor=actor_of("clerk_maojian"), case=case, action="complete")
    assert refused.value.code == "CASE-REVIEW-NEEDED"


def test_simple_item_is_completed_without_review(actor_of, quick_item):
    case = open_case(actor_of("clerk_maojian"), quick_item, person("张伟"))
    with pytest.raises(RuleViolation) as refused:
        case_transition(actor=actor_of("clerk_maojian"), case=case, action="send_for_review")
    assert refused.value.code == "CASE-REVIEW-NOT-NEEDED"
    done = case_transition(actor=actor_of("clerk_maojian"), case=case, action="complete")
    assert done.status == CaseStatus.DONE
    assert done.finished_at is not None


def test_return_needs_a_reason(actor_of, review_item):
    case = open_case(actor_of("clerk_maojian"), review_item, person("张伟"))
    with pytest.raises(RuleViolation) as refused:
        case_transition(actor=actor_of("clerk_maojian"), case=case, action="return", reason=" ")
    assert refused.value.code == "CASE-REASON-REQUIRED"
    returned = case_transition(
        actor=actor_of("clerk_maojian"), case=case, action="return", reason="缺少劳动合同"
    )
    assert (returned.status, returned.return_reason, returned.returned_count) == (
        "returned",
        "缺少劳动合同",
        1,
    )


def test_the_clerk_who_prepared_a_case_cannot_approve_it(actor_of, review_item):
    head = actor_of("head_maojian")
    clerk_staff = Staff.objects.get(user__username="clerk_maojian")
    claim_grant(actor=head, staff=clerk_staff, role_code="reviewer", item_scope="*")
    clerk = actor_of("clerk_maojian")
    case = open_case(clerk, review_item, person("张伟"))
    case = case_transition(actor=clerk, case=case, action="send_for_review")
    with pytest.raises(RuleViolation) as refused:
        case_transition(actor=clerk, case=case, action="approve")
    assert refused.value.code == "CASE-MAKER-CHECKER"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_REVIEW
    assert case not in review_queue(clerk)
    assert case in review_queue(actor_of("reviewer_maojian"))
    approved = case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")
    assert approved.status == CaseStatus.APPROVED
    assert approved.reviewed_by is not None
    assert approved.reviewed_by.username == "reviewer_maojian"


def test_send_back_returns_the_case_to_the_clerk(actor_of, review_item):
    clerk = actor_of("clerk_maojian")
    case = case_transition(
        actor=clerk, case=open_case(clerk, review_item, person("张伟")), action="send_for_review"
    )
    back = case_transition(
        actor=actor_of("reviewer_maojian"), case=case, action="send_back", reason="基数有误"
    )
    assert back.status == CaseStatus.ACCEPTED
    assert back.events.latest("id").note == "基数有误"


def test_clerk_without_the_items_permission_cannot_start_it(actor_of, demo):
    item = make_item("TST003", review=True)
    item.category = "benefit"
    item.save()
    with pytest.raises(RuleViolation) as refused:
        open_case(actor_of("clerk_zhangwan"), item, person("李娜"))
    assert refused.value.code == "CORE-PERMISSION"


def test_clerk_cannot_see_or_move_another_districts_case(actor_of, review_item):
    zhangwan_case = open_case(actor_of("clerk_zhangwan"), review_item, person("李娜"))
    maojian = actor_of("clerk_maojian")
    assert zhangwan_case not in cases_in_scope(maojian)
    with pytest.raises(OutOfScope):
        case_get(maojian, zhangwan_case.pk)
    with pytest.raises(OutOfScope):
        case_transition(actor=maojian, case=zhangwan_case, action="return", reason="x")
    assert Case.objects.get(pk=zhangwan_case.pk).status == CaseStatus.ACCEPTED
    with pytest.raises(OutOfScope):
        open_case(maojian, review_item, person("李娜"))
    assert zhangwan_case in cases_in_scope(actor_of("fund_shiyan"))


def test_case_pages_answer_404_outside_the_district(login, actor_of, review_item):
    zhangwan_case = open_case(actor_of("clerk_zhangwan"), review_item, person("李娜"))
    client = login("clerk_maojian")
    assert client.get(f"/cases/{zhangwan_case.pk}/").status_code == 404
    response = client.post(
        f"/cases/{zhangwan_case.pk}/transition/", {"action": "return", "reason": "x"}
    )
    assert response.status_code == 404
    assert Case.objects.get(pk=zhangwan_case.pk).status == CaseStatus.ACCEPTED
    assert zhangwan_case.receipt_no not in client.get("/cases/").content.decode()


def test_due_date_counts_working_days_across_national_day(actor_of, review_item):
    accepted = dt.datetime(2025, 9, 29, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(accepted, tick=False):
        case = open_case(actor_of("clerk_maojian"), review_item, person("张伟"))
    # Sep 30; Oct 1-8 off; Oct 9, 10, Sat 11 (make-up day), 13-17, 20 → the tenth working day.
    assert case.due_date == dt.date(2025, 10, 20)


def test_receipt_number_names_agency_and_day(actor_of, review_item):
    with time_machine.travel(dt.datetime(2025, 3, 3, 9, 0, tzinfo=SHANGHAI), tick=False):
        case = open_case(actor_of("clerk_maojian"), review_item, person("张伟"))
    assert case.receipt_no == f"420302-20250303-{case.pk:07d}"


def test_proxy_needs_the_agents_identity(actor_of, review_item):
    with pytest.raises(RuleViolation) as refused:
        case_create(
            actor=actor_of("clerk_maojian"),
            item=review_item,
            channel="counter",
            person=person("陈建国"),
            agent_kind="proxy",
            agent_name="陈小明",
        )
    assert refused.value.code == "CASE-AGENT-INCOMPLETE"
    case = case_create(
        actor=actor_of("clerk_maojian"),
        item=review_item,
        channel="counter",
        person=person("陈建国"),
        agent_kind="proxy",
        agent_name="陈小明",
        agent_resident_id=person("王芳").resident_id,
        agent_relation="子女",
    )
    assert case.agent_kind == "proxy"


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_attachments_accept_pdf_and_refuse_other_types_and_oversize(
    actor_of, review_item, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    clerk = actor_of("clerk_maojian")
    case = open_case(clerk, review_item, person("张伟"))
    stored = case_attach(
        actor=clerk, case=case, upload=SimpleUploadedFile("id.pdf", PDF), material="居民身份证"
    )
    assert (stored.content_type, stored.size) == ("application/pdf", len(PDF))
    with pytest.raises(RuleViolation) as wrong_type:
        case_attach(
            actor=clerk,
            case=case,
            upload=SimpleUploadedFile("id.pdf", b"MZ\x90\x00 not a pdf"),
            material="居民身份证",
        )
    assert wrong_type.value.code == "CASE-ATTACHMENT-TYPE"
    settings.CASE_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(RuleViolation) as too_big:
        case_attach(actor=clerk, case=case, upload=SimpleUploadedFile("a.pdf", PDF), material="x")
    assert too_big.value.code == "CASE-ATTACHMENT-SIZE"
    assert case.attachments.count() == 1


def test_channel_must_be_allowed_for_the_item(actor_of, review_item):
    with pytest.raises(RuleViolation) as refused:
        case_create(
            actor=actor_of("clerk_maojian"),
            item=review_item,
            channel="kiosk",
            person=person("张伟"),
        )
    assert refused.value.code == "CASE-CHANNEL-NOT-ALLOWED"


def test_records_a_case_created_are_linked_and_shown(login, actor_of, review_item):
    from shebao.services.services import case_record_link

    case = open_case(actor_of("clerk_maojian"), review_item, person("张伟"))
    case_record_link(case=case, record=person("张伟"), effect="changed")
    body = login("clerk_maojian").get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="case-records"' in body
    assert f"#{person('张伟').pk}" in body
