"""The error report (错误报告) a clerk downloads after validating a batch file."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from shebao.registry.batch.columns import SHEET_TITLES
from shebao.registry.batch.validation import BatchValidation

ERRORS_SHEET = "错误明细"
SUMMARY_SHEET = "汇总"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", start_color="EDEDED")
_ERROR_COLUMNS = (
    ("行号 Row", 9),
    ("列 Column", 14),
    ("规则代码 Rule", 26),
    ("错误说明", 60),
    ("Message", 60),
)


def error_report(validation: BatchValidation) -> bytes:
    """An xlsx with one line per error (row, column, rule code, Chinese and English message)
    and a summary sheet (rows read, valid, with errors)."""
    workbook = Workbook()
    errors = workbook.active
    assert isinstance(errors, Worksheet)  # a new workbook always has one worksheet
    errors.title = ERRORS_SHEET
    _write_errors(errors, validation)
    _write_summary(workbook.create_sheet(SUMMARY_SHEET), validation)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(cell: Cell | MergedCell, value: str) -> None:
    # Messages quote what the employer typed; text beginning with "=" must stay text, not
    # become a formula in the clerk's Excel.
    cell.value = value
    cell.data_type = "s"


def _write_errors(sheet: Worksheet, validation: BatchValidation) -> None:
    for position, (title, width) in enumerate(_ERROR_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=position, value=title)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        sheet.column_dimensions[cell.column_letter].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for line, error in enumerate(validation.errors, start=2):
        sheet.cell(row=line, column=1, value=error.row)
        for position, text in enumerate(
            (error.column, error.code, error.message_zh, error.message_en), start=2
        ):
            message_cell = sheet.cell(row=line, column=position)
            _text(message_cell, text)
            message_cell.alignment = wrap
    sheet.freeze_panes = "A2"


def _write_summary(sheet: Worksheet, validation: BatchValidation) -> None:
    lines: tuple[tuple[str, str | int], ...] = (
        ("导入类型 Kind", SHEET_TITLES[validation.kind]),
        ("读取行数 Rows read", validation.rows_read),
        ("校验通过 Valid rows", len(validation.valid_rows)),
        ("有错误的行 Rows with errors", validation.rows_with_errors),
        ("错误条数 Errors", len(validation.errors)),
    )
    for label, value in lines:
        sheet.append([label, value])
        sheet.cell(row=sheet.max_row, column=1).font = _HEADER_FONT
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 14
