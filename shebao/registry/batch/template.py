"""The Excel templates employers download for batch additions and removals (批量导入模板)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from shebao.registry.batch.columns import (
    MAX_BYTES,
    MAX_ROWS,
    SHEET_TITLES,
    BatchKind,
    Column,
    columns_for,
)

OPTIONS_SHEET = "选项"
INSTRUCTIONS_SHEET = "填写说明"
_REQUIRED_FILL = PatternFill("solid", start_color="FCE4D6")
_OPTIONAL_FILL = PatternFill("solid", start_color="EDEDED")
_REQUIRED_FONT = Font(bold=True, color="C00000")
_OPTIONAL_FONT = Font(bold=True)
_TEXT = "@"

_GENERAL_NOTES: dict[BatchKind, tuple[str, ...]] = {
    "addition": (
        "同一人在一个文件中只能出现一次；已在省内其他单位参加养老保险且尚未减少的人员不能增加，"
        "需由原单位先办理减少。",
        "已达到法定退休年龄的人员不能新参保；为补足最低缴费年限继续缴费的，“延长缴费”填“是”。",
    ),
    "removal": (
        "同一人在一个文件中只能出现一次；只能减少在本单位参保的人员。",
        "终止期不能早于该人员在本单位的参保开始期。",
    ),
}


def batch_template(kind: BatchKind) -> bytes:
    """The xlsx template of a batch kind: the data sheet with its header, drop-downs and
    text-formatted columns, the instructions, and a hidden sheet holding the drop-down lists."""
    columns = columns_for(kind)
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook always has one worksheet
    sheet.title = SHEET_TITLES[kind]
    _write_header(sheet, columns)
    options = workbook.create_sheet(OPTIONS_SHEET)
    options.sheet_state = "hidden"
    _add_drop_downs(sheet, options, columns)
    _write_instructions(workbook.create_sheet(INSTRUCTIONS_SHEET, index=1), kind, columns)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_header(sheet: Worksheet, columns: tuple[Column, ...]) -> None:
    for position, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=position, value=column.header)
        cell.font = _REQUIRED_FONT if column.required else _OPTIONAL_FONT
        cell.fill = _REQUIRED_FILL if column.required else _OPTIONAL_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.comment = Comment(column.hint, "社保经办")
        dimension = sheet.column_dimensions[get_column_letter(position)]
        dimension.width = column.width
        if column.text_format:
            # A column style, not 5,000 styled cells: Excel applies it to what is typed.
            dimension.number_format = _TEXT
    sheet.freeze_panes = "A2"


def _add_drop_downs(sheet: Worksheet, options: Worksheet, columns: tuple[Column, ...]) -> None:
    # Lists live on a hidden sheet: an inline list is limited to 255 characters, too few
    # for the 56 ethnic groups.
    option_column = 0
    for position, column in enumerate(columns, start=1):
        if not column.choices:
            continue
        option_column += 1
        options.cell(row=1, column=option_column, value=column.label)
        for offset, choice in enumerate(column.choices, start=2):
            options.cell(row=offset, column=option_column, value=choice)
        source = get_column_letter(option_column)
        last = len(column.choices) + 1
        validation = DataValidation(
            type="list",
            formula1=f"'{OPTIONS_SHEET}'!${source}$2:${source}${last}",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop" if column.strict_choices else "warning",
            errorTitle=column.label,
            error="请从下拉列表中选择。" if column.strict_choices else column.hint,
        )
        target = get_column_letter(position)
        validation.add(f"{target}2:{target}{MAX_ROWS + 1}")
        sheet.add_data_validation(validation)


def _write_instructions(sheet: Worksheet, kind: BatchKind, columns: tuple[Column, ...]) -> None:
    title = SHEET_TITLES[kind]
    notes = (
        f"在“{title}”工作表中从第2行起每行填写一人；第1行是表头，请勿修改。带 * 的列必须填写；"
        "列的顺序可以调整，多余的列不会导入。",
        f"每个文件最多 {MAX_ROWS} 行、不超过 {MAX_BYTES // (1024 * 1024)} MB；"
        "人数更多时请分成几个文件提交。",
        "不要使用公式和合并单元格；从其他表格复制数据时请用“选择性粘贴—数值”。",
        "公民身份号码、年月和手机号码列已设为文本格式，请勿改为数字格式，"
        "否则 18 位号码的末几位会丢失。",
        "上传后系统先校验整个文件，未经确认不会登记任何人员；有错误的行可下载“错误报告”，"
        "按其中的行号和列名修改后重新上传。",
        *_GENERAL_NOTES[kind],
    )
    sheet.append([f"{title}批量导入模板 填写说明"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    for number, note in enumerate(notes, start=1):
        sheet.append([f"{number}.", note])
    sheet.append([])
    header_row = sheet.max_row + 1
    sheet.append(["列名", "填写要求", "是否必填", "示例"])
    for cell in sheet[header_row]:
        cell.font = _OPTIONAL_FONT
        cell.fill = _OPTIONAL_FILL
    for column in columns:
        sheet.append(
            [column.label, column.hint, "必填" if column.required else "选填", column.example]
        )
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = wrap
    for letter, width in zip("ABCD", (14, 72, 10, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    for cell in sheet["D"]:
        cell.number_format = _TEXT
