"""What the journey tests share: a numbered full-page screenshot at each main step, the time
each journey took, and the few things a user gets out-of-band (an SMS code, a PDF download)."""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
from django.core.handlers.wsgi import WSGIHandler
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Route

from shebao.contributions import tasks
from shebao.portal.tests.support import last_code

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# How long each journey took, in seconds, in the order they ran (the summary prints them).
TIMINGS: list[tuple[str, float]] = []
VERIFICATION_CODE = re.compile(r"[0-9A-Z]{6}-[0-9A-Z]{6}-[0-9A-Z]{6}")


class Journey:
    """One journey's screenshots: ``e2e/artifacts/<name>/<nn-step>.png``."""

    def __init__(self, name: str, page: Page) -> None:
        self.name = name
        self.page = page
        self.folder = ARTIFACTS / name
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.taken: list[Path] = []

    def shot(self, step: str, page: Page | None = None) -> None:
        """The whole page (the journey's own unless another person's is given)."""
        page = page or self.page
        path = self.folder / f"{len(self.taken) + 1:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)


@contextmanager
def journey(name: str, page: Page) -> Iterator[Journey]:
    """Time a journey; when it fails, its last screenshot shows where."""
    started = time.perf_counter()
    recorder = Journey(name, page)
    try:
        yield recorder
    except Exception:
        recorder.shot("failed")
        raise
    TIMINGS.append((name, time.perf_counter() - started))


def new_page(browser: Browser, base_url: str) -> Page:
    """A page in a browser of its own (its own cookies): another person at another desk."""
    context: BrowserContext = browser.new_context(base_url=base_url, locale="zh-CN")
    return context.new_page()


def sms_code(phone: str) -> str:
    """The code the phone received: what the person reads off their phone."""
    return last_code(phone)


@dataclass
class Kept:
    """A response the browser received, as it came off the wire."""

    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@contextmanager
def keep_response(page: Page, url: str) -> Iterator[Kept]:
    """Keep the body of the next response to ``url`` in the page's browser: a PDF opened in a
    new tab is shown by the viewer, which leaves nothing to read from the response event."""
    kept = Kept()

    def fetch_and_keep(route: Route) -> None:
        response = route.fetch()
        kept.status, kept.headers, kept.body = response.status, response.headers, response.body()
        route.fulfill(response=response)

    page.context.route(url, fetch_and_keep)
    try:
        yield kept
        for _ in range(100):  # the handler runs while Playwright's loop turns: give it turns
            if kept.status:
                break
            page.wait_for_timeout(100)
        assert kept.status, f"no response to {url}"
    finally:
        page.context.unroute(url, fetch_and_keep)


def pdf_text(pdf: bytes) -> str:
    """The text of every page without the spaces and line breaks of the layout."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "".join("".join((page.extract_text() or "").split()) for page in reader.pages)


def yuan_to_fen(text: str) -> int:
    """``1,234.56`` (as the pages show amounts) in fen."""
    return int(Decimal(text.strip().replace(",", "").replace("¥", "")) * 100)


def yuan(fen: int) -> str:
    """Fen as the pages and documents show yuan: ``1,088.00``."""
    return f"{Decimal(fen) / 100:,.2f}"


def field_of(summary: Locator, term: str) -> Locator:
    """The value (dd) next to a term (dt) of a summary list."""
    return summary.locator(f'dt:text-is("{term}") + dd')


def batch_runs_queue_with_requests(monkeypatch: pytest.MonkeyPatch, *, delay: float = 1.0) -> None:
    """Let a batch run started from a page and the live server's requests write one at a time.

    The run goes on in a thread with a database connection of its own. On the file database
    of ``make run`` (and on PostgreSQL) a writer waits for the other; the in-memory SQLite
    database of the tests refuses the second writer at once ("database table is locked"),
    so here the run and each request take turns. The run also starts ``delay`` seconds late,
    long enough for the page to show it waiting before it goes."""
    turn = threading.RLock()
    execute = tasks._execute
    handle = WSGIHandler.__call__

    def execute_in_turn(run_pk, ref):
        time.sleep(delay)
        with turn:
            return execute(run_pk, ref)

    def handle_in_turn(self, environ, start_response):
        with turn:
            return handle(self, environ, start_response)

    monkeypatch.setattr(tasks, "_execute", execute_in_turn)
    monkeypatch.setattr(WSGIHandler, "__call__", handle_in_turn)
