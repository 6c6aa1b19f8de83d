"""A statistical report as an Excel sheet in its fixed layout: the title, the agency and period,
the unit, two header rows (the column groups merged over their columns), the rows with the
total in bold, and the note; frozen below the headers, printed landscape on one page wide."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from shebao.core.excel import column_widths, local_naive, sheet_append
from shebao.core.money import fen_to_yuan
from shebao.reports.statements import Statement

TITLE_FONT = Font(bold=True, size=14)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEADER_ROWS = (4, 5)
FIRST_DATA_ROW = 6
LABEL_WIDTH, FIGURE_WIDTH = 34, 14


def _merge_across(sheet: Worksheet, row: int, first: int, last: int) -> None:
    if last > first:
        sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _headers(sheet: Worksheet, statement: Statement) -> None:
    groups: list[str] = [str(statement.row_header)]
    labels: list[str] = [""]
    for group in statement.groups:
        groups += [str(group.label)] + [""] * (len(group.columns) - 1)
        labels += [str(column.label) for column in group.columns]
    sheet_append(sheet, groups, header=True)
    sheet_append(sheet, labels, header=True)
    top, bottom = HEADER_ROWS
    sheet.merge_cells(start_row=top, start_column=1, end_row=bottom, end_column=1)
    column = 2
    for group in statement.groups:
        _merge_across(sheet, top, column, column + len(group.columns) - 1)
        column += len(group.columns)
    for row in sheet.iter_rows(min_row=top, max_row=bottom):
        for cell in row:
            cell.alignment = CENTRE
    sheet.row_dimensions[bottom].height = 32


def statement_sheet(sheet: Worksheet, statement: Statement, generated_at: datetime) -> None:
    width = 1 + len(statement.columns)
    sheet_append(sheet, [str(statement.title)])
    sheet["A1"].font = TITLE_FONT
    sheet["A1"].alignment = CENTRE
    sheet_append(sheet, [statement.describe()])
    sheet_append(sheet, [gettext("Unit: persons, yuan")])
    sheet.cell(row=3, column=1).alignment = Alignment(horizontal="right")
    for row in (1, 2, 3):
        _merge_across(sheet, row, 1, width)
    _headers(sheet, statement)
    for report_row in statement.rows:
        values = [
            fen_to_yuan(value) if column.money else value
            for value, column in zip(report_row.values, statement.columns, strict=True)
        ]
        sheet_append(sheet, [report_row.label, *values], bold=report_row.is_total)
    sheet_append(sheet, [])
    sheet_append(sheet, [str(statement.note)])
    _merge_across(sheet, sheet.max_row, 1, width)
    sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[sheet.max_row].height = 45
    sheet_append(sheet, [local_naive(generated_at)])
    column_widths(sheet, [LABEL_WIDTH] + [FIGURE_WIDTH] * (width - 1))
    sheet.freeze_panes = f"B{FIRST_DATA_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = f"{HEADER_ROWS[0]}:{HEADER_ROWS[1]}"
    sheet.print_area = f"A1:{get_column_letter(width)}{sheet.max_row}"


def statement_workbook(statement: Statement, *, generated_at: datetime) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = statement.period.describe()
    statement_sheet(sheet, statement, generated_at)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
