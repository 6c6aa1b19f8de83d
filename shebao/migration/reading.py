"""Reading a city's delivery (docs/legacy-format.md): find the files, decode them (UTF-8 or
GBK), check the header and convert every cell to its type.

A file that cannot be read — undecodable bytes, missing or unknown columns, a row of the wrong
length, a value not of its column's type — is refused as a whole with a ``MIG-FILE-*`` rule
naming the file, the line and the column: the command checks every file before it stages
anything, so a malformed delivery loads nothing.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from shebao.core.errors import RuleViolation, register_rule
from shebao.migration.models import Entity

_BASIS = "docs/legacy-format.md"
register_rule(
    "MIG-FILE-MISSING",
    "迁移目录{directory}中没有{name}（必需文件）。",
    "The migration directory {directory} has no {name} (a required file).",
    _BASIS,
)
register_rule(
    "MIG-FILE-ENCODING",
    "{name}既不是UTF-8也不是GBK编码：第{offset}字节无法解码。",
    "{name} is neither UTF-8 nor GBK: the byte at offset {offset} cannot be decoded.",
    _BASIS,
)
register_rule(
    "MIG-FILE-COLUMNS",
    "{name}的表头不符合交换格式：缺少列 {missing}；多余列 {unknown}。",
    "The header of {name} does not follow the exchange format: missing columns {missing}; "
    "unknown columns {unknown}.",
    _BASIS,
)
register_rule(
    "MIG-FILE-ROW-LENGTH",
    "{name}第{line}行有{found}个字段，表头有{expected}个。",
    "Line {line} of {name} has {found} fields; the header has {expected}.",
    _BASIS,
)
register_rule(
    "MIG-FILE-TYPE",
    "{name}第{line}行“{column}”列的值“{value}”不是{expected}。",
    "Line {line} of {name}, column '{column}': '{value}' is not {expected_en}.",
    _BASIS,
)
register_rule(
    "MIG-FILE-CSV",
    "{name}第{line}行不是有效的CSV：{error}。",
    "Line {line} of {name} is not valid CSV: {error}.",
    _BASIS,
)
register_rule(
    "MIG-FILE-EMPTY",
    "{name}没有表头。",
    "{name} has no header row.",
    _BASIS,
)

ENCODINGS = ("utf-8", "gbk")


class CellError(ValueError):
    """A value not of its column's type; ``zh``/``en`` say what was expected."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


def _text(limit: int) -> Callable[[str], str]:
    def convert(value: str) -> str:
        if len(value) > limit:
            raise CellError(f"不超过{limit}个字符的文本", f"text of at most {limit} characters")
        return value

    return convert


_DATE = re.compile(r"(\d{4})[-/]?(\d{2})[-/]?(\d{2})", re.ASCII)
_PERIOD = re.compile(r"(\d{4})-?(\d{2})", re.ASCII)
_MONEY = re.compile(r"-?\d{1,13}(\.\d{1,2})?", re.ASCII)
_INT = re.compile(r"\d{1,9}", re.ASCII)
SCHEME_CODES = {"110": "pension", "210": "unemployment", "410": "work_injury"}
SEX_CODES = {"1": "M", "M": "M", "男": "M", "2": "F", "F": "F", "女": "F"}


def to_date(value: str) -> date:
    match = _DATE.fullmatch(value)
    try:
        if match is None:
            raise ValueError(value)
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise CellError("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)") from None


def to_period(value: str) -> int:
    match = _PERIOD.fullmatch(value)
    if match is None or not 1 <= int(match[2]) <= 12 or not 1950 <= int(match[1]) <= 2100:
        raise CellError("年月（YYYYMM）", "a month (YYYYMM)")
    return int(match[1]) * 100 + int(match[2])


def to_year(value: str) -> int:
    if not re.fullmatch(r"\d{4}", value, re.ASCII) or not 1950 <= int(value) <= 2100:
        raise CellError("四位年份", "a four-digit year")
    return int(value)


def to_fen(value: str) -> int:
    """Yuan with at most two decimals, exactly: no float is ever involved."""
    if _MONEY.fullmatch(value) is None:
        raise CellError("金额（元，最多两位小数）", "an amount in yuan with at most two decimals")
    sign = -1 if value.startswith("-") else 1
    whole, _, cents = value.lstrip("-").partition(".")
    return sign * (int(whole) * 100 + int(cents.ljust(2, "0")))


def to_int(value: str) -> int:
    if _INT.fullmatch(value) is None:
        raise CellError("非负整数", "a whole number")
    return int(value)


def to_scheme(value: str) -> str:
    if value not in SCHEME_CODES:
        raise CellError("险种代码（110、210、410）", "a scheme code (110, 210, 410)")
    return SCHEME_CODES[value]


GROUPS = ("male", "female-50", "female-55")


def to_group(value: str) -> str:
    if value not in GROUPS:
        raise CellError(
            "退休人员类别（male、female-50、female-55）", "a group (male, female-50, female-55)"
        )
    return value


def to_sex(value: str) -> str:
    if value.upper() not in SEX_CODES:
        raise CellError("性别（男/女、1/2、M/F）", "a sex (男/女, 1/2, M/F)")
    return SEX_CODES[value.upper()]


@dataclass(frozen=True)
class Column:
    name: str
    convert: Callable[[str], Any]
    optional: bool = False


def _columns(*spec: tuple[str, Callable[[str], Any], bool]) -> tuple[Column, ...]:
    return tuple(Column(name, convert, optional) for name, convert, optional in spec)


REQ, OPT = False, True
COLUMNS: dict[str, tuple[Column, ...]] = {
    Entity.EMPLOYERS: _columns(
        ("legacy_id", _text(40), REQ),
        ("credit_code", _text(18), REQ),
        ("name", _text(200), REQ),
        ("division_code", _text(6), OPT),
        ("risk_class", to_int, OPT),
        ("status", _text(12), REQ),
    ),
    Entity.PERSONS: _columns(
        ("legacy_id", _text(40), REQ),
        ("resident_id", _text(18), REQ),
        ("name", _text(50), REQ),
        ("sex", to_sex, REQ),
        ("birth_date", to_date, REQ),
        ("phone", _text(20), OPT),
        ("address", _text(200), OPT),
        ("died_on", to_date, OPT),
    ),
    Entity.RELATIONS: _columns(
        ("legacy_id", _text(40), REQ),
        ("person_id", _text(40), REQ),
        ("scheme", to_scheme, REQ),
        ("employer_id", _text(40), OPT),
        ("start_period", to_period, REQ),
        ("end_period", to_period, OPT),
        ("status", _text(15), REQ),
    ),
    Entity.CONTRIBUTIONS: _columns(
        ("person_id", _text(40), REQ),
        ("scheme", to_scheme, REQ),
        ("period", to_period, REQ),
        ("employer_id", _text(40), OPT),
        ("base", to_fen, REQ),
        ("employer_amount", to_fen, REQ),
        ("individual_amount", to_fen, REQ),
        ("account_credit", to_fen, REQ),
    ),
    Entity.ACCOUNTS: _columns(
        ("person_id", _text(40), REQ),
        ("year", to_year, REQ),
        ("opening", to_fen, REQ),
        ("credits", to_fen, REQ),
        ("interest", to_fen, REQ),
        ("closing", to_fen, REQ),
    ),
    Entity.RETIREES: _columns(
        ("person_id", _text(40), REQ),
        ("group", to_group, REQ),
        ("retirement_month", to_period, REQ),
        ("monthly_pension", to_fen, REQ),
        ("basic_pension", to_fen, REQ),
        ("account_pension", to_fen, REQ),
        ("transitional_pension", to_fen, REQ),
        ("contribution_months", to_int, REQ),
        ("paid_through", to_period, REQ),
        ("bank_name", _text(50), OPT),
        ("bank_account", _text(30), OPT),
    ),
}
REQUIRED_FILES = (Entity.EMPLOYERS, Entity.PERSONS)
# The order the entities are staged and loaded in: a row can only point at an earlier entity.
LOAD_ORDER = (
    Entity.EMPLOYERS,
    Entity.PERSONS,
    Entity.RELATIONS,
    Entity.CONTRIBUTIONS,
    Entity.ACCOUNTS,
    Entity.RETIREES,
)


@dataclass(frozen=True)
class Delivered:
    """One file of the delivery, found and fingerprinted."""

    entity: str
    path: Path
    sha256: str
    encoding: str  # "xlsx" for a workbook

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class Row:
    line: int
    raw: list[str]
    values: dict[str, Any]


def find_files(directory: Path, *, encoding: str | None = None) -> list[Delivered]:
    """The delivery's files in load order, each with its SHA-256 and encoding."""
    found: list[Delivered] = []
    for entity in LOAD_ORDER:
        csv_path, xlsx_path = directory / f"{entity}.csv", directory / f"{entity}.xlsx"
        path = csv_path if csv_path.exists() else xlsx_path if xlsx_path.exists() else None
        if path is None:
            if entity in REQUIRED_FILES:
                raise RuleViolation("MIG-FILE-MISSING", directory=directory, name=csv_path.name)
            continue
        data = path.read_bytes()
        kind = "xlsx" if path.suffix == ".xlsx" else detect_encoding(path.name, data, encoding)
        found.append(Delivered(entity, path, hashlib.sha256(data).hexdigest(), kind))
    return found


def detect_encoding(name: str, data: bytes, forced: str | None = None) -> str:
    """UTF-8 first (a GBK file of Chinese text is almost never valid UTF-8), then GBK."""
    candidates = (forced,) if forced else ENCODINGS
    offset = 0
    for candidate in candidates:
        try:
            data.decode(candidate)
        except UnicodeDecodeError as exc:
            offset = max(offset, exc.start)
            continue
        return "utf-8-sig" if candidate == "utf-8" else candidate
    raise RuleViolation("MIG-FILE-ENCODING", name=name, offset=offset)


def read_rows(delivered: Delivered) -> Iterator[Row]:
    """Every data row converted, streamed; raises the first ``MIG-FILE-*`` violation."""
    columns = COLUMNS[delivered.entity]
    lines = _cells(delivered)
    header = next(lines, None)
    if header is None:
        raise RuleViolation("MIG-FILE-EMPTY", name=delivered.name)
    names = [cell.strip().lower() for cell in header[1]]
    expected = [column.name for column in columns]
    missing = [n for n in expected if n not in names]
    unknown = [n for n in names if n not in expected]
    if missing or unknown or len(set(names)) != len(names):
        raise RuleViolation(
            "MIG-FILE-COLUMNS",
            name=delivered.name,
            missing=", ".join(missing) or "—",
            unknown=", ".join(unknown) or "—",
        )
    positions = [(names.index(column.name), column) for column in columns]
    for line, cells in lines:
        if not any(cell.strip() for cell in cells):
            continue  # a blank line (or an empty spreadsheet row) is not a record
        if len(cells) != len(names):
            raise RuleViolation(
                "MIG-FILE-ROW-LENGTH",
                name=delivered.name,
                line=line,
                found=len(cells),
                expected=len(names),
            )
        raw = [cell.strip() for cell in cells]
        yield Row(line, raw, _convert(delivered.name, line, raw, positions))


def _convert(
    name: str, line: int, raw: list[str], positions: list[tuple[int, Column]]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for index, column in positions:
        value = raw[index]
        if value == "":
            if not column.optional:
                raise _type_error(name, line, column.name, value, "必填值", "a required value")
            values[column.name] = None
            continue
        try:
            values[column.name] = column.convert(value)
        except CellError as exc:
            raise _type_error(name, line, column.name, value, exc.zh, exc.en) from None
    return values


def _type_error(name: str, line: int, column: str, value: str, zh: str, en: str) -> RuleViolation:
    return RuleViolation(
        "MIG-FILE-TYPE",
        name=name,
        line=line,
        column=column,
        value=value[:40],
        expected=zh,
        expected_en=en,
    )


def _cells(delivered: Delivered) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for every line of the file, the header first."""
    if delivered.encoding == "xlsx":
        yield from _workbook_cells(delivered.path)
        return
    with delivered.path.open("rb") as handle:
        text = io.TextIOWrapper(handle, encoding=delivered.encoding, newline="")
        reader = csv.reader(text, strict=True)
        try:
            for cells in reader:
                yield reader.line_num, cells
        except csv.Error as exc:
            raise RuleViolation(
                "MIG-FILE-CSV", name=delivered.name, line=reader.line_num, error=str(exc)
            ) from None


def _workbook_cells(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        width = 0
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(value) for value in row]
            if number == 1:
                while cells and cells[-1] == "":
                    cells.pop()
                width = len(cells)
            # A spreadsheet does not keep empty cells at the end of a row: they are empty
            # fields, not missing ones (the CSV would hold them as trailing commas).
            if len(cells) < width:
                cells += [""] * (width - len(cells))
            elif len(cells) > width and not any(cells[width:]):
                cells = cells[:width]
            yield number, cells
    finally:
        book.close()


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV would hold (dates as ISO, whole numbers plain)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_files(files: list[Delivered]) -> dict[str, int]:
    """Read every file to the end (the pre-flight): rows per entity, or the first violation."""
    return {f.entity: sum(1 for _ in read_rows(f)) for f in files}


# codecs.lookup normalises "GBK", "utf8" …; used to check --encoding.
def encoding_known(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return name.lower().replace("_", "-") in {"utf-8", "utf8", "gbk"}
