"""The yearly statement: its figures add up to the fen, months are counted once, the pages and
the Excel file show the same figures, and another district's person reads as absent."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from shebao.accounts.models import AccountEntry, EntryKind
from shebao.accounts.selectors import account_summary, statement_of
from shebao.accounts.services.journal import balance_fen, entry_post
from shebao.accounts.statements import rate_percent, statement_assemble
from shebao.contributions.tests.factories import person_make
from shebao.core.masking import mask_resident_id

pytestmark = pytest.mark.django_db

CREDIT = 40000  # 400.00 a month: 8% of a 5,000.00 base


@pytest.fixture
def maojian(agency):
    return agency("420302")


@pytest.fixture
def post(system):
    keys = iter(range(1, 10_000))

    def posted(person, kind, amount_fen, year, month, **extra) -> AccountEntry:
        return entry_post(
            actor=system,
            person=person,
            kind=kind,
            amount_fen=amount_fen,
            year=year,
            month=month,
            source="tests",
            key=f"statement-test:{person.pk}:{next(keys)}",
            **extra,
        )

    return posted


def credit(post, person, period: int, amount_fen: int = CREDIT) -> AccountEntry:
    return post(
        person, EntryKind.CONTRIBUTION, amount_fen, period // 100, period % 100, period=period
    )


@pytest.fixture
def history(maojian, post):
    """Two years of an account: 2024 two credits and their interest; 2025 credits (one month
    with a difference credit, one reversed by a paid reversal line), a provisional crediting at
    a mid-year event, a transfer in, a correction and the year's interest."""
    person = person_make(maojian)
    credit(post, person, 202411)
    credit(post, person, 202412)
    post(person, EntryKind.INTEREST, 157, 2024, 12, rate="0.0262")
    credit(post, person, 202501)
    credit(post, person, 202502)
    credit(post, person, 202502, 1000)
    credit(post, person, 202503)
    credit(post, person, 202503, -CREDIT)
    post(person, EntryKind.TRANSFER_IN, 1234567, 2025, 6, note="from 440300")
    post(person, EntryKind.INTEREST, 311, 2025, 6, rate="0.0262", provisional=True)
    post(person, EntryKind.CORRECTION, -500, 2025, 7, note="wrong migration figure")
    post(person, EntryKind.INTEREST, 7890, 2025, 12, rate="0.0150")
    return person


def test_opening_credits_interest_and_others_make_the_closing_balance(history):
    statement = statement_of(history, 2025)

    assert statement.opening_fen == 2 * CREDIT + 157
    assert [(c.month, c.periods, c.amount_fen, c.entries) for c in statement.credits] == [
        (1, (202501,), CREDIT, 1),
        (2, (202502,), CREDIT + 1000, 2),
        (3, (202503,), 0, 2),
    ]
    assert statement.credits_fen == 81000
    assert [(i.month, i.rate_percent, i.provisional, i.amount_fen) for i in statement.interest] == [
        (6, "2.62%", True, 311),
        (12, "1.50%", False, 7890),
    ]
    assert statement.interest_fen == 8201
    assert [(o.kind, o.month, o.amount_fen) for o in statement.others] == [
        (EntryKind.TRANSFER_IN, 6, 1234567),
        (EntryKind.CORRECTION, 7, -500),
    ]
    assert statement.others_fen == 1234067
    assert statement.closing_fen == 80157 + 81000 + 8201 + 1234067 == 1403425
    assert statement.closing_fen == balance_fen(history, through_year=2025)
    assert statement.provisional


def test_the_next_years_opening_is_this_years_closing(history):
    assert statement_of(history, 2024).closing_fen == statement_of(history, 2025).opening_fen
    summary = account_summary(history)
    assert [(y.year, y.movement_fen, y.balance_fen) for y in summary.year_ends] == [
        (2024, 80157, 80157),
        (2025, 1323268, 1403425),
    ]
    assert summary.balance_fen == balance_fen(history)


def test_a_year_without_entries_carries_its_balance(history):
    later = statement_of(history, 2027)
    assert later.opening_fen == later.closing_fen == 1403425
    assert (later.credits, later.interest, later.others) == ((), (), ())
    assert later.contribution_months == 4


def test_cumulative_months_count_each_credited_month_once_up_to_the_year(history, post):
    # 2024: 11 and 12; 2025 adds January and February (two credits, one month); March's
    # credit was reversed in full and does not count.
    assert statement_of(history, 2024).contribution_months == 2
    assert statement_of(history, 2025).contribution_months == 4
    january = AccountEntry.objects.get(person=history, period=202501)
    post(history, EntryKind.CORRECTION, -CREDIT, 2026, 2, reverses=january, note="double post")

    assert statement_of(history, 2025).contribution_months == 4  # the reversal counts in 2026
    assert statement_of(history, 2026).contribution_months == 3


def test_the_assembly_refuses_an_entry_of_another_year():
    entry = AccountEntry(kind=EntryKind.CONTRIBUTION, amount_fen=1, year=2024, month=1)
    with pytest.raises(ValueError, match="2024"):
        statement_assemble(year=2025, opening_fen=0, entries=[entry], period_totals={})


@pytest.mark.parametrize(
    ("rate", "shown"),
    [("0.0262", "2.62%"), ("0.015", "1.50%"), ("0.0831", "8.31%"), ("0.1", "10.00%"), ("x", "x")],
)
def test_rates_show_as_percentages(rate, shown):
    assert rate_percent(rate) == shown


def test_the_account_page_lists_year_ends_with_their_statements(login, history):
    client = login("clerk_maojian")
    response = client.get(f"/accounts/persons/{history.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert mask_resident_id(history.resident_id) in page
    assert history.resident_id not in page
    assert "14,034.25" in page
    assert f"/accounts/persons/{history.pk}/2024/" in page
    assert f"/accounts/persons/{history.pk}/2025/statement.xlsx" in page


def test_the_statement_page_shows_the_figures(login, history):
    client = login("clerk_maojian")
    response = client.get(f"/accounts/persons/{history.pk}/2025/")
    assert response.status_code == 200
    page = response.content.decode()
    assert history.resident_id not in page
    for figure in ("801.57", "810.00", "82.01", "12,340.67", "14,034.25", "1.50%", "2.62%"):
        assert figure in page


def test_the_person_page_links_to_the_account(login, history):
    page = login("clerk_maojian").get(f"/registry/persons/{history.pk}/").content.decode()
    assert f"/accounts/persons/{history.pk}/" in page


def test_the_excel_statement_has_the_pages_figures(login, history):
    response = login("clerk_maojian").get(
        f"/accounts/persons/{history.pk}/2025/statement.xlsx", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [row for row in sheet.iter_rows() if row[0].value is not None]
    by_label = {row[0].value: row for row in rows if isinstance(row[0].value, str)}
    assert by_label["Resident ID"][1].value == mask_resident_id(history.resident_id)
    assert by_label["Insured person"][1].value == history.name
    assert by_label["Year"][1].value == 2025
    assert isinstance(by_label["Generated at"][1].value, datetime)
    figures = {
        "Opening balance (yuan)": "801.57",
        "Contribution credits (yuan)": "810.00",
        "Interest (yuan)": "82.01",
        "Other entries (yuan)": "12340.67",
        "Closing balance (yuan)": "14034.25",
    }
    for label, amount in figures.items():
        cell = by_label[label][1]
        assert Decimal(str(cell.value)) == Decimal(amount), label
        assert cell.number_format == "#,##0.00"
    assert by_label["Cumulative contribution months"][1].value == 4
    # One row per month's credits, interest entry and other entry; they add up to the total.
    lines = [row for row in rows if isinstance(row[0].value, int)]
    assert [(row[0].value, row[1].value) for row in lines] == [
        (1, "Contribution credit"),
        (2, "Contribution credit"),
        (3, "Contribution credit"),
        (6, "Interest (provisional)"),
        (12, "Interest"),
        (6, "Transfer in"),
        (7, "Correction"),
    ]
    total = by_label["Total"][4]
    assert Decimal(str(total.value)) == Decimal("13232.68")
    assert sum(Decimal(str(row[4].value)) for row in lines) == Decimal(str(total.value))
    assert history.resident_id.encode() not in response.content


@pytest.mark.parametrize("suffix", ["", "2025/", "2025/statement.xlsx"])
def test_another_districts_clerk_gets_404(login, history, suffix):
    response = login("clerk_zhangwan").get(f"/accounts/persons/{history.pk}/{suffix}")
    assert response.status_code == 404


def test_a_year_out_of_range_is_404(login, history):
    assert login("clerk_maojian").get(f"/accounts/persons/{history.pk}/1800/").status_code == 404


def test_the_statement_page_reads_in_a_fixed_number_of_queries(
    login, history, post, django_assert_max_num_queries
):
    client = login("clerk_maojian")
    with django_assert_max_num_queries(20) as small:
        client.get(f"/accounts/persons/{history.pk}/2025/")
    for month in range(4, 13):
        credit(post, history, 202500 + month)
    with django_assert_max_num_queries(len(small)):
        client.get(f"/accounts/persons/{history.pk}/2025/")
