"""The statistics pages: who may read them and which agencies, the filters' refusals, the Excel
sheets equal to the screen's tables, and the summaries refreshed by the runs that change them."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser
from io import BytesIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from shebao.core.models import Agency, AuditEntry
from shebao.reports.figures import COUNT, DECIMAL, RATE, YUAN, Filters
from shebao.reports.models import ContributionSummary, SummaryRefresh
from shebao.reports.refresh import summaries_refresh
from shebao.reports.selectors import FIGURES, figure_of

QUERY = {"start": "2026-01", "end": "2026-12"}


class TableCells(HTMLParser):
    """The body cells of each ``data-testid="table-<slug>"`` table, as the screen shows them."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        testid = found.get("data-testid") or ""
        if tag == "table" and testid.startswith("table-"):
            self._table = testid.removeprefix("table-")
            self.tables[self._table] = []
        elif tag == "tbody" and self._table:
            self._in_body = True
        elif tag == "tr" and self._in_body and self._table:
            self.tables[self._table].append([])
        elif tag == "td" and self._in_body and self._table:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._table:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def screen_tables(html: str) -> dict[str, list[list[str]]]:
    parser = TableCells()
    parser.feed(html)
    return parser.tables


def as_screen(value: object, kind: str) -> str:
    """An Excel cell written as the screen writes it."""
    if value is None:
        return "—"
    if kind == YUAN:
        assert isinstance(value, int | float | Decimal)
        return f"{Decimal(str(value)):,.2f}"
    if kind == RATE:
        return f"{Decimal(str(value)):.1f}%"
    if kind == DECIMAL:
        return f"{Decimal(str(value)):.1f}"
    if kind == COUNT:
        assert isinstance(value, int)
        return f"{value:,}"
    return str(value)


@pytest.fixture
def refreshed(demo) -> None:
    summaries_refresh(range(202601, 202613))


def test_the_menu_offers_the_statistics_to_heads_and_not_to_clerks(login) -> None:
    head = login("head_shiyan")
    assert b'data-testid="statistics-menu"' in head.get("/").content
    head.logout()
    assert b'data-testid="statistics-menu"' not in login("clerk_maojian").get("/").content


def test_a_clerk_may_not_read_the_statistics(login) -> None:
    client = login("clerk_maojian")
    assert client.get("/statistics/").status_code == 403
    assert client.get("/statistics/dashboard.xlsx").status_code == 403


@pytest.mark.parametrize(
    ("username", "code", "status"),
    [
        ("head_maojian", "420302", 200),
        ("head_maojian", "420300", 404),  # the city above the district
        ("head_maojian", "420303", 404),  # the neighbouring district
        ("head_shiyan", "420303", 200),
        ("head_shiyan", "420102", 404),  # another city's district
        ("admin", "420102", 200),
        ("head_shiyan", "999999", 404),  # no such agency
    ],
)
def test_each_viewer_reads_their_own_subtree_only(login, username, code, status) -> None:
    client = login(username)
    assert client.get("/statistics/", {"agency": code, **QUERY}).status_code == status
    assert client.get("/statistics/arrears.xlsx", {"agency": code, **QUERY}).status_code == status


def test_the_agency_choice_lists_the_viewer_s_subtree(login) -> None:
    html = login("head_shiyan").get("/statistics/").content.decode()
    offered = set(re.findall(r'<option value="([^"]+)"', html))
    assert offered == {"420300", "420300-01", "420300-02", "420302", "420303"}


def test_a_backward_or_too_long_range_is_refused_with_its_rule_code(login) -> None:
    client = login("head_shiyan")
    backward = client.get("/statistics/", {"start": "2026-12", "end": "2026-01"})
    assert backward.status_code == 200
    assert "REPORT-PERIOD-RANGE" in backward.content.decode()
    assert b'data-testid="figure-' not in backward.content
    too_long = client.get("/statistics/", {"start": "2020-01", "end": "2026-12"})
    assert "REPORT-PERIOD-RANGE" in too_long.content.decode()
    assert client.get("/statistics/dashboard.xlsx", {"start": "2026-13"}).status_code == 400


def test_an_unknown_figure_is_not_found(login) -> None:
    assert login("head_shiyan").get("/statistics/nothing.xlsx").status_code == 404


def test_every_figure_s_excel_sheet_equals_the_screen_s_table(refreshed, login) -> None:
    client = login("head_shiyan")
    query = {"agency": "420300", **QUERY}
    tables = screen_tables(client.get("/statistics/", query).content.decode())
    assert set(tables) == set(FIGURES)
    book = load_workbook(BytesIO(client.get("/statistics/dashboard.xlsx", query).content))
    assert len(book.worksheets) == len(FIGURES)
    filters = Filters(Agency.objects.get(code="420300"), 202601, 202612, timezone.localdate())
    compared = 0
    for sheet, slug in zip(book.worksheets, FIGURES, strict=True):
        kinds = [column.kind for column in figure_of(slug, filters).columns]
        values = list(sheet.iter_rows(min_row=6, max_col=len(kinds), values_only=True))
        for screen_row, excel_row in zip(tables[slug], values, strict=False):
            if screen_row == [screen_row[0]]:  # the "None." row of an empty table
                continue
            assert screen_row == [as_screen(v, k) for v, k in zip(excel_row, kinds, strict=True)]
            compared += 1
    assert compared > 20


def test_an_excel_export_is_audited_with_its_figures_and_months(refreshed, login) -> None:
    client = login("head_shiyan")
    response = client.get("/statistics/workload.xlsx", {"agency": "420302", **QUERY})
    assert response.status_code == 200
    assert "statistics-workload-420302-202601-202612.xlsx" in response["Content-Disposition"]
    entry = AuditEntry.objects.filter(action="statistics.export").latest("id")
    assert entry.after == {"figures": ["workload"], "start": 202601, "end": 202612}
    assert entry.actor_username == "head_shiyan"


def test_the_page_says_when_the_monthly_figures_were_compiled(demo, login) -> None:
    SummaryRefresh.objects.all().delete()
    client = login("head_shiyan")
    assert b'data-testid="never-refreshed"' in client.get("/statistics/", QUERY).content
    summaries_refresh(range(202601, 202613))
    assert b'data-testid="refreshed-at"' in client.get("/statistics/", QUERY).content


def test_the_command_rebuilds_a_range_and_records_it(demo, capsys) -> None:
    ContributionSummary.objects.all().delete()
    call_command("refresh_statistics", "--from", "2026-09", "--to", "2026-10")
    assert "refreshed 2 months (202609–202610)" in capsys.readouterr().out
    assert set(ContributionSummary.objects.values_list("period", flat=True)) == {202609, 202610}
    entry = AuditEntry.objects.filter(action="statistics.refresh").latest("id")
    assert entry.after is not None
    assert entry.after["start"] == 202609
    assert entry.after["rows"]["contributions"] > 0
