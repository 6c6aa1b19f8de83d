"""The yearly account statement as an Excel workbook (对账单导出).

Amounts are numbers in yuan with a two-decimal format, so they can be added up; the resident
ID is masked (design.md §4).
"""

from __future__ import annotations

import io
from datetime import datetime

from django.utils.translation import gettext as _
from openpyxl import Workbook

from shebao.accounts.statements import Statement
from shebao.core.excel import column_widths, local_naive, sheet_append
from shebao.core.masking import mask_resident_id
from shebao.core.money import fen_to_yuan
from shebao.core.periods import period_format
from shebao.registry.models import Person


def _period(period: int | None) -> str:
    return period_format(period) if period is not None else ""


def statement_workbook(*, person: Person, statement: Statement, generated_at: datetime) -> bytes:
    """The header block, the year's figures, then one row per month's credits, interest entry
    and other entry, with the year's total."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = _("Statement")
    column_widths(sheet, (26, 30, 18, 14, 16, 40))
    sheet_append(sheet, [_("Individual pension account statement")], bold=True)
    sheet_append(sheet, [_("Insured person"), person.name])
    sheet_append(sheet, [_("Resident ID"), mask_resident_id(person.resident_id)])
    sheet_append(sheet, [_("Year"), statement.year])
    sheet_append(sheet, [_("Generated at"), local_naive(generated_at)])
    sheet.append([])
    sheet_append(sheet, [_("Opening balance (yuan)"), fen_to_yuan(statement.opening_fen)])
    sheet_append(sheet, [_("Contribution credits (yuan)"), fen_to_yuan(statement.credits_fen)])
    sheet_append(sheet, [_("Interest (yuan)"), fen_to_yuan(statement.interest_fen)])
    sheet_append(sheet, [_("Other entries (yuan)"), fen_to_yuan(statement.others_fen)])
    sheet_append(
        sheet, [_("Closing balance (yuan)"), fen_to_yuan(statement.closing_fen)], bold=True
    )
    sheet_append(sheet, [_("Cumulative contribution months"), statement.contribution_months])
    sheet.append([])
    sheet_append(
        sheet,
        [
            _("Month"), _("Item"), _("Contribution period"), _("Interest rate"),
            _("Amount (yuan)"), _("Note"),
        ],
        header=True,
    )  # fmt: skip
    for credit in statement.credits:
        periods = ", ".join(_period(period) for period in credit.periods)
        sheet_append(
            sheet,
            [credit.month, _("Contribution credit"), periods, None,
             fen_to_yuan(credit.amount_fen), None],
        )  # fmt: skip
    for line in statement.interest:
        item = _("Interest (provisional)") if line.provisional else _("Interest")
        sheet_append(
            sheet,
            [line.month, item, None, line.rate_percent, fen_to_yuan(line.amount_fen),
             line.note],
        )  # fmt: skip
    for other in statement.others:
        sheet_append(
            sheet,
            [other.month, other.kind_label, _period(other.period), None,
             fen_to_yuan(other.amount_fen), other.note],
        )  # fmt: skip
    movement = statement.closing_fen - statement.opening_fen
    sheet_append(sheet, [_("Total"), None, None, None, fen_to_yuan(movement), None], bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
