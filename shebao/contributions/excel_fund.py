"""The fund officer's lists as Excel workbooks: the reconciliation of employers for a period
(对账) and the arrears with their late fees (欠费).

Amounts are numbers in yuan with a two-decimal format, so the lists can be added up; a
flexible worker's resident ID is masked (design.md §4). Each list ends with a totals row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.utils.translation import gettext as _
from openpyxl import Workbook

from shebao.contributions.excel import _header_row, _row, _save, _widths
from shebao.contributions.forms import agency_label
from shebao.contributions.selectors import Arrear, PayerBalance, ReconciliationCategory
from shebao.core.excel import local_naive
from shebao.core.masking import mask_resident_id
from shebao.core.models import Agency
from shebao.core.money import fen_to_yuan
from shebao.core.periods import period_format


def _category_label(category: str) -> str:
    return str(ReconciliationCategory(category).label)


def reconciliation_workbook(
    *,
    agency: Agency,
    period: int,
    category: str | None,
    counts: dict[str, int],
    rows: Iterable[PayerBalance],
    generated_at: datetime,
) -> bytes:
    """The employers of a period with due, paid, refunded and balance, one row each, the
    counts per category above them and a totals row below."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Reconciliation"))
    _widths(sheet, (22, 30, 8, 14, 14, 14, 14, 14))
    _row(sheet, [_("Reconciliation of employers"), period_format(period)], bold=True)
    _row(sheet, [_("Agency"), agency_label(agency)])
    if category:
        _row(sheet, [_("Category"), _category_label(category)])
    for choice in ReconciliationCategory:
        _row(sheet, [str(choice.label), counts.get(choice.value, 0)])
    _row(sheet, [_("Generated at"), local_naive(generated_at)])
    sheet.append([])
    _header_row(
        sheet,
        [
            _("Credit code"), _("Employer"), _("Bills"), _("Due (yuan)"), _("Paid (yuan)"),
            _("Refunded (yuan)"), _("Balance (yuan)"), _("Category"),
        ],
    )  # fmt: skip
    sums = {"bills": 0, "due": 0, "paid": 0, "refunded": 0, "balance": 0}
    for row in rows:
        _row(
            sheet,
            [
                row.payer_code, row.name, row.bills, fen_to_yuan(row.due_fen),
                fen_to_yuan(row.paid_fen), fen_to_yuan(row.refunded_fen),
                fen_to_yuan(row.outstanding_fen), _category_label(row.category),
            ],
        )  # fmt: skip
        sums["bills"] += row.bills
        sums["due"] += row.due_fen
        sums["paid"] += row.paid_fen
        sums["refunded"] += row.refunded_fen
        sums["balance"] += row.outstanding_fen
    _row(
        sheet,
        [
            _("Total"), None, sums["bills"], fen_to_yuan(sums["due"]), fen_to_yuan(sums["paid"]),
            fen_to_yuan(sums["refunded"]), fen_to_yuan(sums["balance"]), None,
        ],
        bold=True,
    )  # fmt: skip
    return _save(workbook)


def arrear_payer(arrear: Arrear) -> tuple[str, str]:
    """The payer's name and code as lists show them: an employer's credit code, a flexible
    worker's masked resident ID."""
    bill = arrear.bill
    if bill.employer is not None:
        return bill.employer.name, bill.employer.credit_code
    assert bill.person is not None  # a bill always has a payer
    return bill.person.name, mask_resident_id(bill.person.resident_id)


def arrears_workbook(
    *, agency: Agency, on: date, arrears: Iterable[Arrear], generated_at: datetime
) -> bytes:
    """Bills past due and not fully paid, oldest first, with the late fee to ``on``."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Arrears"))
    widths: Sequence[int] = (22, 10, 12, 28, 20, 10, 12, 14, 14, 14, 10, 14)
    _widths(sheet, widths)
    _row(sheet, [_("Arrears"), agency_label(agency)], bold=True)
    _row(sheet, [_("Late fee to"), on])
    _row(sheet, [_("Generated at"), local_naive(generated_at)])
    sheet.append([])
    _header_row(
        sheet,
        [
            _("Bill number"), _("Period"), _("Kind"), _("Payer"), _("Payer code"), _("Agency"),
            _("Payment due date"), _("Total (yuan)"), _("Paid (yuan)"), _("Outstanding (yuan)"),
            _("Days late"), _("Late fee (yuan)"),
        ],
    )  # fmt: skip
    sums = {"total": 0, "paid": 0, "outstanding": 0, "late_fee": 0}
    for arrear in arrears:
        bill = arrear.bill
        name, code = arrear_payer(arrear)
        _row(
            sheet,
            [
                bill.number, period_format(bill.period), bill.get_kind_display(), name, code,
                bill.agency.code, bill.due_date, fen_to_yuan(bill.total_fen),
                fen_to_yuan(bill.paid_fen), fen_to_yuan(arrear.outstanding_fen),
                arrear.days_late, fen_to_yuan(arrear.late_fee_fen),
            ],
        )  # fmt: skip
        sums["total"] += bill.total_fen
        sums["paid"] += bill.paid_fen
        sums["outstanding"] += arrear.outstanding_fen
        sums["late_fee"] += arrear.late_fee_fen
    _row(
        sheet,
        [
            _("Total"), None, None, None, None, None, None, fen_to_yuan(sums["total"]),
            fen_to_yuan(sums["paid"]), fen_to_yuan(sums["outstanding"]), None,
            fen_to_yuan(sums["late_fee"]),
        ],
        bold=True,
    )  # fmt: skip
    return _save(workbook)
