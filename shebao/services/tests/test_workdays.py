"""Working days: due dates across public holidays and make-up days, the unknown-year fallback,
and validation of the holiday file. Expected dates are counted by hand from the notices."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shebao.core.errors import RuleViolation
from shebao.services.workdays import (
    CalendarFileError,
    WorkCalendar,
    default_calendar,
    load_holiday_years,
)


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return default_calendar()


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# --- the shipped calendar ---------------------------------------------------------------------


def test_shipped_calendar_knows_2024_to_2026_from_the_notices():
    years = {y.year: y for y in load_holiday_years()}
    assert {2024, 2025, 2026} <= set(years)
    assert years[2025].source.startswith("国务院办公厅关于2025年部分节假日安排的通知")
    assert "国办发明电〔2024〕12号" in years[2025].source
    # Days off and weekend days worked, as the notices list them.
    assert (len(years[2025].holidays), len(years[2025].workdays)) == (28, 5)
    assert (len(years[2026].holidays), len(years[2026].workdays)) == (33, 6)
    assert (len(years[2024].holidays), len(years[2024].workdays)) == (30, 8)


def test_from_2025_spring_festival_and_labour_day_breaks_are_longer(calendar):
    # 国务院令第795号: one more statutory day each for the Spring Festival and Labour Day.
    spring_2025 = days(date(2025, 1, 28), date(2025, 2, 4))
    assert len(spring_2025) == 8
    assert all(calendar.is_holiday(d) for d in spring_2025)
    assert all(calendar.is_holiday(d) for d in days(date(2025, 5, 1), date(2025, 5, 5)))
    assert calendar.is_working_day(date(2025, 2, 5))


def test_a_make_up_saturday_is_a_working_day(calendar):
    assert date(2025, 10, 11).weekday() == 5
    assert calendar.is_working_day(date(2025, 10, 11))
    assert calendar.is_working_day(date(2026, 2, 14))
    # The ordinary Saturday after it is not.
    assert not calendar.is_working_day(date(2025, 10, 18))
    # A Friday case with one working day is due the make-up Saturday.
    assert calendar.add_working_days(date(2025, 10, 10), 1) == date(2025, 10, 11)


def test_a_weekday_inside_a_break_is_not_a_working_day(calendar):
    assert date(2025, 10, 8).weekday() == 2
    assert not calendar.is_working_day(date(2025, 10, 8))


# --- due dates --------------------------------------------------------------------------------


def test_due_date_across_national_day_2025(calendar):
    # Accepted Mon 29 Sep, 10 working days: 30 Sep (1); 1-8 Oct off; 9, 10 Oct (2, 3);
    # Sat 11 Oct make-up (4); 13-17 Oct (5-9); Mon 20 Oct (10).
    assert calendar.add_working_days(date(2025, 9, 29), 10) == date(2025, 10, 20)


def test_due_date_across_spring_festival_2025(calendar):
    # Accepted Fri 24 Jan: Sun 26 Jan make-up (1); Mon 27 Jan (2); 28 Jan-4 Feb off;
    # 5-7 Feb (3-5); Sat 8 Feb make-up (6); 10-13 Feb (7-10).
    assert calendar.add_working_days(date(2025, 1, 24), 10) == date(2025, 2, 13)


def test_due_date_across_spring_festival_2026(calendar):
    # Accepted Thu 12 Feb: Fri 13 (1); Sat 14 make-up (2); 15-23 Feb off; 24-27 Feb (3-6);
    # Sat 28 Feb make-up (7); 2-4 Mar (8-10).
    assert calendar.add_working_days(date(2026, 2, 12), 10) == date(2026, 3, 4)


def test_pension_claim_across_mid_autumn_and_national_day_2026(calendar):
    # Accepted Fri 18 Sep, 20 working days: Sun 20 Sep make-up (1); 21-24 Sep (2-5);
    # 25-27 Sep off; 28-30 Sep (6-8); 1-7 Oct off; 8, 9 Oct (9, 10); Sat 10 Oct make-up (11);
    # 12-16 Oct (12-16); 19-22 Oct (17-20).
    assert calendar.add_working_days(date(2026, 9, 18), 20) == date(2026, 10, 22)


def test_a_case_accepted_on_a_holiday_counts_from_the_next_working_day(calendar):
    assert calendar.add_working_days(date(2025, 10, 4), 1) == date(2025, 10, 9)


def test_zero_working_days_is_the_day_of_acceptance_even_on_a_holiday(calendar):
    assert calendar.add_working_days(date(2025, 10, 1), 0) == date(2025, 10, 1)
    assert calendar.add_working_days(date(2025, 9, 30), 0) == date(2025, 9, 30)


def test_a_negative_limit_is_a_programming_error(calendar):
    with pytest.raises(ValueError, match="negative"):
        calendar.add_working_days(date(2025, 9, 30), -1)


def test_working_days_between_counts_after_the_start_up_to_the_end(calendar):
    assert calendar.working_days_between(date(2025, 9, 29), date(2025, 10, 20)) == 10
    assert calendar.working_days_between(date(2025, 10, 20), date(2025, 9, 29)) == -10
    assert calendar.working_days_between(date(2025, 10, 1), date(2025, 10, 8)) == 0
    assert calendar.working_days_between(date(2025, 9, 29), date(2025, 9, 29)) == 0


def test_due_date_in_a_known_year_is_firm(calendar):
    due = calendar.due_date(date(2025, 9, 29), 10)
    assert due.on == date(2025, 10, 20)
    assert not due.provisional


# --- a year outside the file ------------------------------------------------------------------


def test_a_year_outside_the_file_falls_back_to_weekdays_and_is_flagged(calendar):
    assert not calendar.is_known_year(2031)
    assert calendar.is_known_year(2025)
    # New Year's Day 2031 is a Wednesday: without the notice it counts as a working day.
    assert date(2031, 1, 1).weekday() == 2
    assert calendar.is_working_day(date(2031, 1, 1))
    assert not calendar.is_working_day(date(2031, 1, 4))  # a Saturday
    due = calendar.due_date(date(2030, 12, 31), 3)
    assert due.on == date(2031, 1, 3)
    assert due.provisional


def test_a_span_running_into_an_unknown_year_is_provisional(calendar):
    last_known = max(calendar.known_years)
    due = calendar.due_date(date(last_known, 12, 24), 10)
    assert due.on.year == last_known + 1
    assert due.provisional


def test_ensure_known_refuses_an_unknown_year_with_a_rule_code(calendar):
    calendar.ensure_known(date(2025, 1, 1), date(2026, 12, 31))
    with pytest.raises(RuleViolation) as err:
        calendar.ensure_known(date(2030, 12, 31), date(2031, 1, 3))
    assert err.value.code == "CASE-CAL-YEAR-UNKNOWN"
    assert err.value.params == {"year": 2030}


def test_an_empty_calendar_counts_weekdays_only():
    empty = WorkCalendar([])
    assert empty.known_years == ()
    assert empty.add_working_days(date(2025, 9, 29), 10) == date(2025, 10, 13)


# --- properties -------------------------------------------------------------------------------

START = st.dates(min_value=date(2023, 12, 1), max_value=date(2027, 12, 31))


@settings(max_examples=300, deadline=None)
@given(start=START, n=st.integers(min_value=1, max_value=120))
def test_due_date_is_a_working_day_and_grows_with_the_limit(calendar, start, n):
    due = calendar.add_working_days(start, n)
    assert calendar.is_working_day(due)
    assert calendar.add_working_days(start, n + 1) > due
    assert calendar.working_days_between(start, due) == n


# --- the file format --------------------------------------------------------------------------

GOOD = """\
2025:
  source: test notice
  confidence: verified
  holidays:
    - 2025-10-01..2025-10-08
  workdays:
    - 2025-09-28
    - 2025-10-11
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_loads(tmp_path):
    calendar = WorkCalendar.from_yaml(write(tmp_path, GOOD))
    assert calendar.known_years == (2025,)
    assert calendar.add_working_days(date(2025, 9, 29), 10) == date(2025, 10, 20)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    - 2025-09-28\n", "    - 2025-09-29\n", "workdays: 2025-09-29 is a weekday"),
        ("2025-10-01..2025-10-08", "2025-10-08..2025-10-01", "ends before it starts"),
        ("confidence: verified", "confidence: sure", "confidence: 'sure' is not one of"),
        ("  source: test notice\n", "", "source: missing"),
        ("  source: test notice\n", "  source: test notice\n  url: x\n", "url: unknown field"),
        ("    - 2025-10-11\n", "    - 2025-10-11\n    - 2025-10-04\n", "listed as a holiday too"),
        ("2025-10-01..2025-10-08", "2024-10-01..2024-10-08", "outside the 2025 arrangement"),
        ("2025-10-01..2025-10-08", '"2025-10-32"', "is not a date"),
        ("2025-10-01..2025-10-08", "2025-10-32..2025-11-01", "is not a date"),
    ],
)
def test_file_errors_name_the_year_and_field(tmp_path, old, new, message):
    assert old in GOOD
    with pytest.raises(CalendarFileError, match="2025") as err:
        load_holiday_years(write(tmp_path, GOOD.replace(old, new)))
    assert message in str(err.value)


def test_an_impossible_unquoted_date_is_a_file_error(tmp_path):
    with pytest.raises(CalendarFileError, match="not valid YAML"):
        load_holiday_years(write(tmp_path, GOOD.replace("2025-09-28", "2025-09-31")))


def test_a_date_listed_under_two_years_is_refused(tmp_path):
    # A break may start in December of the year before, so both years could list it.
    text = GOOD.replace("2025-10-01..2025-10-08", "2025-12-31") + (
        "2026:\n"
        "  source: test notice\n"
        "  confidence: unverified\n"
        "  holidays: [2025-12-31, 2026-01-01]\n"
        "  workdays: []\n"
    )
    with pytest.raises(CalendarFileError, match="2025-12-31 is also listed under 2025"):
        load_holiday_years(write(tmp_path, text))
