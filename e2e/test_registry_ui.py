"""Registration in a real browser: an Excel batch checked, previewed and submitted as a case."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.browser import SCREENSHOTS, sign_in
from shebao.core.identifiers import resident_id_with_check
from shebao.core.periods import period_format, period_of
from shebao.registry.demo import demo_employer
from shebao.registry.tests.test_registry_pages import filled_addition_file

pytestmark = pytest.mark.e2e


def test_clerk_checks_an_excel_batch_and_submits_the_valid_rows(page: Page, tmp_path) -> None:
    month = period_format(period_of(timezone.localdate()))
    good = resident_id_with_check("42030219950505321")
    file = tmp_path / "staff.xlsx"
    file.write_bytes(
        filled_addition_file(
            [
                [good, "网页", month, "养老、失业、工伤", "新招用"],
                ["420302199505053", "短号", month, "养老", "新招用"],
            ]
        )
    )
    firm = demo_employer("十堰市示范超市有限公司")
    sign_in(page, "clerk_maojian")
    page.goto(f"/registry/employers/{firm.pk}/batch")
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(file))
    page.get_by_role("button", name="校验文件").click()
    expect(page.get_by_test_id("batch-summary")).to_contain_text("1 行有效")
    expect(page.get_by_test_id("batch-errors")).to_contain_text("REG-ID")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "batch-preview.png"), full_page=True)
    page.get_by_role("button", name="将有效行作为一个办件提交").click()
    expect(page.get_by_test_id("case-status")).to_contain_text("已受理")
    expect(page.locator("h1")).to_contain_text("职工参保登记")
