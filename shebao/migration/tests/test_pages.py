"""The migration's staff pages: the overview, a city's reconciliation report and its workbook,
the staged rows, who may see them, and the menu entry."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook

from shebao.contributions.models import HistoricalContribution
from shebao.core.masking import mask_resident_id
from shebao.core.models import Agency, AuditEntry, BatchRun
from shebao.core.money import fen_to_yuan, format_yuan
from shebao.migration.models import (
    LegacyContribution,
    LegacyEmployer,
    LegacyPerson,
    LegacyRelation,
    Outcome,
)
from shebao.migration.reconcile import Reconciliation, reconcile
from shebao.migration.selectors import mask_cell, mask_text
from shebao.migration.tests.support import P1, P4, P5, WRONG_CHECK, migrate, write_small_delivery

pytestmark = pytest.mark.django_db

REPORT = "/migration/420300/"


@pytest.fixture
def login(login, client: Client):
    """The project's login, signing out first: these tests change users on one client (the
    login page sends a signed-in user on without signing the next one in)."""

    def sign_in(username: str) -> Client:
        client.logout()
        return login(username)

    return sign_in


@pytest.fixture
def migrated(tmp_path: Path, demo: None) -> BatchRun:
    return migrate(write_small_delivery(tmp_path / "420300"))


def _shiyan() -> Reconciliation:
    return reconcile(Agency.objects.get(code="420300"))


def _element(html: str, testid: str, tag: str = "tr") -> str:
    """The markup of the element with this data-testid (its first occurrence)."""
    match = re.search(
        rf'<{tag}[^>]*data-testid="{re.escape(testid)}"[^>]*>(.*?)</{tag}>', html, re.S
    )
    assert match is not None, f"no {tag} {testid}"
    return match[1]


def _cell(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{re.escape(testid)}"[^>]*>(.*?)</t[dh]>', html, re.S)
    assert match is not None, f"no cell {testid}"
    return re.sub(r"<[^>]+>", "", match[1]).strip()


def _get(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- who reaches the pages --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/migration/",
        REPORT,
        f"{REPORT}report.xlsx",
        f"{REPORT}rows/persons/",
        "/migration/issues/",
        "/migration/issues/1/",
    ],
)
def test_an_anonymous_visitor_is_sent_to_the_login(client: Client, demo: None, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_the_report_is_for_heads_fund_officers_and_administrators(migrated, login) -> None:
    for username in ("head_shiyan", "head_maojian", "fund_shiyan", "admin"):
        assert login(username).get(REPORT).status_code == 200, username
        assert login(username).get(f"{REPORT}rows/persons/").status_code == 200, username
    for username in ("clerk_maojian", "reviewer_maojian"):
        assert login(username).get(REPORT).status_code == 403, username
        assert login(username).get(f"{REPORT}report.xlsx").status_code == 403, username
        assert login(username).get(f"{REPORT}rows/persons/").status_code == 403, username
    assert login("reviewer_maojian").get("/migration/").status_code == 403


def test_a_city_outside_the_scope_or_not_a_city_is_absent(migrated, login) -> None:
    client = login("head_maojian")
    assert client.get("/migration/420100/").status_code == 404  # Wuhan: another city
    assert client.get("/migration/420302/").status_code == 404  # a district, not a city
    assert client.get("/migration/999999/").status_code == 404
    assert client.get(f"{REPORT}rows/nothing/").status_code == 404


# --- the overview ----------------------------------------------------------------------------


def test_the_overview_lists_the_city_its_files_runs_and_open_items(migrated, login) -> None:
    body = _get(login("head_maojian"), "/migration/")  # a district head sees the city
    city = _element(body, "city-420300", "section")
    for name in ("employers.csv", "persons.csv", "contributions.csv", "retirees.csv"):
        assert name in city
    assert f"{REPORT}rows/persons/" in city
    assert f'href="{REPORT}"' in city
    assert "6 / 6" in city  # the run's chunks
    assert str(migrated.rows) in city
    # The clerk sees the open items of the persons of the district (the P1/P4 pair spans two
    # districts: it is for a city clerk, who may act on both).
    clerk = _get(login("clerk_maojian"), "/migration/")
    assert re.search(r'data-testid="open-issues".*?>\s*2\s*<', clerk, re.S)
    assert 'data-testid="report-link"' not in clerk
    # Another city's clerk sees nothing of Shiyan.
    wuhan = _get(login("clerk_wuhan"), "/migration/")
    assert "city-420300" not in wuhan
    assert 'data-testid="no-cities"' in wuhan


def test_the_menu_shows_the_migration_to_those_who_may_see_it(migrated, login) -> None:
    clerk = _get(login("clerk_maojian"), "/")
    assert 'data-testid="migration-menu"' in clerk
    assert 'href="/migration/issues/"' in clerk
    fund = _get(login("fund_shiyan"), "/")
    assert 'data-testid="migration-menu"' in fund
    assert 'href="/migration/issues/"' not in fund  # no worklist for a fund officer
    assert 'data-testid="migration-menu"' not in _get(login("reviewer_maojian"), "/")


# --- the report ------------------------------------------------------------------------------


def test_the_report_shows_the_reconciliation_figures(migrated, login) -> None:
    body = _get(login("head_shiyan"), REPORT)
    figures = _shiyan()
    assert figures.balanced
    assert 'data-testid="balanced"' in body
    assert 'data-testid="unbalanced"' not in body
    for entity in figures.entities:
        rows = _element(body, f"figures-{entity.entity}-0")
        assert _cell(rows, "before") == str(entity.before_rows)
        assert _cell(rows, "after") == str(entity.after_rows)
        assert _cell(rows, "rejected") == str(entity.rejected_rows)
        assert _cell(rows, "balanced") == "✓"
        assert 'data-testid="entity-balanced"' in rows
        for outcome in (Outcome.LOADED, Outcome.FIXED, Outcome.FLAGGED, Outcome.REJECTED):
            assert _cell(rows, f"outcome-{outcome}") == str(entity.by_outcome.get(outcome, 0))
        for number, column in enumerate(entity.before, start=1):
            money = _element(body, f"figures-{entity.entity}-{number}")
            assert _cell(money, "before") == format_yuan(entity.before[column])
            assert _cell(money, "after") == format_yuan(entity.after[column])
            assert _cell(money, "rejected") == format_yuan(entity.rejected[column])
            assert _cell(money, "balanced") == "✓"
    # The same figures counted directly.
    persons = _element(body, "figures-persons-0")
    assert _cell(persons, "before") == str(LegacyPerson.objects.count()) == "6"
    assert _cell(persons, "rejected") == "1"
    relations = _element(body, "figures-relations-0")
    assert _cell(relations, "rejected") == str(
        LegacyRelation.objects.filter(outcome=Outcome.REJECTED).count()
    )
    contributions = _element(body, "figures-contributions-0")
    held = HistoricalContribution.objects.filter(source="legacy:420300")
    assert _cell(contributions, "after") == str(held.count()) == "12"
    credits = _element(body, "figures-contributions-4")  # the account credit
    assert _cell(credits, "after") == format_yuan(sum(h.account_credit_fen for h in held))
    assert _cell(credits, "before") == "5,600.00"
    assert _cell(credits, "rejected") == "800.00"
    employers = _element(body, "figures-employers-0")
    assert _cell(employers, "outcome-rejected") == str(
        LegacyEmployer.objects.filter(outcome=Outcome.REJECTED).count()
    )


def test_the_report_lists_the_rules_with_links_to_their_rows(migrated, login) -> None:
    body = _get(login("head_shiyan"), REPORT)
    figures = _shiyan()
    assert figures.rules
    for rule in figures.rules:
        line = _element(body, f"rule-{rule.code}-{rule.entity}-{rule.outcome}")
        assert _cell(line, "rows") == str(rule.rows)
        assert f"{REPORT}rows/{rule.entity}/?rule={rule.code}&amp;outcome={rule.outcome}" in line
        assert "{" not in line  # the rule's text without its placeholders
    overlap = _element(body, "rule-MIG-REL-OVERLAP-relations-flagged")
    assert "养老保险关系" in overlap
    assert "重叠" in overlap


def test_the_report_compares_the_rebuilt_balances_with_masked_persons(migrated, login) -> None:
    body = _get(login("head_shiyan"), REPORT)
    (difference,) = _shiyan().differences
    line = _element(body, "difference-P1")
    assert _cell(line, "migrated") == format_yuan(difference.migrated_fen) == "5,810.00"
    assert _cell(line, "rebuilt") == format_yuan(difference.rebuilt_fen)
    assert _cell(line, "difference") == format_yuan(difference.difference_fen)
    assert mask_resident_id(P1) in line
    assert "王一" in line
    assert P1 not in body
    assert re.search(r'data-testid="differences-total">\s*1\D', body)
    assert f'href="{REPORT}report.xlsx"' in body
    assert 'href="/migration/issues/?status=open&amp;city=420300"' in body


def test_the_report_in_english(migrated, login) -> None:
    client = login("head_shiyan")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = _get(client, REPORT)
    assert "Reconciliation report" in body
    overlap = _element(body, "rule-MIG-REL-OVERLAP-relations-flagged")
    assert "overlaps the pension relation" in overlap
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})


# --- the workbook ----------------------------------------------------------------------------


def _yuan(value: object) -> Decimal:
    """A workbook amount (read back as a float) as yuan to the fen."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _table(sheet, first: str) -> list[tuple]:
    """The rows below the header row whose first cell is ``first``."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(n for n, row in enumerate(rows) if row[0] == first)
    return [row for row in rows[start + 1 :] if any(v is not None for v in row)]


def test_the_workbook_holds_the_pages_figures_and_is_audited(migrated, login) -> None:
    client = login("fund_shiyan")
    response = client.get(f"{REPORT}report.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="migration-420300.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["汇总", "规则", "账户差异"]
    figures = _shiyan()
    page = _get(client, REPORT)

    summary = book["汇总"]
    lines = _table(summary, "数据类别")
    header = next(row for row in summary.iter_rows() if row[0].value == "数据类别")
    assert all(cell.font.bold for cell in header if cell.value)
    by_entity: dict[str, list[tuple]] = {}
    current = ""
    for row in lines:
        current = row[0] or current
        by_entity.setdefault(current, []).append(row)
    assert len(by_entity) == len(figures.entities)
    for entity, rows in zip(figures.entities, by_entity.values(), strict=True):
        assert rows[0][2:5] == (entity.before_rows, entity.after_rows, entity.rejected_rows)
        assert rows[0][-1] == "✓"
        page_rows = _element(page, f"figures-{entity.entity}-0")
        assert str(rows[0][2]) == _cell(page_rows, "before")
        for number, column in enumerate(entity.before, start=1):
            values = tuple(_yuan(v) for v in rows[number][2:5])
            assert values == tuple(
                fen_to_yuan(v)
                for v in (entity.before[column], entity.after[column], entity.rejected[column])
            )
            page_money = _element(page, f"figures-{entity.entity}-{number}")
            assert format_yuan(int(Decimal(values[0]) * 100)) == _cell(page_money, "before")
    money_row = next(row for row in summary.iter_rows() if "(元)" in str(row[1].value))
    assert all(cell.number_format == "#,##0.00" for cell in money_row[2:5])
    assert all(isinstance(cell.value, int | float) for cell in money_row[2:5])

    rules = _table(book["规则"], "规则")
    assert [(r[0], r[4]) for r in rules] == [(r.code, r.rows) for r in figures.rules]
    assert all("{" not in str(r[1]) for r in rules)

    (difference,) = _table(book["账户差异"], "原系统编号")
    assert difference[:4] == ("P1", mask_resident_id(P1), "王一", 2024)
    assert tuple(_yuan(v) for v in difference[4:]) == (
        Decimal("5810.00"),
        fen_to_yuan(figures.differences[0].rebuilt_fen),
        fen_to_yuan(figures.differences[0].difference_fen),
    )
    assert P1.encode() not in response.content

    entry = AuditEntry.objects.filter(action="migration.report.export").latest("id")
    assert entry.actor_username == "fund_shiyan"
    assert entry.target_id == str(Agency.objects.get(code="420300").pk)
    assert entry.after is not None
    assert entry.after["differences"] == 1


# --- the staged rows -------------------------------------------------------------------------


def test_the_rows_page_filters_by_rule_and_masks_personal_data(migrated, login) -> None:
    client = login("head_shiyan")
    everything = _get(client, f"{REPORT}rows/persons/")
    for number in (P1, P4, P5, WRONG_CHECK, "420302850202002", "13900000001"):
        assert number not in everything
    assert mask_resident_id(P1) in everything
    assert "139****0001" in everything
    assert len(re.findall(r'data-testid="row-\d+"', everything)) == 6

    checksum = _get(client, f"{REPORT}rows/persons/?outcome=rejected&rule=MIG-ID-CHECKSUM")
    assert re.findall(r'data-testid="row-(\d+)"', checksum) == ["4"]
    line = _element(checksum, "row-4")
    assert mask_resident_id(WRONG_CHECK) in line  # the cell and the note
    assert WRONG_CHECK not in checksum
    assert "错三" in line
    assert "MIG-ID-CHECKSUM" in line

    # A code is matched whole: MIG-ID is not MIG-ID-15.
    assert not re.findall(
        r'data-testid="row-\d+"', _get(client, f"{REPORT}rows/persons/?rule=MIG-ID")
    )
    fixed = _get(client, f"{REPORT}rows/persons/?rule=MIG-ID-BIRTH")
    assert re.findall(r'data-testid="row-(\d+)"', fixed) == ["3"]
    person = LegacyPerson.objects.get(line=3)
    assert f'href="/registry/persons/{person.target_id}/"' in fixed


def test_the_rows_page_by_outcome_pages_and_masks_bank_accounts(migrated, login) -> None:
    client = login("head_shiyan")
    rejected = _get(client, f"{REPORT}rows/contributions/?outcome=rejected")
    assert re.findall(r'data-testid="row-(\d+)"', rejected) == ["14", "15"]
    assert LegacyContribution.objects.filter(outcome=Outcome.REJECTED).count() == 2
    all_months = _get(client, f"{REPORT}rows/contributions/")
    assert len(re.findall(r'data-testid="row-\d+"', all_months)) == 14
    retirees = _get(client, f"{REPORT}rows/retirees/")
    assert "6222000000000000000" not in retirees
    assert "6222***********0000" in retirees


def test_cells_and_notes_are_masked() -> None:
    assert mask_cell(P1) == mask_resident_id(P1)
    assert mask_cell("420302850202002") == mask_resident_id("420302850202002")
    assert mask_cell("13900000001") == "139****0001"
    assert mask_cell("0719-8123456") == "0719-***3456"
    assert mask_cell("5000.00") == "5000.00"
    assert mask_cell("202401") == "202401"
    assert mask_cell("91420300MA4K000016") == "91420300MA4K000016"  # a credit code
    note = f"420302850202002 → {P1}; phone 13900000001"
    masked = mask_text(note)
    assert P1 not in masked
    assert "420302850202002" not in masked
    assert "13900000001" not in masked
    assert mask_text("credit code 91420300MA4K000020") == "credit code 91420300MA4K000020"
