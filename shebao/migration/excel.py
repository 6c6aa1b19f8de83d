"""A city's reconciliation report as an Excel workbook (迁移核对报告导出): the entity table,
the findings per rule and the account differences, with the same figures as the page.

Amounts are numbers in yuan with a two-decimal format, so they can be added up; resident IDs
are masked.
"""

from __future__ import annotations

import io
from datetime import datetime

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from shebao.core.excel import Value, column_widths, local_naive, sheet_append
from shebao.core.money import fen_to_yuan
from shebao.migration.selectors import OUTCOME_COLUMNS, Report, outcome_label

BALANCED, UNBALANCED = "✓", "✗"


def _mark(balanced: bool) -> str:
    return BALANCED if balanced else UNBALANCED


def _city_name(report: Report) -> str:
    language = get_language() or ""
    return report.city.name_en if language.startswith("en") else report.city.name


def _summary(sheet: Worksheet, report: Report, generated_at: datetime) -> None:
    sheet.title = _("Summary")
    column_widths(sheet, (22, 22, 16, 16, 16, 10, 10, 10, 10, 10, 12))
    sheet_append(sheet, [_("Legacy migration reconciliation")], header=True)
    sheet_append(sheet, [_("Delivering city"), f"{report.city.code} {_city_name(report)}"])
    sheet_append(sheet, [_("Generated at"), local_naive(generated_at)])
    sheet_append(sheet, [_("Before = after + rejected"), _mark(report.balanced)])
    sheet.append([])
    sheet_append(
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
            sheet_append(
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
    column_widths(sheet, (28, 80, 16, 22, 10))
    sheet_append(
        sheet,
        [_("Rule"), _("Finding"), _("Entity"), _("Migration outcome"), _("Rows")],
        header=True,
    )
    for rule in report.rules:
        sheet_append(
            sheet, [rule.code, rule.title, rule.entity_label, rule.outcome_label, rule.rows]
        )


def _differences(sheet: Worksheet, report: Report) -> None:
    sheet.title = _("Account differences")
    column_widths(sheet, (18, 22, 14, 8, 18, 18, 18))
    sheet_append(
        sheet,
        [
            _("Legacy number"), _("Resident ID"), _("Full name"), _("Year"),
            _("Migrated (yuan)"), _("Rebuilt (yuan)"), _("Difference (yuan)"),
        ],
        header=True,
    )  # fmt: skip
    for line in report.differences:
        sheet_append(
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
        sheet_append(
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
