"""Reading a batch file (批量导入文件): the whole file is refused, or all of its rows are read.

Checks run cheapest first: the size, the zip signature and the zip directory before openpyxl
parses anything, so a renamed .xls, a CSV or a zip bomb costs microseconds. The sheet is then
streamed in openpyxl's read-only mode with ``data_only=False``, which keeps memory flat for a
5 MB file and still shows formula cells as formulas. Read-only mode does not report merged
cells, so those are found by one scan of the sheet's XML for its ``<mergeCell ref=...>``
entries (they sit after the cell data and are the only elements of that name).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from shebao.core.errors import RuleViolation
from shebao.registry.batch import codes as _codes  # noqa: F401  (registers the BATCH-* rules)
from shebao.registry.batch.columns import (
    MAX_BYTES,
    MAX_ROWS,
    SHEET_TITLES,
    BatchKind,
    CellValue,
    Column,
    columns_for,
)

_ZIP_SIGNATURE = b"PK\x03\x04"
# An xlsx compresses its XML about tenfold; much more than that is a zip bomb, not staff data.
_UNPACKED_FACTOR = 20
_CHUNK = 1 << 20
_MERGE_CELL = re.compile(
    rb"<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([A-Za-z]+[0-9]+(?::[A-Za-z]+[0-9]+)?)[\"']"
)


@dataclass(frozen=True)
class BatchRow:
    """One non-empty data row. ``row`` is the Excel row number (the header is row 1);
    ``cells`` holds the raw value of every column of the kind, ``None`` where absent."""

    row: int
    cells: dict[str, CellValue]


@dataclass(frozen=True)
class BatchFile:
    """A batch file read whole: its kind, the sheet read, where each column was found
    (column key → Excel column letter) and its non-empty data rows in file order."""

    kind: BatchKind
    sheet: str
    columns: dict[str, str]
    rows: tuple[BatchRow, ...]


def read_batch(
    data: bytes, kind: BatchKind, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS
) -> BatchFile:
    """Read the data sheet of an uploaded xlsx, or refuse the whole file with a rule code.

    The sheet named as in the template (人员增加 / 人员减少) is read, else the first visible
    one. Columns are found by their header text in row 1, in any order; extra columns are
    ignored. Rows with nothing in the columns read are skipped. Formulas and merged cells in
    the columns read are refused, naming the cell or range.
    """
    columns = columns_for(kind)
    if len(data) > max_bytes:
        raise RuleViolation(
            "BATCH-TOO-LARGE", size=_megabytes(len(data)), limit=_megabytes(max_bytes)
        )
    _check_package(data, max_unpacked=max_bytes * _UNPACKED_FACTOR)
    try:
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
        reader.read()
    except Exception as exc:
        # openpyxl raises whatever its parsers meet (KeyError, ValueError, XML errors...) on
        # a damaged package; to the clerk they all mean the same thing.
        raise RuleViolation("BATCH-NOT-XLSX") from exc
    try:
        return _read_sheet(reader, kind, columns, max_rows)
    finally:
        reader.wb.close()  # a read-only workbook keeps its archive open until closed


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _check_package(data: bytes, *, max_unpacked: int) -> None:
    if not data.startswith(_ZIP_SIGNATURE):
        raise RuleViolation("BATCH-NOT-XLSX")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise RuleViolation("BATCH-NOT-XLSX") from exc
    if not any(entry.filename == "[Content_Types].xml" for entry in entries):
        raise RuleViolation("BATCH-NOT-XLSX")
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > max_unpacked:
        raise RuleViolation(
            "BATCH-TOO-LARGE-UNPACKED", size=_megabytes(unpacked), limit=_megabytes(max_unpacked)
        )


def _read_sheet(
    reader: ExcelReader, kind: BatchKind, columns: tuple[Column, ...], max_rows: int
) -> BatchFile:
    sheet = _data_sheet(reader.wb, kind)
    sheet.reset_dimensions()  # a wrong <dimension> in the file must not cut rows off
    rows = _stream(sheet)
    header = next(rows, ())
    positions = _match_header(header, columns, sheet.title)
    sheet_path = next(
        rel.Target for child, rel in reader.parser.find_sheets() if child.name == sheet.title
    )
    _check_merged(reader.archive, sheet_path, positions)

    letters = {key: get_column_letter(index + 1) for key, index in positions.items()}
    batch_rows: list[BatchRow] = []
    for excel_row, cells in enumerate(rows, start=2):
        values: dict[str, CellValue] = dict.fromkeys((column.key for column in columns), None)
        filled = False
        for key, index in positions.items():
            if index >= len(cells):
                continue
            cell = cells[index]
            if cell.data_type == "f":
                raise RuleViolation("BATCH-FORMULA", cell=f"{letters[key]}{excel_row}")
            value = cell.value
            if isinstance(value, str) and not value.strip():
                value = None
            values[key] = value
            filled = filled or value is not None
        if not filled:
            continue
        if len(batch_rows) == max_rows:
            raise RuleViolation("BATCH-TOO-MANY-ROWS", limit=max_rows, row=excel_row)
        batch_rows.append(BatchRow(row=excel_row, cells=values))
    if not batch_rows:
        raise RuleViolation("BATCH-EMPTY", sheet=sheet.title)
    return BatchFile(kind=kind, sheet=sheet.title, columns=letters, rows=tuple(batch_rows))


def _data_sheet(workbook: Workbook, kind: BatchKind) -> ReadOnlyWorksheet:
    sheets = [sheet for sheet in workbook.worksheets if isinstance(sheet, ReadOnlyWorksheet)]
    if not sheets:
        raise RuleViolation("BATCH-EMPTY", sheet="")
    for sheet in sheets:
        if sheet.title == SHEET_TITLES[kind]:
            return sheet
    return next((sheet for sheet in sheets if sheet.sheet_state == "visible"), sheets[0])


def _stream(sheet: ReadOnlyWorksheet) -> Iterator[Sequence[Any]]:
    """The sheet's rows, with gaps filled by empty rows so that positions are row numbers."""
    try:
        yield from sheet.rows
    except Exception as exc:
        # Parsing is lazy: a damaged sheet part only shows while its rows are streamed.
        raise RuleViolation("BATCH-NOT-XLSX") from exc


def _header_text(value: object) -> str:
    """Header cells are matched without spaces, full-width forms and the required mark."""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split()).replace("*", "")


def _match_header(header: Sequence[Any], columns: tuple[Column, ...], sheet: str) -> dict[str, int]:
    """Column key → position (0-based) of its header cell in row 1."""
    by_label = {column.label: column for column in columns}
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        if cell.data_type == "f":
            raise RuleViolation("BATCH-FORMULA", cell=f"{get_column_letter(index + 1)}1")
        if cell.value is None:
            continue
        column = by_label.get(_header_text(cell.value))
        if column is None:
            continue
        if column.key in positions:
            raise RuleViolation("BATCH-COLUMNS-DUPLICATE", sheet=sheet, column=column.label)
        positions[column.key] = index
    missing = [
        column.header for column in columns if column.required and column.key not in positions
    ]
    if missing:
        raise RuleViolation("BATCH-COLUMNS-MISSING", sheet=sheet, columns="、".join(missing))
    return positions


def _check_merged(archive: zipfile.ZipFile, sheet_path: str, positions: dict[str, int]) -> None:
    """Refuse a merged range that covers any column read; merges elsewhere do no harm."""
    read_columns = {index + 1 for index in positions.values()}
    for ref in _merged_ranges(archive, sheet_path):
        min_col, _min_row, max_col, _max_row = range_boundaries(ref)
        if min_col is None or max_col is None or ":" not in ref:
            continue
        if any(min_col <= column <= max_col for column in read_columns):
            raise RuleViolation("BATCH-MERGED", range=ref.upper())


def _merged_ranges(archive: zipfile.ZipFile, sheet_path: str) -> Iterator[str]:
    # Scanned in chunks; an element cut at a chunk's end is carried over from its last "<".
    carry = b""
    try:
        with archive.open(sheet_path) as part:
            while chunk := part.read(_CHUNK):
                text = carry + chunk
                cut = max(text.rfind(b"<"), 0)
                for match in _MERGE_CELL.finditer(text, 0, cut):
                    yield match[1].decode("ascii")
                carry = text[cut:]
    except Exception as exc:
        # A damaged or unsupported zip entry (bad CRC, unknown compression) shows here.
        raise RuleViolation("BATCH-NOT-XLSX") from exc
    for match in _MERGE_CELL.finditer(carry):
        yield match[1].decode("ascii")
