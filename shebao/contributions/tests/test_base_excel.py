"""The base declaration workbook: the template lists the staff; a filled one is read back."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from shebao.contributions.base_excel import HEADERS, base_rows_read, base_template
from shebao.contributions.services.bases import WageRow
from shebao.contributions.tests.factories import employer_make, person_make, relations_make
from shebao.core.errors import RuleViolation

pytestmark = pytest.mark.django_db


def fill(template: bytes, wages: list[Any]) -> bytes:
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    for row, wage in zip(sheet.iter_rows(min_row=2), wages, strict=False):
        row[2].value = wage
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_template_lists_the_staff_and_reads_back(maojian):
    employer = employer_make(maojian)
    people = [person_make(maojian) for _ in range(3)]
    for person in people:
        relations_make(person, employer, agency=maojian, start=202401)
    gone = person_make(maojian)
    relations_make(gone, employer, agency=maojian, start=202301, end=202312)

    template = base_template(employer, 2025)

    sheet = load_workbook(io.BytesIO(template)).worksheets[0]
    assert [c.value for c in sheet[1]] == list(HEADERS)
    listed = [str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(listed) == sorted(p.resident_id for p in people)
    rows = base_rows_read(fill(template, [5000, "6,123.45", 7000.5]))
    assert [r.wage_fen for r in rows] == [500000, 612345, 700050]
    assert all(isinstance(r, WageRow) for r in rows)


def test_bad_cells_refuse_the_whole_file_naming_the_rows(maojian):
    employer = employer_make(maojian)
    for _ in range(3):
        relations_make(person_make(maojian), employer, agency=maojian, start=202401)
    template = base_template(employer, 2025)

    with pytest.raises(RuleViolation) as refused:
        base_rows_read(fill(template, [5000, "五千", 1.234]))

    assert refused.value.code == "BASE-ROWS-INVALID"
    assert refused.value.params["rows"] == "#3 MONEY-FORMAT; #4 MONEY-FORMAT"


def test_a_file_that_is_not_a_workbook_is_refused():
    with pytest.raises(RuleViolation):
        base_rows_read(b"not a workbook")
