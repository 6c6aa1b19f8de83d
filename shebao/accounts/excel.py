"""The yearly account statement as an Excel workbook (对账单导出).

Amounts are numbers in yuan with a two-decimal format, so they can be added up; the resident
ID is masked (design.md §4).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from shebao.accounts.statements import Statement
from shebao.core.masking import mask_resident_id
from shebao.core.money import fen_to_yuan
from shebao.core.periods import period_format
from shebao.registry.models import Person

YUAN_FORMAT = "#,##0.00"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", start_color="EDEDED")

Value = str | int | Decimal | date | datetime | None


def _append(sheet: Worksheet, values: Sequence[Value], *, bold: bool = False) -> None:
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            # Names and notes come from outside; one that begins with "=" stays text.
            cell.data_type = "s"
        elif isinstance(cell.value, Decimal):
            cell.number_format = YUAN_FORMAT
        elif isinstance(cell.value, datetime):
            cell.number_format = DATETIME_FORMAT
        if bold:
            cell.font = _BOLD


def _local(moment: datetime) -> datetime:
    # Excel has no time zones: write the local time without one.
    return timezone.localtime(moment).replace(tzinfo=None)


def _period(period: int | None) -> str:
    return period_format(period) if period is not None else ""


def statement_workbook(*, person: Person, statement: Statement, generated_at: datetime) -> bytes:
    """The header block, the year's figures, then one row per month's credits, interest entry
    and other entry, with the year's total."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = _("Statement")
    for position, width in enumerate((26, 30, 18, 14, 16, 40), start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width
    _append(sheet, [_("Individual pension account statement")], bold=True)
    _append(sheet, [_("Insured person"), person.name])
    _append(sheet, [_("Resident ID"), mask_resident_id(person.resident_id)])
    _append(sheet, [_("Year"), statement.year])
    _append(sheet, [_("Generated at"), _local(generated_at)])
    sheet.append([])
    _append(sheet, [_("Opening balance (yuan)"), fen_to_yuan(statement.opening_fen)])
    _append(sheet, [_("Contribution credits (yuan)"), fen_to_yuan(statement.credits_fen)])
    _append(sheet, [_("Interest (yuan)"), fen_to_yuan(statement.interest_fen)])
    _append(sheet, [_("Other entries (yuan)"), fen_to_yuan(statement.others_fen)])
    _append(sheet, [_("Closing balance (yuan)"), fen_to_yuan(statement.closing_fen)], bold=True)
    _append(sheet, [_("Cumulative contribution months"), statement.contribution_months])
    sheet.append([])
    _append(
        sheet,
        [
            _("Month"), _("Item"), _("Contribution period"), _("Interest rate"),
            _("Amount (yuan)"), _("Note"),
        ],
        bold=True,
    )  # fmt: skip
    for cell in sheet[sheet.max_row]:
        cell.fill = _HEADER_FILL
    for credit in statement.credits:
        periods = ", ".join(_period(period) for period in credit.periods)
        _append(
            sheet,
            [credit.month, _("Contribution credit"), periods, None,
             fen_to_yuan(credit.amount_fen), None],
        )  # fmt: skip
    for line in statement.interest:
        item = _("Interest (provisional)") if line.provisional else _("Interest")
        _append(
            sheet,
            [line.month, item, None, line.rate_percent, fen_to_yuan(line.amount_fen),
             line.note],
        )  # fmt: skip
    for other in statement.others:
        _append(
            sheet,
            [other.month, other.kind_label, _period(other.period), None,
             fen_to_yuan(other.amount_fen), other.note],
        )  # fmt: skip
    movement = statement.closing_fen - statement.opening_fen
    _append(sheet, [_("Total"), None, None, None, fen_to_yuan(movement), None], bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
