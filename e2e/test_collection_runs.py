"""A monthly assessment in a real browser: the fund officer starts it, the progress bar follows
the run in the background until it is done, and the employer's bill is there."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from e2e.browser import SCREENSHOTS, sign_in
from shebao.contributions import tasks
from shebao.contributions.models import Bill
from shebao.contributions.tests.factories import employer_make, person_make, relations_make
from shebao.core.models import Agency, BatchRun

pytestmark = pytest.mark.e2e


def test_fund_officer_starts_an_assessment_and_sees_it_done(page: Page, monkeypatch) -> None:
    execute = tasks._execute

    def execute_after_a_while(run_pk, ref):
        time.sleep(2)  # long enough for the page to show the run waiting, and to poll
        return execute(run_pk, ref)

    monkeypatch.setattr(tasks, "_execute", execute_after_a_while)
    maojian = Agency.objects.get(code="420302")
    employer = employer_make(maojian)
    for _ in range(3):
        relations_make(person_make(maojian), employer, agency=maojian)
    sign_in(page, "fund_shiyan")
    page.goto("/collection/runs/")
    start = page.get_by_test_id("assessment-start")
    start.locator("[name=period]").fill("2025-10")
    start.locator("[name=agency]").select_option("420302")
    start.get_by_role("button").click()

    progress = page.get_by_test_id("run-progress")
    expect(progress).to_have_attribute("data-status", "pending")
    expect(progress).to_have_attribute("hx-trigger", "every 1s")
    expect(progress).to_have_attribute("data-status", "done", timeout=30_000)
    expect(page.get_by_test_id("run-percent")).to_have_text("100%")
    run = BatchRun.objects.latest("id")
    bill = Bill.objects.get(run=run, employer=employer)
    # The finished run reloads the page once, which then lists the run's bills.
    expect(page.get_by_test_id("run-bills")).to_contain_text(bill.number)
    expect(page.get_by_test_id("run-parameters")).to_contain_text("contribution.base.floor")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "assessment-run.png"), full_page=True)

    page.get_by_test_id("run-bills").get_by_role("link", name=bill.number).click()
    expect(page.get_by_test_id("bill-lines").locator("tbody tr")).to_have_count(bill.lines)
    page.screenshot(path=str(SCREENSHOTS / "bill.png"), full_page=True)
    page.get_by_test_id("employer-bills").click()
    expect(page.get_by_test_id("bill-table")).to_contain_text(bill.number)
    page.screenshot(path=str(SCREENSHOTS / "employer-bills.png"), full_page=True)
