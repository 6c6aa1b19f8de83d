"""The staff UI in a real browser (Playwright driving the system's Chromium)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.browser import SCREENSHOTS, sign_in

pytestmark = pytest.mark.e2e


def test_clerk_signs_in_sees_own_agency_and_switches_to_english(page: Page) -> None:
    sign_in(page, "clerk_maojian")
    expect(page.get_by_test_id("agency-name")).to_have_text("茅箭区社保经办机构")
    expect(page.get_by_test_id("permissions")).to_contain_text("受理员")
    # Bootstrap is served by the app itself (no CDN): the navbar carries its primary colour.
    navbar = page.locator("nav.navbar")
    expect(navbar).to_have_css("background-color", "rgb(13, 110, 253)")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "staff-home-zh.png"), full_page=True)

    page.get_by_role("button", name="English").click()
    expect(page.get_by_test_id("agency-name")).to_have_text(
        "Maojian District Social Insurance Office"
    )
    expect(page.get_by_test_id("permissions")).to_contain_text("Counter clerk")
    page.screenshot(path=str(SCREENSHOTS / "staff-home-en.png"), full_page=True)


def test_clerk_sees_only_own_district_and_other_records_are_not_found(page: Page) -> None:
    sign_in(page, "clerk_maojian")
    page.goto("/staff/")
    table = page.get_by_test_id("staff-table")
    expect(table).to_contain_text("reviewer_maojian")
    expect(table).not_to_contain_text("clerk_zhangwan")
    expect(table).to_contain_text("139****0002")  # phones masked for a clerk

    response = page.goto("/staff/clerk_zhangwan/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("alert")).to_contain_text("不在您所属经办机构的管辖范围内")


def test_agency_head_grants_a_claim_and_it_is_audited(page: Page) -> None:
    sign_in(page, "head_maojian")
    page.goto("/staff/clerk_maojian/")
    expect(page.get_by_test_id("phone")).to_have_text("139****0001")  # masked until asked
    page.get_by_test_id("show-full").click()
    expect(page.get_by_test_id("phone")).to_have_text("13907190001")  # full, and audited
    page.get_by_label("角色").select_option("reviewer")
    page.get_by_label("业务事项").fill("category:registration")
    page.get_by_role("button", name="授予").click()
    expect(page.get_by_role("alert")).to_contain_text("已授予业务权限")
    expect(page.get_by_test_id("claims-table")).to_contain_text("category:registration")

    page.goto("/audit/?action=claim.grant")
    expect(page.get_by_test_id("audit-table")).to_contain_text("head_maojian")
    page.screenshot(path=str(SCREENSHOTS / "audit-log.png"), full_page=True)
