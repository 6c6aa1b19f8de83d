"""Issuing each document: a case of its item done on the spot with the channel, one document
row and its audit entry, the PDF with the expected Chinese fields, the same bytes again on a
re-download; a portal user only for their own record; nothing written when anything fails."""

from __future__ import annotations

import hashlib

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from shebao.accounts.selectors import account_summary
from shebao.contributions.models import Bill
from shebao.core.errors import RuleViolation
from shebao.core.masking import mask_resident_id
from shebao.core.models import AuditEntry
from shebao.core.money import format_yuan
from shebao.core.permissions import OutOfScope, PermissionRefused
from shebao.documents import preparing
from shebao.documents import services as document_services
from shebao.documents.models import IssuedDocument
from shebao.documents.services import (
    account_statement_issue,
    bill_document_issue,
    document_pdf,
    document_revoke,
    employer_certificate_issue,
    personal_certificate_issue,
    retirement_notice_issue,
)
from shebao.documents.tests.support import (
    agent,
    awarded_pension,
    citizen,
    kiosk_visitor,
    pdf_pages,
    pdf_text,
)
from shebao.services.models import Case, CaseStatus
from shebao.services.services import case_create, case_transition
from shebao.services.tests.factories import employer, person

pytestmark = pytest.mark.usefixtures("demo")

SUPERMARKET = "十堰市示范超市有限公司"


def counts() -> tuple[int, int, int]:
    return Case.objects.count(), IssuedDocument.objects.count(), AuditEntry.objects.count()


def assert_issued_as_case(issued, *, item: str, channel: str) -> None:
    document = issued.document
    case = document.case
    assert case is not None
    assert (case.item.code, case.status, case.channel) == (item, CaseStatus.DONE, channel)
    assert case.data["document"] == document.code
    assert case.records.filter(object_id=str(document.pk), effect="created").exists()
    entry = AuditEntry.objects.filter(action="document.issue", target_id=str(document.pk)).get()
    assert entry.after is not None
    assert entry.after["channel"] == channel
    assert entry.after["code"] == document.code
    assert document.sha256 == hashlib.sha256(issued.pdf).hexdigest()
    assert document.pages == pdf_pages(issued.pdf)
    text = pdf_text(issued.pdf)
    assert document.facts["code_display"] in text
    if document.pages > 1:
        assert f"第{document.pages}页共{document.pages}页" in text


def test_personal_certificate_at_the_counter(actor_of):
    zhang = person("张伟")
    issued = personal_certificate_issue(
        actor=actor_of("clerk_maojian"), person=zhang, channel="counter"
    )
    assert_issued_as_case(issued, item="SBCT002", channel="counter")
    text = pdf_text(issued.pdf)
    for expected in (
        "参保缴费证明",
        "张伟",
        zhang.resident_id,  # the holder's own document
        "茅箭区社保经办机构",
        "基本养老保险",
        "失业保险",
        "工伤保险",
        SUPERMARKET,
        "累计缴费月数",
        "已核定未到账的月份",
        "4,299.00",
        "开具日期",
        issued.document.facts["code_display"],
        "/verify/",
    ):
        assert expected in text, expected
    pension = issued.document.facts["body"]["schemes"][0]
    assert format_yuan(pension["individual_fen"]) in text


def test_a_re_download_gives_the_same_bytes(actor_of):
    clerk = actor_of("clerk_maojian")
    issued = personal_certificate_issue(actor=clerk, person=person("张伟"), channel="counter")
    stored = IssuedDocument.objects.get(
        pk=issued.document.pk
    )  # the facts as the database gives them
    again = document_pdf(actor=clerk, document=stored)
    assert again == issued.pdf
    assert hashlib.sha256(again).hexdigest() == stored.sha256


def test_altered_facts_are_refused_on_re_download(actor_of):
    clerk = actor_of("clerk_maojian")
    document = personal_certificate_issue(
        actor=clerk, person=person("张伟"), channel="counter"
    ).document
    document.facts["body"]["person"]["name"] = "张三"  # in memory: the database refuses it
    with pytest.raises(RuleViolation) as refused:
        document_pdf(actor=clerk, document=document)
    assert refused.value.code == "DOC-PDF-CHANGED"
    document.renderer = "layout-0 reportlab-1.0"
    with pytest.raises(RuleViolation) as refused:
        document_pdf(actor=clerk, document=document)
    assert refused.value.code == "DOC-RENDERER-CHANGED"


def test_the_database_refuses_to_change_what_was_certified(actor_of):
    document = personal_certificate_issue(
        actor=actor_of("clerk_maojian"), person=person("张伟"), channel="counter"
    ).document
    with pytest.raises(DatabaseError), transaction.atomic():
        IssuedDocument.objects.filter(pk=document.pk).update(sha256="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        IssuedDocument.objects.filter(pk=document.pk).update(facts={"forged": True})
    IssuedDocument.objects.filter(pk=document.pk).update(verifications=5)  # the counter may change
    assert IssuedDocument.objects.get(pk=document.pk).verifications == 5


def test_employer_certificate_online_by_the_employers_agent():
    supermarket = employer(SUPERMARKET)
    issued = employer_certificate_issue(
        actor=agent(supermarket), employer=supermarket, channel="web"
    )
    assert_issued_as_case(issued, item="SBCT001", channel="web")
    text = pdf_text(issued.pdf)
    for expected in (
        "单位参保证明",
        SUPERMARKET,
        supermarket.credit_code,
        "当前参保人数",
        "近期缴费情况",
        "欠费情况",
        "该单位欠缴社会保险费",
        "1,074.75",
        "2026-10",
    ):
        assert expected in text, expected
    entry = AuditEntry.objects.filter(action="document.issue").latest("id")
    assert (entry.channel, entry.actor_roles) == ("web", "employer_agent")


def test_the_employer_certificate_is_not_offered_at_a_kiosk():
    before = counts()
    supermarket = employer(SUPERMARKET)
    kiosk_agent = agent(supermarket)
    with pytest.raises(RuleViolation) as refused:
        employer_certificate_issue(actor=kiosk_agent, employer=supermarket, channel="kiosk")
    assert refused.value.code == "CASE-CHANNEL-NOT-ALLOWED"
    assert counts() == before


def test_account_statement_at_a_kiosk():
    zhang = person("张伟")
    year = account_summary(zhang).years[-1]
    issued = account_statement_issue(
        actor=kiosk_visitor(zhang), person=zhang, year=year, channel="kiosk"
    )
    assert_issued_as_case(issued, item="SBAC003", channel="kiosk")
    assert issued.document.case is not None
    assert issued.document.case.data["year"] == year
    body = issued.document.facts["body"]
    text = pdf_text(issued.pdf)
    for expected in (
        "基本养老保险个人账户对账单",
        "张伟",
        f"{year}年度",
        "上年末余额",
        "本年末余额",
        format_yuan(body["closing_fen"]),
        "累计缴费月数",
    ):
        assert expected in text, expected
    # The kiosk visitor has no login; the case was completed by the system on their behalf.
    assert issued.document.issued_by.startswith("kiosk-T01")


def test_bill_document_for_the_employer(actor_of):
    bill = Bill.objects.filter(employer=employer(SUPERMARKET)).earliest("period")
    issued = bill_document_issue(actor=actor_of("clerk_maojian"), bill=bill, channel="counter")
    assert_issued_as_case(issued, item="SBCT003", channel="counter")
    assert issued.document.reference == bill.number
    text = pdf_text(issued.pdf)
    line_person = issued.document.facts["body"]["persons"][0]
    for expected in (
        "社会保险费缴费单",
        bill.number,
        SUPERMARKET,
        "缴费明细",
        line_person["name"],
        line_person["resident_id"],
        format_yuan(bill.total_fen),
        "缴费状态",
        "多缴",  # the demo's September bill was overpaid
    ):
        assert expected in text, expected
    zhang = person("张伟")
    assert zhang.resident_id not in text  # employees' IDs are masked on a bill
    assert mask_resident_id(zhang.resident_id) in text


def test_retirement_notice_copy_belongs_to_the_award_case(actor_of):
    pension = awarded_pension()
    cases = Case.objects.count()
    issued = retirement_notice_issue(
        actor=actor_of("clerk_maojian"), pension=pension, channel="counter"
    )
    assert Case.objects.count() == cases  # no case of its own
    document = issued.document
    assert document.case_id == pension.award_case_id
    award = pension.awards.get(case_id=pension.award_case_id)
    body = document.facts["body"]
    assert (
        body["basic_fen"],
        body["account_fen"],
        body["transitional_fen"],
        body["total_fen"],
    ) == (
        award.basic_fen,
        award.account_fen,
        award.transitional_fen,
        award.total_fen,
    )
    assert body["total_fen"] == award.basic_fen + award.account_fen + award.transitional_fen
    text = pdf_text(issued.pdf)
    assert pension.award_case_id is not None
    case = Case.objects.get(pk=pension.award_case_id)
    for expected in (
        "退休待遇核定通知书",
        pension.person.name,
        "基础养老金",
        "个人账户养老金",
        "过渡性养老金",
        format_yuan(award.total_fen),
        award.average_index,
        "平均缴费指数",
        "计发基数",
        case.receipt_no,
    ):
        assert expected in text, expected
    assert AuditEntry.objects.filter(action="document.issue", target_id=str(document.pk)).exists()


def test_a_migrated_pension_has_no_notice_to_copy(actor_of):
    from shebao.benefits.models import Pension

    pension = Pension.objects.filter(award_case_id__isnull=True, agency__code="420302")[0]
    with pytest.raises(RuleViolation) as refused:
        retirement_notice_issue(actor=actor_of("clerk_maojian"), pension=pension, channel="counter")
    assert refused.value.code == "DOC-NOTICE-NO-AWARD"


def test_who_may_not_issue_a_notice_is_refused_before_the_award_is_looked_for(actor_of):
    from shebao.benefits.models import Pension

    pension = Pension.objects.filter(award_case_id__isnull=True, agency__code="420302")[0]
    with pytest.raises(PermissionRefused):
        retirement_notice_issue(
            actor=actor_of("reviewer_maojian"), pension=pension, channel="counter"
        )


@pytest.mark.parametrize("kind", ["personal", "statement", "bill", "employer"])
def test_a_portal_user_cannot_issue_for_another_record(kind):
    zhang, wang = person("张伟"), person("王芳")
    supermarket_agent, other = agent(employer(SUPERMARKET)), employer("湖北示例汽车零部件有限公司")
    attempts = {
        "personal": lambda: personal_certificate_issue(
            actor=citizen(zhang), person=wang, channel="web"
        ),
        "statement": lambda: account_statement_issue(
            actor=citizen(zhang), person=wang, year=2026, channel="web"
        ),
        "bill": lambda: bill_document_issue(
            actor=supermarket_agent,
            bill=Bill.objects.filter(employer=other).earliest("period"),
            channel="web",
        ),
        "employer": lambda: employer_certificate_issue(
            actor=supermarket_agent, employer=other, channel="web"
        ),
    }
    before = counts()
    with pytest.raises(OutOfScope):
        attempts[kind]()
    assert counts() == before


def test_a_citizen_cannot_download_anothers_document(actor_of):
    document = personal_certificate_issue(
        actor=actor_of("clerk_maojian"), person=person("王芳"), channel="counter"
    ).document
    with pytest.raises(OutOfScope):
        document_pdf(actor=citizen(person("张伟")), document=document)
    assert document_pdf(actor=citizen(person("王芳")), document=document)[:5] == b"%PDF-"


def test_a_clerk_outside_the_scope_cannot_issue(actor_of):
    before = counts()
    with pytest.raises(OutOfScope):
        personal_certificate_issue(
            actor=actor_of("clerk_wuhan"), person=person("张伟"), channel="counter"
        )
    assert counts() == before


def test_a_failure_while_rendering_leaves_no_case_and_no_document(actor_of, monkeypatch):
    def broken(facts):
        raise RuntimeError("the renderer failed")

    monkeypatch.setattr(preparing, "render_document", broken)
    before = counts()
    with pytest.raises(RuntimeError):
        personal_certificate_issue(
            actor=actor_of("clerk_maojian"), person=person("张伟"), channel="counter"
        )
    assert counts() == before


def test_a_failure_inside_the_transaction_takes_the_case_with_it(actor_of, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the link failed")

    monkeypatch.setattr(document_services, "case_record_link", broken)
    before = counts()
    with pytest.raises(RuntimeError):
        personal_certificate_issue(
            actor=actor_of("clerk_maojian"), person=person("张伟"), channel="counter"
        )
    assert counts() == before


def test_a_certificate_case_completed_at_the_workbench_writes_its_document(actor_of):
    clerk = actor_of("clerk_maojian")
    from shebao.services.models import ServiceItem

    case = case_create(
        actor=clerk,
        item=ServiceItem.objects.get(code="SBCT002"),
        channel="counter",
        person=person("陈建国"),
        accept_now=True,
    )
    case = case_transition(actor=clerk, case=case, action="complete")
    document = IssuedDocument.objects.get(case=case)
    assert case.data["document"] == document.code
    assert document.issued_by == "clerk_maojian"
    assert document_pdf(actor=clerk, document=document)[:5] == b"%PDF-"


def test_an_inquiry_without_a_bill_prints_nothing(actor_of):
    clerk = actor_of("clerk_maojian")
    from shebao.services.models import ServiceItem

    case = case_create(
        actor=clerk,
        item=ServiceItem.objects.get(code="SBCT003"),
        channel="counter",
        person=person("张伟"),
        accept_now=True,
    )
    case_transition(actor=clerk, case=case, action="complete")
    assert not IssuedDocument.objects.filter(case=case).exists()


def test_the_agency_head_revokes_with_a_reason_and_nobody_else(actor_of):
    document = personal_certificate_issue(
        actor=actor_of("clerk_maojian"), person=person("张伟"), channel="counter"
    ).document
    with pytest.raises(PermissionRefused):
        document_revoke(actor=actor_of("clerk_maojian"), document=document, reason="错误")
    with pytest.raises(OutOfScope):
        document_revoke(actor=actor_of("clerk_wuhan"), document=document, reason="错误")
    with pytest.raises(RuleViolation) as refused:
        document_revoke(actor=actor_of("head_maojian"), document=document, reason="  ")
    assert refused.value.code == "DOC-REVOKE-REASON"
    revoked = document_revoke(actor=actor_of("head_maojian"), document=document, reason="姓名有误")
    assert revoked.revoked_at is not None
    assert revoked.revoke_reason == "姓名有误"
    entry = AuditEntry.objects.latest("id")
    assert entry.after is not None
    assert (entry.action, entry.after["reason"]) == ("document.revoke", "姓名有误")
    with pytest.raises(RuleViolation) as refused:
        document_revoke(actor=actor_of("head_maojian"), document=revoked, reason="再次")
    assert refused.value.code == "DOC-ALREADY-REVOKED"
    with pytest.raises(RuleViolation) as refused:
        document_pdf(actor=actor_of("clerk_maojian"), document=revoked)
    assert refused.value.code == "DOC-REVOKED"
    assert timezone.localdate(revoked.revoked_at).isoformat() in refused.value.message_zh
