"""Whole journeys in a real browser, one employer and its two new staff all along: the clerk
registers them at the counter and a reviewer approves; the employer's agent gets portal
access and declares the wage bases online; the fund officer runs the month's assessment; the
tax bureau's payment file is imported and the bill is paid; one of the new staff opens a
portal account, downloads the contribution certificate and the public page says it is
genuine. Each journey times itself and takes a screenshot at each main step into
``e2e/artifacts/<journey>/``. The database is read only for what a person gets out-of-band
(the SMS code) and to check outcomes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from stdnum.cn import uscc

from e2e.browser import sign_in
from e2e.journey import (
    VERIFICATION_CODE,
    batch_runs_queue_with_requests,
    field_of,
    journey,
    keep_response,
    new_page,
    pdf_text,
    sms_code,
    yuan,
    yuan_to_fen,
)
from shebao.contributions.models import AssessmentLine, Bill, ContributionBase, PaymentStatus
from shebao.core.identifiers import resident_id_with_check
from shebao.core.periods import period_format, period_of
from shebao.documents.models import IssuedDocument
from shebao.hall.models import Ticket
from shebao.portal.demo import DEMO_KIOSK_KEY
from shebao.portal.models import CitizenAccount, EmployerAgent
from shebao.registry.models import Employer, InsuredRelation, Person, RelationStatus

pytestmark = pytest.mark.e2e

SCHEMES = sorted(["pension", "unemployment", "work_injury"])

CREDIT_BODY = "91420302MA4JRNY01"
FIRM = "十堰市旅程测试物流有限公司"
AGENT = ("陈静", "13972000301")
PORTAL_PASSWORD = "Lvcheng-Portal-2026"  # noqa: S105 - chosen by the journey's users


@dataclass(frozen=True)
class Newcomer:
    name: str
    resident_id: str
    phone: str
    wage: str  # last year's average monthly wage, as the agent types it


STAFF = (
    Newcomer("林晓", resident_id_with_check("42030219880716083"), "13972000311", "6800"),
    Newcomer("周航", resident_id_with_check("42030219920405127"), "13972000312", "5200"),
)


def log_out(page: Page) -> None:
    page.get_by_role("button", name="退出").click()


def approve_as_reviewer(page: Page, receipt_no: str) -> None:
    """The reviewer finds the case on the workbench and approves it."""
    page.goto("/workbench/")
    page.get_by_role("link", name=receipt_no).click()
    page.get_by_role("button", name="批准").click()
    expect(page.get_by_test_id("case-status")).to_contain_text("已复核通过")


def submit_for_review(page: Page) -> str:
    """On a case the clerk just opened: send it to a second person; its receipt number."""
    expect(page.get_by_test_id("case-status")).to_contain_text("已受理")
    receipt_no = page.locator("h1 small").inner_text()
    page.get_by_role("button", name="提交复核").click()
    expect(page.get_by_test_id("case-status")).to_contain_text("复核中")
    return receipt_no


def test_an_employer_from_registration_to_a_verified_certificate(
    page: Page, browser: Browser, live_server, tmp_path, monkeypatch
) -> None:
    month = period_format(period_of(timezone.localdate()))
    credit_code = CREDIT_BODY + uscc.calc_check_digit(CREDIT_BODY)

    # 1. The counter: the employer and its two staff, each a case a reviewer approves.
    with journey("1-counter-registration", page) as shots:
        sign_in(page, "clerk_maojian")
        page.goto("/registry/employers/")
        page.get_by_role("link", name="单位参保登记").click()
        form = page.get_by_test_id("employer-form")
        form.get_by_label("统一社会信用代码").fill(credit_code)
        form.get_by_label("名称", exact=True).fill(FIRM)
        form.get_by_label("法定代表人").fill("陈立")
        form.get_by_label("地址").fill("十堰市茅箭区北京路 8 号")
        form.get_by_label("工伤风险类别").fill("2")
        form.get_by_label("浮动费率档次（%）").select_option("100")
        form.get_by_label("联系人", exact=True).fill(AGENT[0])
        form.get_by_label("联系电话").fill(AGENT[1])
        shots.shot("employer-form")
        form.get_by_role("button", name="发起办件").click()
        registrations = [submit_for_review(page)]
        shots.shot("employer-case-in-review")
        log_out(page)

        sign_in(page, "reviewer_maojian")
        approve_as_reviewer(page, registrations[0])
        shots.shot("employer-approved")
        log_out(page)
        employer = Employer.objects.get(credit_code=credit_code)
        assert employer.name == FIRM

        sign_in(page, "clerk_maojian")
        for person in STAFF:
            page.goto("/registry/employers/")
            page.get_by_role("search").get_by_role("textbox").fill(FIRM)
            page.get_by_role("search").get_by_role("button").click()
            page.get_by_role("link", name=FIRM).click()
            expect(page.get_by_test_id("employer-summary")).to_contain_text("有效")
            addition = page.get_by_test_id("addition-form")
            addition.get_by_label("身份证号码").fill(person.resident_id)
            addition.get_by_label("名称", exact=True).fill(person.name)
            addition.get_by_label("开始期").fill(month)
            shots.shot(f"staff-addition-{len(registrations)}")
            addition.get_by_role("button", name="发起办件").click()
            registrations.append(submit_for_review(page))
        log_out(page)

        sign_in(page, "reviewer_maojian")
        for receipt_no in registrations[1:]:
            approve_as_reviewer(page, receipt_no)
        shots.shot("staff-addition-approved")
        log_out(page)

        # The phone the first newcomer gave, put on record by an information change.
        sign_in(page, "clerk_maojian")
        page.goto(f"/registry/employers/{employer.pk}/")
        staff_table = page.get_by_test_id("staff-relations")
        for person in STAFF:
            expect(staff_table).to_contain_text(person.name)
        shots.shot("employer-with-staff")
        staff_table.get_by_role("link", name=STAFF[0].name).first.click()
        page.get_by_label("变更项目").select_option("phone")
        page.get_by_label("变更后内容").fill(STAFF[0].phone)
        page.get_by_label("变更后内容").locator("xpath=ancestor::form").get_by_role(
            "button", name="发起办件"
        ).click()
        # A change of contact details is done at once: no second person.
        expect(page.get_by_test_id("case-status")).to_contain_text("已受理")
        page.get_by_role("button", name="办结").click()
        expect(page.get_by_test_id("case-status")).to_contain_text("已办结")
        shots.shot("phone-change-done")
        log_out(page)

    employer.refresh_from_db()
    assert employer.status == "active"
    for person in STAFF:
        relations = InsuredRelation.objects.filter(
            employer=employer, person__resident_id=person.resident_id
        )
        assert relations.filter(status=RelationStatus.ACTIVE).count() == 3
    assert Person.objects.get(resident_id=STAFF[0].resident_id).phone == STAFF[0].phone

    # 2. Portal access for the employer's agent, who declares the wage bases online.
    with journey("2-employer-portal-bases", page) as shots:
        sign_in(page, "clerk_maojian")
        page.goto(f"/registry/employers/{employer.pk}/")
        page.get_by_test_id("portal-access").click()
        opening = page.get_by_test_id("agent-open-form")
        opening.get_by_label("名称", exact=True).fill(AGENT[0])
        opening.get_by_label("手机号码").fill(AGENT[1])
        opening.get_by_role("button", name="开通").click()
        expect(page.get_by_test_id("staff-agent-table")).to_contain_text(AGENT[0])
        shots.shot("agent-opened")
        log_out(page)

        agent = new_page(browser, live_server.url)
        agent.goto("/portal/employer/login/")
        agent.get_by_role("link", name="激活经办人账户").click()
        agent.get_by_label("统一社会信用代码").fill(credit_code)
        agent.get_by_label("经办人手机号码").fill(AGENT[1])
        agent.get_by_role("button", name="下一步：发送验证码").click()
        agent.get_by_label("短信验证码").fill(sms_code(AGENT[1]))
        agent.get_by_label("新密码", exact=True).fill(PORTAL_PASSWORD)
        agent.get_by_label("再次输入新密码").fill(PORTAL_PASSWORD)
        shots.shot("agent-activation", agent)
        agent.get_by_role("button", name="开通").click()
        expect(agent.get_by_test_id("portal-whoami")).to_contain_text(AGENT[0])
        expect(agent.get_by_test_id("headcount")).to_have_text(
            ["养老保险 2 人在保", "失业保险 2 人在保", "工伤保险 2 人在保"]
        )
        shots.shot("agent-home", agent)

        agent.get_by_test_id("agent-nav").get_by_role("link", name="缴费基数申报").click()
        wages = agent.get_by_test_id("wages-form")
        for person in STAFF:
            wages.get_by_label(person.name, exact=True).fill(person.wage)
        shots.shot("wages-typed", agent)
        agent.get_by_test_id("preview").click()
        expect(agent.get_by_test_id("clamp-summary")).to_be_visible()
        shots.shot("bases-preview", agent)
        agent.get_by_test_id("confirm-bases").click()
        expect(agent.get_by_test_id("case-receipt")).to_contain_text("已提交")
        declaration = agent.get_by_test_id("receipt-no").inner_text()
        shots.shot("declaration-submitted", agent)
        agent.get_by_role("link", name="查看此办件").click()

        sign_in(page, "clerk_maojian")
        page.goto("/workbench/")
        page.get_by_test_id("online-submissions").get_by_role("link", name=declaration).click()
        page.get_by_role("button", name="受理", exact=True).click()
        submit_for_review(page)
        shots.shot("declaration-accepted")
        log_out(page)
        sign_in(page, "reviewer_maojian")
        approve_as_reviewer(page, declaration)
        shots.shot("declaration-approved")
        log_out(page)

        agent.reload()
        expect(agent.get_by_test_id("case-status")).to_contain_text("已复核通过")
        shots.shot("declaration-approved-online", agent)
        agent.context.close()

    assert EmployerAgent.objects.get(employer=employer, phone=AGENT[1]).activated_at is not None
    year = timezone.localdate().year
    for person in STAFF:
        declared = ContributionBase.objects.filter(
            employer=employer, year=year, person__resident_id=person.resident_id
        )
        # Wages between the floor and the cap are taken as declared, one base per scheme.
        assert sorted((b.scheme, b.base_fen, b.clamp) for b in declared) == [
            (scheme, int(person.wage) * 100, "") for scheme in SCHEMES
        ]

    # 3. The month's assessment, started by the fund officer and watched to the end.
    with journey("3-monthly-assessment", page) as shots:
        batch_runs_queue_with_requests(monkeypatch)
        sign_in(page, "fund_shiyan")
        page.get_by_role("link", name="批量作业").click()
        start = page.get_by_test_id("assessment-start")
        start.locator("[name=period]").fill(month)
        start.locator("[name=agency]").select_option("420302")
        shots.shot("assessment-form")
        start.get_by_role("button", name="开始核定").click()
        progress = page.get_by_test_id("run-progress")
        expect(progress).to_have_attribute("data-status", "pending")
        shots.shot("assessment-waiting")
        expect(progress).to_have_attribute("data-status", "done", timeout=60_000)
        expect(page.get_by_test_id("run-percent")).to_have_text("100%")
        bill_row = page.get_by_test_id("run-bills").locator("tr", has_text=FIRM)
        expect(bill_row).to_have_count(1)
        shots.shot("assessment-done")
        bill_row.get_by_role("link").first.click()
        bill_number = page.locator("h1").inner_text().split()[1]
        summary = page.get_by_test_id("bill-summary")
        expect(field_of(summary, "缴费状态")).to_have_text("未缴")
        expect(page.get_by_test_id("bill-lines").locator("tbody tr")).to_have_count(6)
        total_fen = yuan_to_fen(page.get_by_test_id("bill-total").inner_text())
        shots.shot("bill")

    bill = Bill.objects.get(number=bill_number)
    assert bill.employer_id == employer.pk
    assert bill.period == period_of(timezone.localdate())
    assert bill.persons == 2
    assert bill.lines == 6
    lines = AssessmentLine.objects.filter(run=bill.run, employer=employer).select_related("person")
    assert {(line.person.resident_id, line.base_fen, line.base_source) for line in lines} == {
        (person.resident_id, int(person.wage) * 100, "declared") for person in STAFF
    }
    assert total_fen == bill.total_fen > 0

    # 4. The tax bureau's payment file, imported by the fund officer: the bill is paid.
    with journey("4-payment-import", page) as shots:
        payments = tmp_path / f"TAXPAY_420302_{timezone.localdate():%Y%m%d}.csv"
        payments.write_text(
            "reference,bill_number,payer_code,amount_fen,paid_on\n"
            f"3420{timezone.localdate():%Y%m%d}77000001,{bill_number},{credit_code},"
            f"{total_fen},{timezone.localdate():%Y-%m-%d}\n",
            encoding="utf-8",
        )
        page.get_by_role("button", name="征缴").click()
        page.get_by_role("link", name="与税务部门交换数据").click()
        importing = page.get_by_test_id("import-form")
        importing.get_by_label("到账文件（CSV）").set_input_files(str(payments))
        shots.shot("payment-file-chosen")
        importing.get_by_role("button", name="导入到账").click()
        counts = page.get_by_test_id("import-counts")
        expect(field_of(counts, "新到账")).to_have_text("1")
        expect(field_of(counts, "缴清的缴费单")).to_have_text("1")
        shots.shot("payment-imported")
        page.goto(f"/collection/bills/{bill_number}/")
        summary = page.get_by_test_id("bill-summary")
        expect(field_of(summary, "缴费状态")).to_have_text("已缴清")
        expect(field_of(summary, "欠缴（元）")).to_have_text("0.00")
        shots.shot("bill-paid")
        log_out(page)

    bill.refresh_from_db()
    assert bill.payment_status == PaymentStatus.PAID
    assert bill.paid_fen == total_fen

    # 5. The first newcomer opens a portal account with the phone on record, downloads the
    # contribution certificate, and the public verification page says it is genuine.
    newcomer = STAFF[0]
    with journey("5-citizen-certificate", page) as shots:
        citizen = new_page(browser, live_server.url)
        shots.page = citizen
        citizen.goto("/portal/login/")
        citizen.get_by_role("link", name="开通账户").click()
        citizen.get_by_label("身份证号码").fill(newcomer.resident_id)
        citizen.get_by_label("名称", exact=True).fill(newcomer.name)
        citizen.get_by_label("预留手机号码").fill(newcomer.phone)
        shots.shot("open-account")
        citizen.get_by_role("button", name="下一步：发送验证码").click()
        citizen.get_by_label("短信验证码").fill(sms_code(newcomer.phone))
        citizen.get_by_label("新密码", exact=True).fill(PORTAL_PASSWORD)
        citizen.get_by_label("再次输入新密码").fill(PORTAL_PASSWORD)
        citizen.get_by_role("button", name="开通").click()
        expect(citizen.get_by_test_id("portal-whoami")).to_contain_text(newcomer.name)
        shots.shot("citizen-home")

        citizen.get_by_role("link", name="证明打印").click()
        shots.shot("certificate-page")
        with citizen.expect_popup() as tab, keep_response(citizen, "**/me/certificate/pdf/") as pdf:
            citizen.get_by_test_id("certificate-issue").click()
        tab.value.close()
        assert pdf.status == 200
        assert pdf.headers["content-type"] == "application/pdf"
        text = pdf_text(pdf.body)
        found = VERIFICATION_CODE.search(text)
        assert found, text
        code = found[0]
        # The pension record: the month insured with the new employer, paid, at the base
        # the agent declared, with the amounts of the bill.
        pension = AssessmentLine.objects.get(
            run=bill.run, person__resident_id=newcomer.resident_id, scheme="pension"
        )
        for expected in (
            f"兹证明{newcomer.name}",
            f"基本养老保险参保缴费{FIRM}{month}1",
            f"{month}{month}1{FIRM}",
            f"{month[:4]}1{yuan(pension.base_fen)}{yuan(pension.individual_fen)}"
            f"{yuan(pension.employer_fen)}本系统",
        ):
            assert expected in text, (expected, text)
        citizen.reload()
        # The documents issued to them list it (the code stored without its hyphens).
        expect(citizen.locator("table")).to_contain_text(code.replace("-", ""))
        shots.shot("certificate-issued")

        # Anyone who holds the certificate checks it on the public page, signed in or not.
        checker = new_page(browser, live_server.url)
        shots.page = checker
        checker.goto(f"/verify/{code}/")
        verdict = checker.get_by_test_id("verdict")
        expect(verdict).to_have_attribute("data-verdict", "genuine")
        expect(verdict).to_contain_text("真实有效")
        verified = checker.get_by_test_id("verified")
        expect(verified).to_contain_text(code)
        expect(verified).to_contain_text(f"参保缴费（{FIRM}）；{month} 至 {month}")
        expect(checker.get_by_test_id("sha256")).to_have_text(hashlib.sha256(pdf.body).hexdigest())
        shots.shot("verified-genuine")
        checker.context.close()
        citizen.context.close()

    account = CitizenAccount.objects.get(person__resident_id=newcomer.resident_id)
    document = IssuedDocument.objects.get(code=code.replace("-", ""))
    assert document.person_id == account.person_id
    assert document.revoked_at is None


def test_a_kiosk_ticket_is_called_at_a_window_and_shown_on_the_board(
    page: Page, browser: Browser, live_server
) -> None:
    """6. A visitor takes a ticket at the kiosk; the clerk at window 1 serves the queue until
    it is the visitor's turn; the hall's calling board shows the ticket and the window."""
    with journey("6-kiosk-ticket-called", page) as shots:
        kiosk = new_page(browser, live_server.url)
        shots.page = kiosk
        kiosk.goto(f"/kiosk/activate/{DEMO_KIOSK_KEY}/")
        kiosk.get_by_test_id("kiosk-ticket-general").click()
        ticket_code = kiosk.get_by_test_id("kiosk-ticket-code")
        expect(ticket_code).to_have_text(re.compile(r"^A\d{3}$"))
        code = ticket_code.inner_text()
        shots.shot("kiosk-ticket")
        kiosk.get_by_test_id("kiosk-done").click()

        board = new_page(browser, live_server.url)
        board.goto("/hall/420302/board/")
        expect(board.get_by_test_id("board-latest-code")).not_to_have_text(code)
        shots.shot("board-before", board)

        shots.page = page
        sign_in(page, "clerk_maojian")
        page.get_by_role("button", name="服务大厅").click()
        page.get_by_role("link", name="窗口叫号").click()
        current = page.get_by_test_id("current-ticket")
        shots.shot("window-console")
        # The clerk sits at window 1 serving the morning's visitor: serve the queue in order
        # until the kiosk's ticket comes up.
        start = current.get_by_role("button", name="办事人已到，开始办理")
        for _ in range(12):
            if current.get_by_test_id("call-next").count():
                current.get_by_test_id("call-next").click()
            expect(start).to_be_visible()  # a ticket is called at the window
            if current.get_by_text(code, exact=True).count():
                break
            start.click()
            current.get_by_role("button", name="办结").click()
        expect(current.get_by_text(code, exact=True)).to_be_visible()
        shots.shot("ticket-called")

        expect(board.get_by_test_id("board-latest-code")).to_have_text(code, timeout=10_000)
        expect(board.get_by_test_id("board-now")).to_contain_text("1号窗口")
        shots.shot("board-shows-the-call", board)
        board.context.close()
        kiosk.context.close()

    ticket = Ticket.objects.get(agency__code="420302", code=code, service_date=timezone.localdate())
    assert ticket.status == "called"
    assert ticket.window is not None
    assert ticket.window.number == 1
    assert ticket.source == "kiosk"
