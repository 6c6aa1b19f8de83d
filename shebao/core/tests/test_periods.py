from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shebao.core.errors import RuleViolation
from shebao.core.periods import (
    months_between,
    period_add,
    period_first_day,
    period_format,
    period_last_day,
    period_of,
    period_parse,
    period_range,
    period_validate,
)

periods = st.builds(
    lambda year, month: year * 100 + month,
    st.integers(min_value=1950, max_value=2100),
    st.integers(min_value=1, max_value=12),
)


@pytest.mark.parametrize("p", [195001, 202501, 202512, 210012])
def test_period_validate_returns_a_valid_period(p):
    assert period_validate(p) == p


@pytest.mark.parametrize(
    "p", [202500, 202513, 194912, 210101, 2025, 20250101, 0, -202501, "202501", 202501.0, True]
)
def test_period_validate_refuses_what_is_not_a_period(p):
    with pytest.raises(RuleViolation) as err:
        period_validate(p)

    assert err.value.code == "PERIOD-FORMAT"


def test_period_of_a_date():
    assert period_of(date(2025, 1, 31)) == 202501
    assert period_of(date(2024, 12, 1)) == 202412


def test_period_of_a_datetime_uses_its_date():
    assert period_of(datetime(2025, 3, 15, 23, 59)) == 202503  # noqa: DTZ001 - a naive date part


@pytest.mark.parametrize(
    ("p", "months", "expected"),
    [
        (202501, 0, 202501),
        (202501, 1, 202502),
        (202511, 3, 202602),
        (202512, 1, 202601),
        (202501, -1, 202412),
        (202503, -15, 202312),
        (202501, 120, 203501),
    ],
)
def test_period_add(p, months, expected):
    assert period_add(p, months) == expected


def test_period_add_refuses_to_leave_the_calendar():
    with pytest.raises(RuleViolation) as err:
        period_add(195001, -1)

    assert err.value.code == "PERIOD-FORMAT"


def test_period_add_refuses_an_invalid_start():
    with pytest.raises(RuleViolation) as err:
        period_add(202513, 1)

    assert err.value.code == "PERIOD-FORMAT"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (202501, 202501, 0),
        (202412, 202501, 1),
        (202501, 202412, -1),
        (202001, 202501, 60),
        (199601, 202512, 359),
    ],
)
def test_months_between(start, end, expected):
    assert months_between(start, end) == expected


@given(periods, periods)
def test_adding_months_between_two_periods_leads_from_one_to_the_other(start, end):
    assert period_add(start, months_between(start, end)) == end
    assert len(period_range(start, end)) == max(months_between(start, end) + 1, 0)


def test_period_range_is_inclusive_across_a_year_end():
    assert period_range(202411, 202502) == [202411, 202412, 202501, 202502]


def test_period_range_of_one_month():
    assert period_range(202501, 202501) == [202501]


def test_period_range_ending_before_it_starts_is_empty():
    assert period_range(202502, 202501) == []


def test_period_range_refuses_an_invalid_end():
    with pytest.raises(RuleViolation) as err:
        period_range(202501, 202513)

    assert err.value.code == "PERIOD-FORMAT"


@pytest.mark.parametrize(
    ("p", "first", "last"),
    [
        (202501, date(2025, 1, 1), date(2025, 1, 31)),
        (202402, date(2024, 2, 1), date(2024, 2, 29)),  # leap year
        (202502, date(2025, 2, 1), date(2025, 2, 28)),
        (210002, date(2100, 2, 1), date(2100, 2, 28)),  # 2100 is not a leap year
        (202504, date(2025, 4, 1), date(2025, 4, 30)),
    ],
)
def test_period_first_and_last_day(p, first, last):
    assert period_first_day(p) == first
    assert period_last_day(p) == last


@pytest.mark.parametrize(
    "text",
    ["202501", "2025-01", "2025-1", "2025/01", "2025.01", "2025年1月", "2025年01月", " 2025-01 "],
)
def test_period_parse_accepts_the_usual_spellings(text):
    assert period_parse(text) == 202501


def test_period_parse_accepts_full_width_digits():
    assert period_parse("２０２５年１２月") == 202512


@pytest.mark.parametrize(
    "text",
    ["", "2025", "20251", "2025013", "2025-13", "2025-00", "2025年13月", "1949-12", "25-01", "abc"],
)
def test_period_parse_refuses_junk(text):
    with pytest.raises(RuleViolation) as err:
        period_parse(text)

    assert err.value.code == "PERIOD-FORMAT"
    assert err.value.params["value"] == text


@pytest.mark.parametrize(("p", "text"), [(202501, "2025-01"), (202512, "2025-12")])
def test_period_format(p, text):
    assert period_format(p) == text


@given(periods)
def test_period_parse_reads_what_period_format_writes(p):
    assert period_parse(period_format(p)) == p
