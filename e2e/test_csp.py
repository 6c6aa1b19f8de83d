"""The Content Security Policy in a real browser: the staff dashboard and workbench, the hall's
board, the kiosk, the portal and the public catalogue run without a single policy violation or
console error, and the dashboard still draws its charts."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, Response, expect

from e2e.browser import sign_in
from shebao.portal.demo import DEMO_KIOSK_KEY
from shebao.reports.refresh import summaries_refresh

pytestmark = pytest.mark.e2e

# Registered before any page script runs: every violation the browser reports is kept.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    [event.violatedDirective, event.blockedURI, event.sourceFile, event.lineNumber].join(" ")
  );
});
"""


class Watch:
    """Console errors and warnings, page errors and CSP violations seen on a page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("response", self.on_response)

    def on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"{response.status} for {response.url}")

    def on_console(self, message: ConsoleMessage) -> None:
        # The browser asks for /favicon.ico on its own; the site has none, which is no error
        # of a page.
        if message.location.get("url", "").endswith("/favicon.ico"):
            return
        if message.type in ("error", "warning"):
            where = message.location.get("url") or self.page.url
            self.problems.append(f"console {message.type} on {where}: {message.text}")

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None, url
        assert response.ok, f"{url}: {response.status}"
        self.page.wait_for_load_state("networkidle")
        self.check()

    def check(self) -> None:
        violations = self.page.evaluate("window.__cspViolations || []")
        self.problems += [f"violation on {self.page.url}: {v}" for v in violations]
        assert self.problems == [], "\n".join(self.problems)


def test_the_dashboard_draws_its_charts_without_a_violation(page: Page) -> None:
    summaries_refresh(range(202601, 202613))
    watch = Watch(page)
    sign_in(page, "head_shiyan")
    watch.check()
    watch.visit("/statistics/")
    page.get_by_label("起始月份").fill("2026-01")
    page.get_by_label("截止月份").fill("2026-12")
    page.get_by_role("button", name="显示").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("canvas").first).to_be_visible()
    assert page.locator("canvas").count() > 1
    watch.check()


def test_the_workbench_runs_without_a_violation(page: Page) -> None:
    watch = Watch(page)
    sign_in(page, "clerk_maojian")
    watch.visit("/workbench/")
    expect(page.get_by_test_id("whoami")).to_be_visible()
    watch.check()


def test_the_board_kiosk_portal_and_catalogue_run_without_a_violation(page: Page) -> None:
    watch = Watch(page)
    watch.visit("/hall/420302/board/")
    watch.visit(f"/kiosk/activate/{DEMO_KIOSK_KEY}/")
    expect(page.get_by_test_id("kiosk-sign-in")).to_be_visible()
    watch.visit("/kiosk/")
    expect(page.get_by_test_id("kiosk-sign-in")).to_be_visible()
    watch.visit("/portal/")
    expect(page.locator("form")).not_to_have_count(0)
    watch.visit("/catalogue/")
