"""The columns of the two batch files and the values their cells may take.

Additions (人员增加) and removals (人员减少) each have one sheet whose first row names the
columns; a column marked * must be filled in every row. The same definitions drive the
template, the reader and the validation, so the three cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal, TypeAlias

from shebao.registry.rules import ADDITION_REASONS, REMOVAL_REASONS

BatchKind: TypeAlias = Literal["addition", "removal"]
# What openpyxl hands back for a cell.
CellValue: TypeAlias = str | int | float | bool | date | datetime | time | timedelta | None

SHEET_TITLES: dict[BatchKind, str] = {"addition": "人员增加", "removal": "人员减少"}
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024

SCHEME_ORDER = ("pension", "unemployment", "work_injury")
SCHEME_NAMES = {
    "养老": "pension",
    "养老保险": "pension",
    "基本养老保险": "pension",
    "企业职工基本养老保险": "pension",
    "失业": "unemployment",
    "失业保险": "unemployment",
    "工伤": "work_injury",
    "工伤保险": "work_injury",
}
# The drop-down offers the usual combinations; any order and separator is read.
SCHEME_CHOICES = (
    "养老、失业、工伤",
    "养老、失业",
    "养老、工伤",
    "养老",
    "失业、工伤",
    "工伤",
    "失业",
)

# A flexible worker (灵活就业人员) has no employer, so an employer's file cannot enrol one.
BATCH_ADDITION_REASONS = {
    code: names for code, names in ADDITION_REASONS.items() if code != "flexible"
}

YES_NO = {"是": True, "否": False}
HUKOU_TYPES = {
    "城镇": "urban",
    "城镇户口": "urban",
    "非农业": "urban",
    "非农业户口": "urban",
    "农村": "rural",
    "农村户口": "rural",
    "农业": "rural",
    "农业户口": "rural",
}
# GB/T 3304-1991, in the standard's order.
ETHNIC_GROUPS = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族",
    "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族",
    "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族",
    "基诺族",
)  # fmt: skip


@dataclass(frozen=True)
class Column:
    """One column of a batch sheet: its header text, how to fill it, what it may hold."""

    key: str
    label: str
    label_en: str
    required: bool
    width: int
    hint: str
    example: str = ""
    choices: tuple[str, ...] = ()
    # Whether Excel refuses a typed value outside ``choices`` (else it only warns).
    strict_choices: bool = True
    # Text format keeps Excel from turning IDs into numbers and "2025-01" into dates.
    text_format: bool = False

    @property
    def header(self) -> str:
        return self.label + "*" if self.required else self.label


_RESIDENT_ID = Column(
    key="resident_id",
    label="公民身份号码",
    label_en="resident ID",
    required=True,
    width=22,
    hint="18位公民身份号码，末位可为X；15位旧号码自动升级为18位。请保持“文本”格式。",
    example="420302199001011237",
    text_format=True,
)
_NAME = Column(
    key="name",
    label="姓名",
    label_en="name",
    required=True,
    width=12,
    hint="与居民身份证一致；少数民族姓名中的间隔号用“·”。",
    example="张伟",
)

ADDITION_COLUMNS = (
    _RESIDENT_ID,
    _NAME,
    Column(
        key="start_period",
        label="开始期",
        label_en="start period",
        required=True,
        width=10,
        hint="参保开始的年月，如 2025-01 或 202501，也可以是日期；不能晚于下月。",
        example="2025-01",
        text_format=True,
    ),
    Column(
        key="schemes",
        label="参保险种",
        label_en="schemes",
        required=True,
        width=18,
        hint="养老、失业、工伤中的一项或多项，用顿号或逗号分隔。必须填写：不填不视为三险全参。",
        example="养老、失业、工伤",
        choices=SCHEME_CHOICES,
        strict_choices=False,
    ),
    Column(
        key="reason",
        label="增加原因",
        label_en="reason for the addition",
        required=True,
        width=12,
        hint="从下拉列表中选择："
        + "、".join(zh for zh, _en in BATCH_ADDITION_REASONS.values())
        + "。",
        example=ADDITION_REASONS["new_hire"][0],
        choices=tuple(zh for zh, _en in BATCH_ADDITION_REASONS.values()),
    ),
    Column(
        key="phone",
        label="手机号码",
        label_en="mobile phone",
        required=False,
        width=14,
        hint="11位手机号码。",
        example="13812345678",
        text_format=True,
    ),
    Column(
        key="ethnicity",
        label="民族",
        label_en="ethnicity",
        required=False,
        width=10,
        hint="国家标准民族名称，如“汉族”（可省略“族”字）。",
        example="汉族",
        choices=ETHNIC_GROUPS,
    ),
    Column(
        key="hukou_type",
        label="户籍类型",
        label_en="household registration",
        required=False,
        width=10,
        hint="城镇或农村。",
        example="城镇",
        choices=("城镇", "农村"),
    ),
    Column(
        key="continuing",
        label="延长缴费",
        label_en="continuing past retirement",
        required=False,
        width=10,
        hint="已达法定退休年龄、为补足最低缴费年限继续缴费的填“是”；不填视为“否”。",
        example="否",
        choices=tuple(YES_NO),
    ),
)

REMOVAL_COLUMNS = (
    _RESIDENT_ID,
    _NAME,
    Column(
        key="end_period",
        label="终止期",
        label_en="end period",
        required=True,
        width=10,
        hint="参保终止的年月，如 2025-06 或 202506，也可以是日期；不能早于开始期。",
        example="2025-06",
        text_format=True,
    ),
    Column(
        key="reason",
        label="减少原因",
        label_en="reason for the removal",
        required=True,
        width=14,
        hint="从下拉列表中选择：" + "、".join(zh for zh, _en in REMOVAL_REASONS.values()) + "。",
        example=REMOVAL_REASONS["resignation"][0],
        choices=tuple(zh for zh, _en in REMOVAL_REASONS.values()),
    ),
)


def columns_for(kind: BatchKind) -> tuple[Column, ...]:
    if kind == "addition":
        return ADDITION_COLUMNS
    if kind == "removal":
        return REMOVAL_COLUMNS
    raise ValueError(f"unknown batch kind {kind!r}")
