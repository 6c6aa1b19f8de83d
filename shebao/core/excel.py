"""What every Excel export shares: the row writer that keeps text as text and gives amounts and
times their formats, the header style, column widths, and local times without a zone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

YUAN_FORMAT = "#,##0.00"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", start_color="EDEDED")

Value = str | int | Decimal | date | datetime | None


def sheet_append(
    sheet: Worksheet, values: Sequence[Value], *, bold: bool = False, header: bool = False
) -> None:
    """One row: amounts (Decimal yuan) and times formatted, ``bold`` for totals and titles,
    ``header`` for a table's column names (bold on grey)."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            # Names and notes come from outside; one that begins with "=" stays text.
            cell.data_type = "s"
        elif isinstance(cell.value, Decimal):
            cell.number_format = YUAN_FORMAT
        elif isinstance(cell.value, datetime):
            cell.number_format = DATETIME_FORMAT
        if bold or header:
            cell.font = BOLD
        if header:
            cell.fill = HEADER_FILL


def column_widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width


def local_naive(moment: datetime) -> datetime:
    """Excel has no time zones: the local time without one."""
    return timezone.localtime(moment).replace(tzinfo=None)
