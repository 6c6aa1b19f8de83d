"""Working days (工作日) for the legal time limits of cases, from the public-holiday calendar.

Time limits in 社会保险经办条例 are counted in working days: Monday to Friday, minus the
official days off, plus the weekend days declared working days (调休上班). Both come from
the State Council's yearly notice, kept as data in ``data/holidays.yaml``. A year without a
notice in the file is counted Monday to Friday and flagged (:meth:`WorkCalendar.is_known_year`,
:attr:`DueDate.provisional`): the next year's notice is published only in the autumn, and a
due date in an unknown year must not pass for a firm one.

Pure Python, no ORM.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from shebao.core.errors import RuleViolation, register_rule

DEFAULT_HOLIDAYS_PATH = Path(__file__).resolve().parent / "data" / "holidays.yaml"
CONFIDENCE = ("verified", "unverified")
YEAR_FIELDS = {"source", "confidence", "holidays", "workdays", "note"}
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
_ONE_DAY = timedelta(days=1)
SATURDAY = 5

register_rule(
    "CASE-CAL-YEAR-UNKNOWN",
    "{year}年的节假日安排尚未录入，无法确定按工作日计算的期限。",
    "The public-holiday calendar for {year} is not loaded; a time limit in working days "
    "cannot be fixed yet.",
    "国务院办公厅年度节假日安排通知",
)


class CalendarFileError(ValueError):
    """The holiday file is malformed; the message names the file, the year and the field."""


@dataclass(frozen=True)
class HolidayYear:
    """One year's arrangement (放假调休安排) from the State Council notice."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str
    confidence: str
    note: str = ""


@dataclass(frozen=True)
class DueDate:
    """A due date; ``provisional`` when part of the span was counted without a holiday
    calendar (Monday to Friday only), so a later notice may move it."""

    on: date
    provisional: bool


class WorkCalendar:
    """Working days from a set of yearly holiday arrangements."""

    def __init__(self, years: Iterable[HolidayYear]) -> None:
        self._years = {entry.year: entry for entry in years}
        self._holidays = frozenset().union(*(y.holidays for y in self._years.values()))
        self._workdays = frozenset().union(*(y.workdays for y in self._years.values()))

    @classmethod
    def from_yaml(cls, path: Path | str = DEFAULT_HOLIDAYS_PATH) -> WorkCalendar:
        return cls(load_holiday_years(path))

    @property
    def known_years(self) -> tuple[int, ...]:
        return tuple(sorted(self._years))

    def is_known_year(self, year: int) -> bool:
        """Whether the year's notice is in the file (otherwise Monday–Friday is assumed)."""
        return year in self._years

    def arrangement(self, year: int) -> HolidayYear | None:
        return self._years.get(year)

    def is_holiday(self, day: date) -> bool:
        """An official day off (法定节假日 or a swapped rest day) on a weekday or weekend."""
        return day in self._holidays

    def is_working_day(self, day: date) -> bool:
        if day in self._workdays:
            return True
        return day.weekday() < SATURDAY and day not in self._holidays

    def add_working_days(self, start: date, n: int) -> date:
        """The due date of a case accepted on ``start`` with an ``n``-working-day limit.

        The day of acceptance does not count (the limit runs from the next day), so
        ``n == 0`` (done on the spot) gives ``start`` itself, whatever day it is.
        """
        if n < 0:
            raise ValueError(f"a time limit cannot be negative: {n}")
        day = start
        remaining = n
        while remaining:
            day += _ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``; negative when ``end``
        is before ``start``. ``working_days_between(s, add_working_days(s, n)) == n``."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for day in _days_after(start, end) if self.is_working_day(day))

    def due_date(self, start: date, n: int) -> DueDate:
        """:meth:`add_working_days`, flagged when any counted day lies in an unknown year."""
        on = self.add_working_days(start, n)
        years = range(start.year, on.year + 1)
        return DueDate(on=on, provisional=not all(self.is_known_year(y) for y in years))

    def ensure_known(self, start: date, end: date) -> None:
        """Refuse (``CASE-CAL-YEAR-UNKNOWN``) when a year from ``start`` to ``end`` has no
        holiday calendar, for callers that must not accept a provisional count."""
        for year in range(min(start, end).year, max(start, end).year + 1):
            if not self.is_known_year(year):
                raise RuleViolation("CASE-CAL-YEAR-UNKNOWN", year=year)


@functools.cache
def default_calendar() -> WorkCalendar:
    """The calendar of the shipped ``data/holidays.yaml`` (read once per process)."""
    return WorkCalendar.from_yaml()


def _days_after(start: date, end: date) -> Iterator[date]:
    day = start + _ONE_DAY
    while day <= end:
        yield day
        day += _ONE_DAY


# --- the YAML file ----------------------------------------------------------------------------


def load_holiday_years(path: Path | str = DEFAULT_HOLIDAYS_PATH) -> list[HolidayYear]:
    """Every year of the holiday file, validated."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError for 2025-02-30
        raise CalendarFileError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict) or not raw:
        raise CalendarFileError(f"{path}: expected a mapping of years")
    years: list[HolidayYear] = []
    seen: dict[date, int] = {}
    for key, entry in raw.items():
        if not isinstance(key, int) or isinstance(key, bool) or not 1949 < key < 2200:
            raise CalendarFileError(f"{path}: {key!r}: a year is a four-digit number")
        arrangement = _year(path, key, entry)
        for day in arrangement.holidays | arrangement.workdays:
            if day in seen:
                raise CalendarFileError(f"{path}: {key}: {day} is also listed under {seen[day]}")
            seen[day] = key
        years.append(arrangement)
    return years


def _year(path: Path, year: int, entry: Any) -> HolidayYear:
    def fail(field: str, message: str) -> CalendarFileError:
        return CalendarFileError(f"{path}: {year}: {field}: {message}")

    if not isinstance(entry, dict):
        raise fail("-", "expected a mapping with source, confidence, holidays, workdays")
    unknown = sorted(str(k) for k in entry if k not in YEAR_FIELDS)
    if unknown:
        raise fail(unknown[0], "unknown field")
    for field in ("source", "confidence", "holidays", "workdays"):
        if field not in entry:
            raise fail(field, "missing")
    source = entry["source"]
    if not isinstance(source, str) or not source.strip():
        raise fail("source", "name the State Council notice")
    if entry["confidence"] not in CONFIDENCE:
        raise fail("confidence", f"{entry['confidence']!r} is not one of {', '.join(CONFIDENCE)}")
    note = entry.get("note") or ""
    if not isinstance(note, str):
        raise fail("note", "expected text")

    holidays = _dates(fail, year, "holidays", entry["holidays"], ranges=True)
    workdays = _dates(fail, year, "workdays", entry["workdays"], ranges=False)
    for day in sorted(workdays):
        if day.weekday() < SATURDAY:
            raise fail("workdays", f"{day} is a weekday; list only weekend days worked (调休上班)")
    both = sorted(holidays & workdays)
    if both:
        raise fail("workdays", f"{both[0]} is listed as a holiday too")
    return HolidayYear(
        year=year,
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        source=source.strip(),
        confidence=str(entry["confidence"]),
        note=note.strip(),
    )


def _dates(fail: Any, year: int, field: str, value: Any, *, ranges: bool) -> set[date]:
    if value is None:
        return set()
    if not isinstance(value, list):
        raise fail(field, "expected a list of dates")
    days: set[date] = set()
    for raw in value:
        for day in _expand(fail, field, raw, ranges=ranges):
            # A break may start in the last days of the year before (e.g. 元旦 from 30 Dec).
            if not date(year - 1, 12, 1) <= day <= date(year, 12, 31):
                raise fail(field, f"{day} is outside the {year} arrangement")
            if day in days:
                raise fail(field, f"{day} is listed twice")
            days.add(day)
    return days


def _expand(fail: Any, field: str, raw: Any, *, ranges: bool) -> list[date]:
    if isinstance(raw, date):
        return [raw]
    if isinstance(raw, str):
        match = _RANGE.fullmatch(raw.strip())
        if match and ranges:
            first, last = (_parse(fail, field, text) for text in match.groups())
            if last < first:
                raise fail(field, f"{raw!r}: the range ends before it starts")
            return [first + timedelta(days=i) for i in range((last - first).days + 1)]
        if not match:
            return [_parse(fail, field, raw.strip())]
    what = "a date or a range YYYY-MM-DD..YYYY-MM-DD" if ranges else "a date"
    raise fail(field, f"{raw!r}: expected {what}")


def _parse(fail: Any, field: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise fail(field, f"{text!r} is not a date YYYY-MM-DD") from exc
