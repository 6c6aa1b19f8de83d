"""A reviewer opening a collection case sees what they approve."""

from __future__ import annotations

import pytest

from shebao.registry.demo import demo_person
from shebao.services.models import Case, CaseStatus

pytestmark = [pytest.mark.django_db, pytest.mark.keep_demo]


def case_page(login, username: str, item: str) -> str:
    case = Case.objects.get(item__code=item, status=CaseStatus.IN_REVIEW)
    response = login(username).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_base_declaration_shows_wages_bases_and_clamping(login):
    page = case_page(login, "reviewer_zhangwan", "SBCL002")
    assert 'data-testid="case-data"' in page
    assert "25,000.00" in page  # declared
    assert "21,678.00" in page  # the 2026 cap in Shiyan
    assert demo_person("李娜").resident_id not in page  # masked


def test_the_back_payment_shows_its_price(login):
    page = case_page(login, "reviewer_maojian", "SBCL004")
    case = Case.objects.get(item__code="SBCL004", status=CaseStatus.IN_REVIEW)
    total = case.data["preview"]["total_fen"]
    assert f"{total // 100:,}.{total % 100:02d}" in page
    assert "202607–202608" in page


def test_the_refund_shows_amount_and_reason(login):
    page = case_page(login, "reviewer_maojian", "SBCL006")
    assert "100.00" in page
    assert "2026年9月多缴" in page
