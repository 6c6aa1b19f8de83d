"""Browser fixtures for the e2e tests: the system's Chromium driven by Playwright against the
live test server. Registered as a pytest plugin by the root conftest."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from shebao.core.demo import DEMO_PASSWORD, seed_all_apps
from shebao.core.models import User
from shebao.core.testing import fresh_demo_code
from shebao.core.twofactor import otp_required

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


NO_CHROMIUM = "browser tests skipped: chromium not found (make e2e-deps installs it)"


def chromium_path() -> str | None:
    return os.environ.get("SHEBAO_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    path = chromium_path()
    if not path:
        pytest.skip(NO_CHROMIUM)
    # Playwright's sync API runs an event loop in this thread; the Django code these tests call
    # directly (seeding) is synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, live_server, transactional_db) -> Iterator[Page]:
    seed_all_apps(bulk=False)
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    yield context.new_page()
    context.close()


def sign_in(page: Page, username: str) -> None:
    """Sign a demo user in: the password, then for those who need one the code of the demo
    authenticator (shebao.core.demo.DEMO_OTP_KEY) on the two-factor page."""
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    user = User.objects.get(username=username)
    if otp_required(user):
        form = page.get_by_test_id("otp-form")
        expect(form).to_be_visible()
        form.locator("input[name=token]").fill(fresh_demo_code(user))
        form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("whoami")).to_be_visible()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly when the browser tests did not run, and how long each journey took."""
    from e2e.journey import TIMINGS

    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if NO_CHROMIUM in str(getattr(report, "longrepr", ""))
    ]
    if skipped:
        terminalreporter.write_sep("=", f"{NO_CHROMIUM}: {len(skipped)} tests", yellow=True)
    if TIMINGS:
        terminalreporter.write_sep("-", "browser journeys")
        for name, seconds in TIMINGS:
            terminalreporter.write_line(f"{name}: {seconds:.1f} s")
