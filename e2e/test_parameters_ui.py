"""Parameters in a real browser: the maker-checker approval of a new value."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.browser import SCREENSHOTS, sign_in

pytestmark = pytest.mark.e2e


def test_proposer_cannot_approve_but_a_second_administrator_can(page: Page) -> None:
    sign_in(page, "policy_hubei")
    page.goto("/parameters/proposals/")
    table = page.get_by_test_id("proposal-table")
    expect(table).to_contain_text("wage.reference_average_monthly")
    expect(table.get_by_role("button", name="批准")).to_have_count(0)
    page.get_by_role("button", name="退出").click()

    sign_in(page, "admin")
    page.goto("/parameters/proposals/")
    page.get_by_role("button", name="批准").first.click()
    expect(page.get_by_role("alert")).to_contain_text("已批准")
    expect(page.get_by_test_id("proposal-table")).to_contain_text("暂无待审批事项")

    page.goto("/parameters/wage.reference_average_monthly/")
    history = page.get_by_test_id("history-table")
    expect(history).to_contain_text("2026-01-01")
    expect(history).to_contain_text("admin")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "parameter-history.png"), full_page=True)
