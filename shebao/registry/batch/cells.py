"""Parsers of single cells: each takes what openpyxl read (never ``None``; blank cells are
handled by the caller) and returns the normalised value or raises a ``RuleViolation``."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from shebao.core.errors import RuleViolation
from shebao.core.identifiers import ResidentIdInfo, resident_id_check
from shebao.core.periods import period_of, period_parse, period_validate
from shebao.registry.batch import codes as _codes  # noqa: F401  (registers the BATCH-* rules)
from shebao.registry.batch.columns import (
    ETHNIC_GROUPS,
    HUKOU_TYPES,
    SCHEME_NAMES,
    SCHEME_ORDER,
    YES_NO,
    CellValue,
    Column,
)

NAME_MAX_LENGTH = 50  # Person.name
# Excel keeps 15 significant digits: an 18-digit ID typed into a number cell is already lost.
_EXACT_FLOAT_LIMIT = 10**15
_SCHEME_SEPARATORS = re.compile(r"[、,，;；/\s]+")
# Separators of the parts of a minority name, as typed with various input methods.
_NAME_DOTS = str.maketrans(dict.fromkeys("•・･‧∙⋅.．", "·"))
_MOBILE = re.compile(r"1[3-9]\d{9}", re.ASCII)
_ETHNIC_GROUPS = frozenset(ETHNIC_GROUPS)
_QUOTED_MAX = 30


def quoted(value: CellValue) -> str:
    """A cell value for a message: as typed, cut short if long."""
    text = cell_text(value)
    return text if len(text) <= _QUOTED_MAX else text[: _QUOTED_MAX - 1] + "…"


def cell_text(value: CellValue) -> str:
    """A cell as text; whole numbers lose the ".0" openpyxl gives number cells."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _folded(value: CellValue) -> str:
    """Full-width forms folded, all whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", cell_text(value)).split())


def parse_resident_id(value: CellValue) -> ResidentIdInfo:
    if isinstance(value, float) and value >= _EXACT_FLOAT_LIMIT:
        raise RuleViolation("BATCH-ID-NUMERIC")
    return resident_id_check(cell_text(value))


def normalise_name(text: str) -> str:
    """Fold full-width forms and the many middle dots to "·"; drop spaces typed between
    Chinese characters but keep single spaces in names written in Latin letters."""
    folded = unicodedata.normalize("NFKC", text).translate(_NAME_DOTS)
    words = folded.split()
    if any(character.isascii() and character.isalpha() for character in folded):
        return " ".join(words)
    return "".join(words)


def parse_name(value: CellValue) -> str:
    name = normalise_name(cell_text(value))
    if len(name) > NAME_MAX_LENGTH or any(character.isdigit() for character in name):
        raise RuleViolation("BATCH-NAME-INVALID", value=quoted(value), limit=NAME_MAX_LENGTH)
    return name


def parse_period(value: CellValue) -> int:
    """A YYYYMM period from "2025-01", "202501", 202501 or an Excel date cell."""
    if isinstance(value, date):
        return period_of(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return period_validate(value)
        except RuleViolation:
            raise RuleViolation("PERIOD-FORMAT", value=quoted(value)) from None
    if isinstance(value, str):
        return period_parse(value)
    raise RuleViolation("PERIOD-FORMAT", value=quoted(value))


def parse_schemes(value: CellValue) -> tuple[str, ...]:
    """Scheme codes in canonical order from e.g. "养老、失业、工伤" or "工伤,养老"."""
    names = [
        name
        for name in _SCHEME_SEPARATORS.split(unicodedata.normalize("NFKC", cell_text(value)))
        if name
    ]
    unknown = [name for name in names if name not in SCHEME_NAMES]
    if unknown or not names:
        raise RuleViolation("BATCH-SCHEME-UNKNOWN", value=quoted(unknown[0] if unknown else value))
    chosen = {SCHEME_NAMES[name] for name in names}
    return tuple(scheme for scheme in SCHEME_ORDER if scheme in chosen)


def parse_reason(value: CellValue, column: Column, reasons: dict[str, tuple[str, str]]) -> str:
    """The reason code for its Chinese name (as in the drop-down)."""
    text = _folded(value)
    for code, (name_zh, _name_en) in reasons.items():
        if text == name_zh:
            return code
    raise RuleViolation(
        "BATCH-REASON-UNKNOWN",
        column=column.label,
        column_en=column.label_en,
        value=quoted(value),
        choices="、".join(name_zh for name_zh, _name_en in reasons.values()),
    )


def parse_yes_no(value: CellValue, column: Column) -> bool:
    if isinstance(value, bool):  # an Excel TRUE/FALSE cell
        return value
    answer = YES_NO.get(_folded(value))
    if answer is None:
        raise RuleViolation(
            "BATCH-YES-NO", column=column.label, column_en=column.label_en, value=quoted(value)
        )
    return answer


def parse_hukou(value: CellValue) -> str:
    hukou = HUKOU_TYPES.get(_folded(value))
    if hukou is None:
        raise RuleViolation("BATCH-HUKOU-UNKNOWN", value=quoted(value))
    return hukou


def parse_ethnicity(value: CellValue) -> str:
    """The standard name, "族" added if left out: "汉" → "汉族"."""
    text = _folded(value)
    for candidate in (text, text + "族"):
        if candidate in _ETHNIC_GROUPS:
            return candidate
    raise RuleViolation("BATCH-ETHNICITY-UNKNOWN", value=quoted(value))


def parse_phone(value: CellValue) -> str:
    """An 11-digit mobile number; spaces, hyphens and a +86 prefix are dropped."""
    digits = _folded(value).replace("-", "").removeprefix("+86")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if not _MOBILE.fullmatch(digits):
        raise RuleViolation("BATCH-PHONE-INVALID", value=quoted(value))
    return digits
