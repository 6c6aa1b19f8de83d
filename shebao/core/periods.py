"""Periods (费款所属期): the month a contribution or benefit belongs to, as a ``YYYYMM`` int.

An int sorts, compares and indexes like the month it names (202501 < 202502), fits a plain
integer column and reads the same in SQL, logs and files from the tax bureau.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from shebao.core.errors import RuleViolation, register_rule

register_rule(
    "PERIOD-FORMAT",
    "所属期格式不正确：{value}（应为 1950–2100 年间的年月，如 202501 或 2025-01）",
    "Invalid period: {value} (expected a month between 1950 and 2100, e.g. 202501 or 2025-01)",
)

MIN_YEAR = 1950
MAX_YEAR = 2100

# "202501", "2025-01", "2025-1", "2025/01", "2025.01", "2025年1月", "2025年01月"
_PERIOD_INPUT = re.compile(
    r"(?P<year>\d{4})(?:(?P<month6>\d{2})|[-/.](?P<month>\d{1,2})|年(?P<month_zh>\d{1,2})月)",
    re.ASCII,
)


def period_validate(p: int) -> int:
    """Return ``p`` if it is a YYYYMM int with month 1–12 and year 1950–2100; refuse it else."""
    if isinstance(p, bool) or not isinstance(p, int):
        raise RuleViolation("PERIOD-FORMAT", value=repr(p))
    year, month = divmod(p, 100)
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        raise RuleViolation("PERIOD-FORMAT", value=p)
    return p


def _month_index(p: int) -> int:
    """Months since year 0, so that period arithmetic is plain integer arithmetic."""
    year, month = divmod(period_validate(p), 100)
    return year * 12 + month - 1


def _from_month_index(index: int) -> int:
    year, month0 = divmod(index, 12)
    return period_validate(year * 100 + month0 + 1)


def period_of(d: date) -> int:
    """The period a date falls in: date(2025, 1, 31) → 202501."""
    return period_validate(d.year * 100 + d.month)


def period_add(p: int, months: int) -> int:
    """Shift a period by whole months (negative goes back): period_add(202511, 3) → 202602."""
    return _from_month_index(_month_index(p) + months)


def months_between(start: int, end: int) -> int:
    """``end`` minus ``start`` in months: months_between(202412, 202501) → 1 (negative if end
    is earlier)."""
    return _month_index(end) - _month_index(start)


def period_range(start: int, end: int) -> list[int]:
    """Every period from ``start`` to ``end`` inclusive; empty if ``end`` is before ``start``."""
    first = _month_index(start)
    return [_from_month_index(index) for index in range(first, _month_index(end) + 1)]


def period_first_day(p: int) -> date:
    """The first calendar day of the period."""
    year, month = divmod(period_validate(p), 100)
    return date(year, month, 1)


def period_last_day(p: int) -> date:
    """The last calendar day of the period (29 February in leap years)."""
    year, month = divmod(period_validate(p), 100)
    return date(year, month, calendar.monthrange(year, month)[1])


def period_parse(text: str) -> int:
    """Parse "202501", "2025-01", "2025/1" or "2025年1月" (full-width digits too) to 202501."""
    if not isinstance(text, str):
        raise RuleViolation("PERIOD-FORMAT", value=repr(text))
    folded = "".join(unicodedata.normalize("NFKC", text).split())
    match = _PERIOD_INPUT.fullmatch(folded)
    if match is None:
        raise RuleViolation("PERIOD-FORMAT", value=text)
    month = match["month6"] or match["month"] or match["month_zh"]
    try:
        return period_validate(int(match["year"]) * 100 + int(month))
    except RuleViolation:
        raise RuleViolation("PERIOD-FORMAT", value=text) from None


def period_format(p: int) -> str:
    """Display a period as "2025-01"."""
    year, month = divmod(period_validate(p), 100)
    return f"{year:04d}-{month:02d}"


def local_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The aware instants from the start of ``first`` to the start of the day after ``last``
    in the configured time zone (Asia/Shanghai): the half-open range of a query of
    timestamps by local day."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return (
        datetime.combine(first, time.min, tzinfo=zone),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone),
    )
