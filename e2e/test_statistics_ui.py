"""The statistics dashboard in a real browser: every figure is drawn by ECharts (served by the
app itself), and its table opens under the chart."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.browser import SCREENSHOTS, sign_in
from shebao.reports.refresh import summaries_refresh
from shebao.reports.selectors import FIGURES

pytestmark = pytest.mark.e2e


def test_the_city_head_sees_every_figure_drawn_and_opens_a_table(page: Page) -> None:
    summaries_refresh(range(202601, 202613))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "head_shiyan")
    page.get_by_test_id("statistics-menu").get_by_role("link").click()
    page.get_by_label("起始月份").fill("2026-01")
    page.get_by_label("截止月份").fill("2026-12")
    page.get_by_role("button", name="显示").click()
    for slug in FIGURES:
        figure = page.get_by_test_id(f"figure-{slug}")
        expect(figure.locator("canvas")).to_have_count(1)
    table = page.get_by_test_id("table-payroll")
    expect(table).to_be_hidden()
    page.get_by_test_id("figure-payroll").get_by_role("button", name="表格").click()
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(12)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "statistics-dashboard.png"), full_page=True)
    assert errors == []
