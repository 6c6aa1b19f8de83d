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


def chromium_path() -> str:
    path = os.environ.get("SHEBAO_CHROMIUM") or shutil.which("chromium")
    if not path:
        raise RuntimeError("browser tests need Chromium: `make e2e-deps` installs it")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; the Django code these tests call
    # directly (seeding) is synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, live_server, transactional_db) -> Iterator[Page]:
    seed_all_apps(bulk=False)
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    yield context.new_page()
    context.close()


def sign_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("whoami")).to_be_visible()
