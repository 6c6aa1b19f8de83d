"""The hall in a real browser: the calling board on the hall's screen shows a ticket the
moment a clerk calls it at a window, without a reload, and flashes it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.browser import SCREENSHOTS, sign_in
from shebao.core.models import Agency, Channel
from shebao.hall.models import Ticket
from shebao.hall.services import ticket_take
from shebao.hall.tests.support import empty_hall
from shebao.portal.demo import DEMO_KIOSK
from shebao.portal.models import Kiosk
from shebao.portal.services import kiosk_system_actor

pytestmark = pytest.mark.e2e


def stamp(ticket: Ticket) -> str:
    """What the board marks a call with (BoardCall.stamp): it changes on a recall too."""
    called = Ticket.objects.get(pk=ticket.pk)
    assert called.called_at is not None
    return f"{called.pk}-{called.call_count}-{called.called_at.timestamp():.0f}"


def test_a_kiosk_ticket_called_at_a_window_appears_on_the_board(
    page: Page, browser: Browser, live_server
) -> None:
    agency = empty_hall()
    kiosk = Kiosk.objects.get(code=DEMO_KIOSK[1])
    ticket = ticket_take(
        actor=kiosk_system_actor(kiosk),
        agency=Agency.objects.get(code=agency.code),
        category="A",
        channel=Channel.KIOSK,
    )
    screen = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    screen.goto(f"/hall/{agency.code}/board/")
    expect(screen.get_by_test_id("board-now")).to_contain_text("今日尚未叫号")
    expect(screen.get_by_test_id("board-waiting-A")).to_have_text("1")

    sign_in(page, "clerk_maojian")
    page.goto("/hall/")
    page.get_by_test_id("sign-in-2").click()
    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("current-ticket")).to_contain_text(ticket.code)

    # The board polls: the call shows up on the open page, announced by the script.
    expect(screen.get_by_test_id("board-latest-code")).to_have_text(ticket.code, timeout=10_000)
    expect(screen.get_by_test_id("board-now")).to_contain_text("2号窗口")
    expect(screen.locator("[data-board]")).to_have_attribute("data-announced", stamp(ticket))
    expect(screen.get_by_test_id("board-waiting-A")).to_have_text("0")
    SCREENSHOTS.mkdir(exist_ok=True)
    screen.screenshot(path=str(SCREENSHOTS / "hall-board.png"), full_page=True)

    # A recall is announced again.
    page.get_by_role("button", name="重呼").click()
    expect(screen.locator("[data-board]")).to_have_attribute("data-announced", stamp(ticket))
    screen.context.close()
