"""The adjustment pages: computing a run, its totals and lines, the approval by a second
person, the Excel export, and 404 outside the actor's scope."""

from __future__ import annotations

import io

import openpyxl
import pytest

from shebao.benefits.models import AdjustmentDecision, DecisionStatus, PensionRate
from shebao.benefits.tests.lifecycle_support import paid, retiree
from shebao.core.models import BatchRun
from shebao.core.periods import period_range

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(login, agency):
    for monthly in (300000, 312345):
        pension = retiree(agency("420302"), monthly_fen=monthly, retirement_month=202311)
        paid(pension, *period_range(202501, 202503))
    client = login("fund_shiyan")
    response = client.post("/benefits/adjustments/", {"year": 2025, "agency": "420300"})
    assert response.status_code == 302
    return BatchRun.objects.filter(kind="pension_adjustment").latest("id")


def test_run_page_shows_totals_lines_and_the_unverified_split(login, run):
    page = login("fund_shiyan").get(f"/benefits/adjustments/{run.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="split-unverified"' in text
    assert 'data-testid="adjustment-lines"' in text
    assert 'data-testid="approve"' not in text  # the maker sees no approval buttons
    assert "62.47" in text  # 3,123.45 × 2%


def test_the_export_holds_one_row_per_retiree(login, run):
    response = login("fund_shiyan").get(f"/benefits/adjustments/{run.pk}/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == run.totals["persons"]
    assert all("*" in str(row[2]) for row in rows)  # masked resident IDs


def test_head_approves_on_the_page_and_the_rates_are_written(client, login, run):
    client.logout()
    client = login("head_shiyan")
    page = client.get(f"/benefits/adjustments/{run.pk}/")
    assert 'data-testid="approve"' in page.content.decode()
    client.post(f"/benefits/adjustments/{run.pk}/decision/", {"decision": "approve"})
    assert AdjustmentDecision.objects.get(run=run).status == DecisionStatus.APPROVED
    assert PensionRate.objects.filter(source=f"run:{run.pk}").count() == run.totals["persons"]


def test_another_city_sees_no_run(client, login, run):
    client.logout()
    client = login("clerk_wuhan")
    assert client.get(f"/benefits/adjustments/{run.pk}/").status_code in (403, 404)
    client.logout()
    reviewer = login("reviewer_zhangwan")  # approves, but in Zhangwan only
    assert reviewer.get(f"/benefits/adjustments/{run.pk}/").status_code == 404
