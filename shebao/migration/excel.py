"""A city's reconciliation report as an Excel workbook (迁移核对报告导出): the entity table,
the findings per rule and the account differences, with the same figures as the page.

Amounts are numbers in yuan with a two-decimal format, so they can be added up; resident IDs
are masked.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from shebao.core.money import fen_to_yuan
from shebao.migration.selectors import OUTCOME_COLUMNS, Report, outcome_label

YUAN_FORMAT = "#,##0.00"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
BALANCED, UNBALANCED = "✓", "✗"
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", start_color="EDEDED")

Value = str | int | Decimal | date | datetime | None


def _append(sheet: Worksheet, values: Sequence[Value], *, header: bool = False) -> None:
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            # Names and notes come from outside; one that begins with "=" stays text.
            cell.data_type = "s"
        elif isinstance(cell.value, Decimal):
            cell.number_format = YUAN_FORMAT
        elif isinstance(cell.value, datetime):
            cell.number_format = DATETIME_FORMAT
        if header:
            cell.font = _BOLD
            cell.fill = _HEADER_FILL


def _widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width


def _mark(balanced: bool) -> str:
    return BALANCED if balanced else UNBALANCED


def _city_name(report: Report) -> str:
    language = get_language() or ""
    return report.city.name_en if language.startswith("en") else report.city.name


def _summary(sheet: Worksheet, report: Report, generated_at: datetime) -> None:
    sheet.title = _("Summary")
    _widths(sheet, (22, 22, 16, 16, 16, 10, 10, 10, 10, 10, 12))
    _append(sheet, [_("Legacy migration reconciliation")], header=True)
    _append(sheet, [_("Delivering city"), f"{report.city.code} {_city_name(report)}"])
    _append(sheet, [_("Generated at"), timezone.localtime(generated_at).replace(tzinfo=None)])
    _append(sheet, [_("Before = after + rejected"), _mark(report.balanced)])
    sheet.append([])
    _append(
        sheet,
        [
            _("Entity"), _("Figure"), _("Delivered (before)"), _("Held (after)"),
            _("Rejected (not loaded)"),
            *(outcome_label(o) for o in OUTCOME_COLUMNS), _("Before = after + rejected"),
        ],
        header=True,
    )  # fmt: skip
    for entity in report.entities:
        for number, line in enumerate(entity.lines):
            figures: list[Value]
            if line.money:
                figures = [fen_to_yuan(v) for v in (line.before, line.after, line.rejected)]
            else:
                figures = [line.before, line.after, line.rejected]
            outcomes: list[Value] = (
                [n for _outcome, n in entity.outcomes]
                if number == 0
                else [None] * len(OUTCOME_COLUMNS)
            )
            _append(
                sheet,
                [
                    entity.label if number == 0 else None,
                    line.label + (f" ({_('yuan')})" if line.money else ""),
                    *figures,
                    *outcomes,
                    _mark(line.balanced),
                ],
            )


def _rules(sheet: Worksheet, report: Report) -> None:
    sheet.title = _("Rules")
    _widths(sheet, (28, 80, 16, 22, 10))
    _append(
        sheet,
        [_("Rule"), _("Finding"), _("Entity"), _("Migration outcome"), _("Rows")],
        header=True,
    )
    for rule in report.rules:
        _append(sheet, [rule.code, rule.title, rule.entity_label, rule.outcome_label, rule.rows])


def _differences(sheet: Worksheet, report: Report) -> None:
    sheet.title = _("Account differences")
    _widths(sheet, (18, 22, 14, 8, 18, 18, 18))
    _append(
        sheet,
        [
            _("Legacy number"), _("Resident ID"), _("Full name"), _("Year"),
            _("Migrated (yuan)"), _("Rebuilt (yuan)"), _("Difference (yuan)"),
        ],
        header=True,
    )  # fmt: skip
    for line in report.differences:
        _append(
            sheet,
            [
                line.person_ref,
                line.masked_id,
                line.name,
                line.year,
                fen_to_yuan(line.migrated_fen),
                fen_to_yuan(line.rebuilt_fen),
                fen_to_yuan(line.difference_fen),
            ],
        )
    if report.differences_total > len(report.differences):
        sheet.append([])
        _append(
            sheet,
            [
                _("%(total)s balances differ; the first %(shown)s are listed.")
                % {"total": report.differences_total, "shown": len(report.differences)}
            ],
        )


def report_workbook(report: Report, *, generated_at: datetime) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None  # a new workbook has one sheet
    _summary(summary, report, generated_at)
    _rules(workbook.create_sheet(), report)
    _differences(workbook.create_sheet(), report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
