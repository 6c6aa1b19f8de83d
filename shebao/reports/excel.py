"""The dashboard's figures as Excel: one sheet per figure, the same rows and columns as the
screen's table (money in yuan, rates in per cent), headed by the filters and the time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from shebao.core.excel import column_widths, local_naive, sheet_append
from shebao.reports.figures import RATE, TEXT, Figure, Filters, cell_excel

SHEET_TITLE_LIMIT = 31  # Excel's limit


def _header_label(figure: Figure, index: int) -> str:
    column = figure.columns[index]
    return f"{column.label} (%)" if column.kind == RATE else str(column.label)


def figure_sheet(
    sheet: Worksheet, figure: Figure, filters: Filters, generated_at: datetime
) -> None:
    sheet_append(sheet, [str(figure.title)], bold=True)
    sheet_append(sheet, [filters.describe()])
    sheet_append(sheet, [local_naive(generated_at)])
    sheet_append(sheet, [])
    sheet_append(sheet, [_header_label(figure, i) for i in range(len(figure.columns))], header=True)
    for row in figure.rows:
        sheet_append(
            sheet, [cell_excel(v, c.kind) for v, c in zip(row, figure.columns, strict=True)]
        )
    if figure.totals is not None:
        sheet_append(sheet, figure.cells(figure.totals, cell_excel), bold=True)
    if figure.note:
        sheet_append(sheet, [])
        sheet_append(sheet, [str(figure.note)])
    column_widths(sheet, [36 if c.kind == TEXT else 16 for c in figure.columns])


def figures_workbook(
    figures: Sequence[Figure], filters: Filters, *, generated_at: datetime
) -> bytes:
    book = Workbook()
    first = True
    for figure in figures:
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        sheet.title = str(figure.title)[:SHEET_TITLE_LIMIT]
        figure_sheet(sheet, figure, filters, generated_at)
        first = False
    out = BytesIO()
    book.save(out)
    return out.getvalue()
