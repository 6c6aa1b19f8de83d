"""The base declaration workbook (缴费基数申报表): a template prefilled with the employer's
insured staff for the year, and the reading of a filled one into wage rows.

Reading refuses the whole file, naming each bad row, before anything is stored; the rows then
go through the same checks as the counter form (``base_declaration_verify``).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from shebao.contributions.services.bases import WageRow
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.money import parse_yuan
from shebao.registry.batch.cells import cell_text, parse_resident_id
from shebao.registry.batch.columns import MAX_BYTES
from shebao.registry.batch.reading import _check_package
from shebao.registry.models import Employer, InsuredRelation, RelationKind

SHEET = "缴费基数申报"
HEADERS = ("公民身份号码", "姓名", "上年度月平均工资（元）")
MAX_ROWS = 20_000

register_rule(
    "BASE-XLSX-UNREADABLE",
    "文件不是可读取的 Excel（.xlsx）申报表，或缺少列：{columns}。",
    "The file is not a readable base declaration workbook (.xlsx), or lacks columns: {columns}.",
)
register_rule(
    "BASE-XLSX-TOO-MANY",
    "申报表超过 {limit} 行，请分批申报。",
    "The declaration has more than {limit} rows: split it.",
)


def base_template(employer: Employer, year: int) -> bytes:
    """The workbook for ``year``, one row per employee insured with the employer that year."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    staff = (
        InsuredRelation.objects.filter(
            employer=employer,
            kind=RelationKind.EMPLOYEE,
            start_period__lte=year * 100 + 12,
        )
        .exclude(end_period__lt=year * 100 + 1)
        .values_list("person__resident_id", "person__name")
        .distinct()
        .order_by("person__resident_id")
    )
    for resident_id, name in staff:
        sheet.append([resident_id, name, None])
    for row in sheet.iter_rows(min_row=2, max_col=1):
        row[0].number_format = "@"  # an 18-digit ID must stay text
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 24
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _wage_fen(value: Any) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        amount = Decimal(str(value))
        if amount != amount.quantize(Decimal("0.01")):
            raise RuleViolation("MONEY-FORMAT", value=str(value))
        return int(amount * 100)
    return parse_yuan(cell_text(value))


def base_rows_read(data: bytes) -> list[WageRow]:
    """The wage rows of a filled workbook, or a refusal naming every bad row."""
    _check_package(data, max_unpacked=MAX_BYTES * 20)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        # openpyxl raises whatever its parsers meet on a damaged package.
        raise RuleViolation("BASE-XLSX-UNREADABLE", columns="—") from exc
    try:
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        lines: Any = sheet.iter_rows(values_only=True)
        header = [cell_text(v) if v is not None else "" for v in next(lines, ())]
        missing = [h for h in (HEADERS[0], HEADERS[2]) if h not in header]
        if missing:
            raise RuleViolation("BASE-XLSX-UNREADABLE", columns="、".join(missing))
        id_at, wage_at = header.index(HEADERS[0]), header.index(HEADERS[2])
        rows: list[WageRow] = []
        errors: list[str] = []
        for number, line in enumerate(lines, start=2):
            id_cell: Any = line[id_at] if id_at < len(line) else None
            wage_cell: Any = line[wage_at] if wage_at < len(line) else None
            if id_cell in (None, "") and wage_cell in (None, ""):
                continue
            if len(rows) + len(errors) >= MAX_ROWS:
                raise RuleViolation("BASE-XLSX-TOO-MANY", limit=MAX_ROWS)
            try:
                resident_id = parse_resident_id(id_cell if id_cell is not None else "").number
                wage_fen = _wage_fen(wage_cell if wage_cell is not None else "")
            except RuleViolation as exc:
                errors.append(f"#{number} {exc.code}")
                continue
            rows.append(WageRow(resident_id, wage_fen))
    finally:
        workbook.close()
    if errors:
        shown = "; ".join(errors[:10]) + (" …" if len(errors) > 10 else "")
        raise RuleViolation("BASE-ROWS-INVALID", count=len(errors), rows=shown)
    return rows


def base_rows_of_upload(file: UploadedFile) -> list[WageRow]:
    """The wage rows of an uploaded workbook: refused above the batch size limit, then read
    whole (``base_rows_read``)."""
    if file.size is None or file.size > MAX_BYTES:
        raise RuleViolation(
            "BATCH-TOO-LARGE",
            size=f"{(file.size or 0) / 1048576:.1f} MB",
            limit=f"{MAX_BYTES / 1048576:.1f} MB",
        )
    return base_rows_read(file.read())
