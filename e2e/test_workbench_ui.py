"""The counter workbench in a real browser: find an applicant from the keyboard, open a case,
and a second person approves it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.browser import SCREENSHOTS, sign_in

pytestmark = pytest.mark.e2e


def test_clerk_finds_an_employer_opens_a_case_and_a_reviewer_approves_it(page: Page) -> None:
    sign_in(page, "clerk_maojian")
    page.goto("/workbench/")
    page.locator("h1").click()  # leave the search box, which has focus on arrival
    page.keyboard.press("/")  # and the "/" key brings it back
    page.keyboard.type("十堰市示范")
    results = page.get_by_test_id("employer-results")
    expect(results).to_contain_text("十堰市示范超市有限公司")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "workbench.png"), full_page=True)
    results.get_by_role("link", name="发起办件").click()

    # An item with no form of its own (the base declaration has its page now).
    page.get_by_label("服务事项").select_option(label="SBCL001 社会保险缴费申报与变更")
    page.get_by_label("申请事项说明").fill("2026 年 11 月缴费申报变更")
    page.get_by_role("button", name="发起办件").click()
    expect(page.get_by_test_id("case-status")).to_contain_text("已受理")
    receipt_no = page.locator("h1 small").inner_text()
    page.get_by_role("button", name="提交复核").click()
    expect(page.get_by_test_id("case-status")).to_contain_text("复核中")
    expect(page.get_by_role("button", name="批准")).to_have_count(0)  # not for the preparer
    page.get_by_role("button", name="退出").click()

    sign_in(page, "reviewer_maojian")
    page.goto("/workbench/")
    page.get_by_role("link", name=receipt_no).click()
    page.get_by_role("button", name="批准").click()
    expect(page.get_by_test_id("case-status")).to_contain_text("已复核通过")
    expect(page.get_by_test_id("case-timeline").locator('[data-action="approve"]')).to_contain_text(
        "reviewer_maojian"
    )
    page.screenshot(path=str(SCREENSHOTS / "case-approved.png"), full_page=True)
