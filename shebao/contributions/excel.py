"""Bills as Excel workbooks (缴费单导出): an employer's bills, and one bill with its lines.

Amounts are numbers in yuan with a two-decimal format, so the employer's accountant can add
them up; resident IDs are masked (design.md §4). Written in openpyxl's write-only mode: a
large employer's bill has tens of thousands of lines.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from shebao.contributions.models import AssessmentLine, Bill
from shebao.core.excel import BOLD, HEADER_FILL, YUAN_FORMAT, Value, local_naive
from shebao.core.masking import mask_resident_id
from shebao.core.money import fen_to_yuan
from shebao.core.periods import period_format
from shebao.registry.models import Employer, Person

DATE_FORMAT = "yyyy-mm-dd"


def _cell(sheet: WriteOnlyWorksheet, value: Value, *, bold: bool = False) -> Cell:
    cell = WriteOnlyCell(sheet)
    cell.value = value
    if isinstance(value, str):
        # Names come from outside; one that begins with "=" must stay text, not a formula.
        cell.data_type = "s"
    elif isinstance(value, Decimal):
        cell.number_format = YUAN_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    if bold:
        cell.font = BOLD
    return cell


def _row(sheet: WriteOnlyWorksheet, values: Iterable[Value], *, bold: bool = False) -> None:
    sheet.append([_cell(sheet, value, bold=bold) for value in values])


def _header_row(sheet: WriteOnlyWorksheet, titles: Sequence[str]) -> None:
    cells = []
    for title in titles:
        cell = _cell(sheet, title, bold=True)
        cell.fill = HEADER_FILL
        cells.append(cell)
    sheet.append(cells)


def _widths(sheet: WriteOnlyWorksheet, widths: Sequence[int]) -> None:
    # A write-only sheet has the column dimensions of a worksheet (set before the first row);
    # the type stubs leave them out.
    dimensions = sheet.column_dimensions  # type: ignore[attr-defined]
    for position, width in enumerate(widths, start=1):
        dimensions[get_column_letter(position)].width = width


def _payer_block(
    sheet: WriteOnlyWorksheet, employer: Employer | None, person: Person | None
) -> None:
    if employer is not None:
        _row(sheet, [_("Employer"), employer.name])
        _row(sheet, [_("Credit code"), employer.credit_code])
    elif person is not None:
        _row(sheet, [_("Flexible worker"), person.name])
        _row(sheet, [_("Resident ID"), mask_resident_id(person.resident_id)])


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bills_workbook(*, employer: Employer, bills: Iterable[Bill], generated_at: datetime) -> bytes:
    """The employer's bills, one row each, with a totals row."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Bills"))
    _widths(sheet, (12, 26, 14, 9, 9, 14, 14, 14, 12, 14, 14, 12))
    _row(sheet, [_("Contribution bills")], bold=True)
    _payer_block(sheet, employer, None)
    _row(sheet, [_("Generated at"), local_naive(generated_at)])
    sheet.append([])
    _header_row(
        sheet,
        [
            _("Period"), _("Bill number"), _("Kind"), _("Persons"), _("Lines"),
            _("Employer part (yuan)"), _("Individual part (yuan)"), _("Total (yuan)"),
            _("Payment due date"), _("Payment status"), _("Paid (yuan)"), _("Paid on"),
        ],
    )  # fmt: skip
    sums = {"employer": 0, "individual": 0, "total": 0, "paid": 0}
    for bill in bills:
        _row(
            sheet,
            [
                period_format(bill.period), bill.number, bill.get_kind_display(), bill.persons,
                bill.lines, fen_to_yuan(bill.employer_fen), fen_to_yuan(bill.individual_fen),
                fen_to_yuan(bill.total_fen), bill.due_date, bill.get_payment_status_display(),
                fen_to_yuan(bill.paid_fen), bill.paid_on,
            ],
        )  # fmt: skip
        sums["employer"] += bill.employer_fen
        sums["individual"] += bill.individual_fen
        sums["total"] += bill.total_fen
        sums["paid"] += bill.paid_fen
    _row(
        sheet,
        [
            _("Total"), None, None, None, None, fen_to_yuan(sums["employer"]),
            fen_to_yuan(sums["individual"]), fen_to_yuan(sums["total"]), None, None,
            fen_to_yuan(sums["paid"]), None,
        ],
        bold=True,
    )  # fmt: skip
    return _save(workbook)


def bill_workbook(*, bill: Bill, lines: Iterable[AssessmentLine], generated_at: datetime) -> bytes:
    """One bill: its header and amounts, then one row per line (masked resident IDs)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Bill"))
    _widths(sheet, (16, 22, 12, 26, 14, 14, 14, 14))
    _row(sheet, [_("Contribution bill"), bill.number], bold=True)
    _payer_block(sheet, bill.employer, bill.person)
    _row(sheet, [_("Period"), period_format(bill.period)])
    _row(sheet, [_("Kind"), bill.get_kind_display()])
    _row(sheet, [_("Total (yuan)"), fen_to_yuan(bill.total_fen)])
    _row(sheet, [_("Payment due date"), bill.due_date])
    _row(sheet, [_("Generated at"), local_naive(generated_at)])
    sheet.append([])
    _header_row(
        sheet,
        [
            _("Insured person"), _("Resident ID"), _("Scheme"), _("Base source"), _("Base (yuan)"),
            _("Employer amount (yuan)"), _("Individual amount (yuan)"),
            _("Account credit (yuan)"),
        ],
    )  # fmt: skip
    sums = {"employer": 0, "individual": 0, "credit": 0}
    for line in lines:
        _row(
            sheet,
            [
                line.person.name, mask_resident_id(line.person.resident_id),
                line.get_scheme_display(), line.get_base_source_display(),
                fen_to_yuan(line.base_fen), fen_to_yuan(line.employer_fen),
                fen_to_yuan(line.individual_fen), fen_to_yuan(line.account_credit_fen),
            ],
        )  # fmt: skip
        sums["employer"] += line.employer_fen
        sums["individual"] += line.individual_fen
        sums["credit"] += line.account_credit_fen
    _row(
        sheet,
        [
            _("Total"), None, None, None, None, fen_to_yuan(sums["employer"]),
            fen_to_yuan(sums["individual"]), fen_to_yuan(sums["credit"]),
        ],
        bold=True,
    )  # fmt: skip
    return _save(workbook)
