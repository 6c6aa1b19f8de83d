from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shebao.core.errors import RuleViolation
from shebao.core.money import fen_to_yuan, format_yuan, parse_yuan, round_to_fen, yuan_to_fen

# --- round_to_fen -------------------------------------------------------------------------


def test_contribution_of_base_times_rate_rounds_to_the_fen():
    # Given the individual pension contribution of rules.md 1.5: base 4498.00 at 8 %
    amount = Decimal("4498.00") * Decimal("0.08")

    # Then it is exactly 359.84 yuan
    assert round_to_fen(amount) == Decimal("359.84")
    assert str(round_to_fen(amount)) == "359.84"


def test_division_rounds_half_up_to_the_fen():
    assert round_to_fen(Decimal(150000) / Decimal(139)) == Decimal("1079.14")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.005", "0.01"),
        ("2.675", "2.68"),
        ("2.665", "2.67"),  # half-even would give 2.66
        ("0.004999", "0.00"),
        ("-0.005", "-0.01"),  # half-up rounds the magnitude
        ("-0.004", "0.00"),  # no negative zero
        ("7", "7.00"),
    ],
)
def test_round_to_fen_is_half_up(amount, expected):
    rounded = round_to_fen(Decimal(amount))

    assert str(rounded) == expected


def test_round_to_fen_refuses_float():
    with pytest.raises(TypeError):
        round_to_fen(2.675)  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity"])
def test_round_to_fen_refuses_non_finite(amount):
    with pytest.raises(ValueError, match="finite"):
        round_to_fen(Decimal(amount))


# --- yuan_to_fen / fen_to_yuan ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("359.84"), 35984),
        (Decimal("1079.136"), 107914),
        ("2.675", 268),
        ("0.005", 1),
        ("-12.5", -1250),
        (3959, 395900),
        (0, 0),
    ],
)
def test_yuan_to_fen(value, expected):
    assert yuan_to_fen(value) == expected


def test_yuan_to_fen_returns_an_int():
    assert type(yuan_to_fen(Decimal("1.23"))) is int


@pytest.mark.parametrize("value", [2.675, 1.0, True])
def test_yuan_to_fen_refuses_floats_and_bools(value):
    with pytest.raises(TypeError):
        yuan_to_fen(value)


@pytest.mark.parametrize("value", [Decimal("NaN"), "nan", "inf", Decimal("-Infinity"), "abc"])
def test_yuan_to_fen_refuses_what_is_not_a_finite_number(value):
    with pytest.raises(ValueError):  # noqa: PT011 - the message varies with the cause
        yuan_to_fen(value)


@pytest.mark.parametrize(
    ("fen", "expected"),
    [(35984, "359.84"), (0, "0.00"), (5, "0.05"), (100, "1.00"), (-1250, "-12.50")],
)
def test_fen_to_yuan_has_exactly_two_places(fen, expected):
    yuan = fen_to_yuan(fen)

    assert str(yuan) == expected
    assert yuan.as_tuple().exponent == -2


@pytest.mark.parametrize("fen", [1.5, Decimal(100), "100", False])
def test_fen_to_yuan_refuses_what_is_not_an_int(fen):
    with pytest.raises(TypeError):
        fen_to_yuan(fen)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_fen_survives_a_round_trip_through_yuan(fen):
    assert yuan_to_fen(fen_to_yuan(fen)) == fen


# --- format_yuan / parse_yuan -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fen", "expected"),
    [
        (395914, "3,959.14"),
        (-1250, "-12.50"),
        (0, "0.00"),
        (7, "0.07"),
        (99999, "999.99"),
        (100000, "1,000.00"),
        (123456789012, "1,234,567,890.12"),
        (-100000, "-1,000.00"),
    ],
)
def test_format_yuan(fen, expected):
    assert format_yuan(fen) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3,959.14", 395914),
        ("3959.14", 395914),
        ("3959.1", 395910),
        ("3959", 395900),
        ("￥3,959.14", 395914),
        ("¥3959.14", 395914),
        ("3959.14元", 395914),
        (" 3 959.14 ", 395914),
        ("３，９５９．１４", 395914),  # full-width input method
        ("0.05", 5),
        ("-12.50", -1250),
        ("1,234,567.00", 123456700),
    ],
)
def test_parse_yuan_accepts_what_people_type(text, expected):
    assert parse_yuan(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "12.345",  # three decimals are never rounded silently
        "0.005",
        "1,23.00",  # wrong grouping
        "12,34",
        "1.2.3",
        "12.",
        ".5",
        "1e3",
        "NaN",
        "--1",
        "+5",
        "12 yuan",
        "99999999999999999999",  # beyond a BigIntegerField of fen
    ],
)
def test_parse_yuan_refuses_junk(text):
    with pytest.raises(RuleViolation) as err:
        parse_yuan(text)

    assert err.value.code == "MONEY-FORMAT"
    assert err.value.params["value"] == text


def test_parse_yuan_message_names_the_input_in_both_languages():
    with pytest.raises(RuleViolation) as err:
        parse_yuan("12.345")

    assert "12.345" in err.value.message_zh
    assert "12.345" in err.value.message_en


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_parse_yuan_reads_what_format_yuan_writes(fen):
    assert parse_yuan(format_yuan(fen)) == fen
