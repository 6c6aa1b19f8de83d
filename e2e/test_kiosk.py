"""The kiosk in a real browser: a visitor signs in with the on-screen keypad and is signed out
by the page after the idle time; a walk-in takes a ticket and sees its code."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.browser import SCREENSHOTS
from shebao.portal.demo import DEMO_KIOSK_KEY
from shebao.portal.tests.support import last_code
from shebao.registry.demo import demo_person

pytestmark = pytest.mark.e2e

IDLE_SECONDS = 5


def type_on_keypad(page: Page, target: str, digits: str) -> None:
    pad = page.locator(f'.kiosk-keypad[data-keypad-for="{target}"]')
    for digit in digits:
        pad.locator(f'[data-key="{digit}"]').click()
    expect(page.locator(f"#{target}")).to_have_value(digits)


def test_a_visitor_signs_in_on_the_keypad_and_is_signed_out_when_idle(page: Page, settings) -> None:
    settings.KIOSK_IDLE_SECONDS = IDLE_SECONDS
    person = demo_person("张伟")
    page.goto(f"/kiosk/activate/{DEMO_KIOSK_KEY}/")
    page.get_by_test_id("kiosk-sign-in").click()
    type_on_keypad(page, "id_resident_id", person.resident_id)
    page.get_by_role("button", name="发送验证码").click()
    expect(page).to_have_url(re.compile(r"/kiosk/sign-in/code/$"))
    type_on_keypad(page, "id_code", last_code(person.phone))
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("kiosk-visitor")).to_contain_text("张伟")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "kiosk-menu.png"), full_page=True)

    # No touch: the warning shows, then the page signs the visitor out and goes back home.
    expect(page.locator("#kiosk-idle-overlay")).to_be_visible(timeout=IDLE_SECONDS * 1000)
    expect(page).to_have_url(re.compile(r"/kiosk/$"), timeout=(IDLE_SECONDS + 5) * 1000)
    expect(page.get_by_test_id("kiosk-sign-in")).to_be_visible()
    page.goto("/kiosk/menu/")
    expect(page).to_have_url(re.compile(r"/kiosk/sign-in/"))


def test_a_walk_in_takes_a_ticket_and_sees_its_code(page: Page) -> None:
    page.goto(f"/kiosk/activate/{DEMO_KIOSK_KEY}/")
    page.get_by_test_id("kiosk-ticket-general").click()
    code = page.get_by_test_id("kiosk-ticket-code")
    expect(code).to_have_text(re.compile(r"^A\d{3}$"))
    expect(page.get_by_test_id("kiosk-ticket-ahead")).to_be_visible()
    expect(page.get_by_test_id("kiosk-print")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "kiosk-ticket.png"), full_page=True)

    page.get_by_test_id("kiosk-done").click()
    page.get_by_test_id("kiosk-ticket-green").click()
    page.get_by_test_id("kiosk-green-elderly").click()
    expect(page.get_by_test_id("kiosk-ticket-code")).to_have_text(re.compile(r"^G\d{3}$"))
