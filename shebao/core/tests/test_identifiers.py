from datetime import UTC, date, datetime

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from shebao.core.errors import RULES, RuleViolation
from shebao.core.identifiers import (
    ResidentIdInfo,
    credit_code_check,
    credit_code_is_valid,
    resident_id_check,
    resident_id_is_valid,
)


def make_id(area: str = "420302", birth: str = "19700101", sequence: str = "123") -> str:
    """A resident ID with a correct check character (stdnum ignores the last character)."""
    body = area + birth + sequence
    return body + ric.calc_check_digit(body + "?")


SHIYAN_1970 = make_id()  # 茅箭区, born 1970-01-01, sequence 123 (odd: male)
SHIYAN_X = make_id(sequence="149")  # a number whose check character is X


def refusal_code(raw: str, **kwargs: object) -> str:
    with pytest.raises(RuleViolation) as err:
        resident_id_check(raw, **kwargs)  # type: ignore[arg-type]
    return err.value.code


# --- the test data itself ---------------------------------------------------------------------


def test_generated_numbers_are_as_expected():
    assert SHIYAN_1970 == "420302197001011238"
    assert SHIYAN_X == "42030219700101149X"


# --- valid resident IDs -----------------------------------------------------------------------


def test_valid_18_digit_id_is_accepted_with_its_details():
    info = resident_id_check(SHIYAN_1970)

    assert info == ResidentIdInfo(
        number="420302197001011238",
        birth_date=date(1970, 1, 1),
        sex="M",
        area_code="420302",
        upgraded_from=None,
    )


def test_even_sequence_digit_is_female():
    info = resident_id_check(make_id(sequence="122"))

    assert info.sex == "F"


def test_lower_case_x_is_accepted_and_upper_cased():
    info = resident_id_check(SHIYAN_X.lower())

    assert info.number == "42030219700101149X"


def test_spaces_and_full_width_digits_are_normalised():
    spaced = " 420302 19700101 1238 "
    full_width = "４２０３０２１９７００１０１１４９ｘ"

    assert resident_id_check(spaced).number == SHIYAN_1970
    assert resident_id_check(full_width).number == SHIYAN_X


@pytest.mark.parametrize(
    "area",
    [
        "110101",  # Beijing
        "310104",  # Shanghai
        "420000",  # Hubei, province level
        "420302",  # Shiyan 茅箭区, code created in 1984
        "420304",  # Shiyan 郧阳区, code created in 2014
        "420321",  # 郧县, the code 郧阳区 replaced
        "440300",  # Shenzhen
        "540102",  # Lhasa
        "650102",  # Urumqi
        "710000",  # Taiwan
        "810000",  # Hong Kong residence permit
        "820000",  # Macao residence permit
        "830000",  # Taiwan residence permit
    ],
)
def test_ids_from_every_province_pass_whatever_the_birth_year(area):
    # Given IDs of people born long before their area code existed (codes are where the
    # ID was issued, not where the person was born)
    for birth in ("19500315", "19700101", "20200229"):
        number = make_id(area=area, birth=birth)

        # Then they are all accepted
        assert resident_id_check(number).area_code == area


def test_matching_birth_date_and_sex_are_accepted():
    info = resident_id_check(SHIYAN_1970, birth_date=date(1970, 1, 1), sex="M")

    assert info.number == SHIYAN_1970


def test_resident_id_is_valid():
    assert resident_id_is_valid(SHIYAN_1970) is True
    assert resident_id_is_valid(SHIYAN_1970[:17] + "0") is False
    assert resident_id_is_valid("") is False


# --- 15-digit legacy IDs ----------------------------------------------------------------------


def test_15_digit_id_is_upgraded_to_18():
    info = resident_id_check("420302700101123")

    assert info.number == "420302197001011238"
    assert info.upgraded_from == "420302700101123"
    assert info.birth_date == date(1970, 1, 1)
    assert info.sex == "M"


def test_15_digit_id_with_an_impossible_date_is_refused():
    assert refusal_code("420302700230123") == "REG-ID-BIRTHDATE"


def test_upgraded_id_is_checked_against_the_entered_birth_date():
    code = refusal_code("420302700101123", birth_date=date(2070, 1, 1))

    assert code == "REG-ID-BIRTH-MISMATCH"


# --- refusals ---------------------------------------------------------------------------------


def test_corrupted_check_character_is_refused():
    assert refusal_code(SHIYAN_1970[:17] + "X") == "REG-ID-CHECKSUM"
    assert refusal_code(SHIYAN_X[:17] + "0") == "REG-ID-CHECKSUM"


def test_one_digit_changed_is_refused():
    # Given the sequence digit 2 typed as 3
    number = "420302197001011338"

    assert refusal_code(number) == "REG-ID-CHECKSUM"


def test_impossible_birth_date_is_refused():
    with pytest.raises(RuleViolation) as err:
        resident_id_check(make_id(birth="19700230"))

    assert err.value.code == "REG-ID-BIRTHDATE"
    assert err.value.params == {"value": "1970-02-30"}


@pytest.mark.parametrize("birth", ["19701301", "19700001", "19700100", "18991231", "00000101"])
def test_birth_dates_that_cannot_be_are_refused(birth):
    assert refusal_code(make_id(birth=birth)) == "REG-ID-BIRTHDATE"


# Travelling to a UTC instant leaves the process time zone alone, so a naive "today" would
# be the UTC date.
@time_machine.travel(datetime(2025, 6, 15, 4, 0, tzinfo=UTC), tick=False)
def test_future_birth_date_is_refused():
    # Given it is noon on 15 June 2025 in Shanghai
    # Then an ID born on 16 June is refused
    assert refusal_code(make_id(birth="20250616")) == "REG-ID-BIRTHDATE"


@time_machine.travel(datetime(2025, 6, 14, 17, 0, tzinfo=UTC), tick=False)
def test_birth_date_today_in_shanghai_is_accepted():
    # Given it is 01:00 on 15 June in Shanghai, still 14 June in UTC
    # Then an ID born on 15 June is accepted
    assert resident_id_check(make_id(birth="20250615")).birth_date == date(2025, 6, 15)


def test_entered_birth_date_must_agree_with_the_id():
    with pytest.raises(RuleViolation) as err:
        resident_id_check(SHIYAN_1970, birth_date=date(1970, 1, 2))

    assert err.value.code == "REG-ID-BIRTH-MISMATCH"
    assert err.value.params == {"entered": "1970-01-02", "in_id": "1970-01-01"}


def test_entered_sex_must_agree_with_the_id():
    with pytest.raises(RuleViolation) as err:
        resident_id_check(SHIYAN_1970, sex="F")

    assert err.value.code == "REG-ID-SEX-MISMATCH"
    assert err.value.params == {"entered": "F", "in_id": "M"}


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "4203021970010112",  # 16
        "4203021970010112381",  # 19
        "42030219700101123",  # 17
        "42030270010112",  # 14
        "42030270010112X",  # 15 with a letter
        "4203021970010112A8",  # letter inside
        "42030219700101123Y",  # wrong check letter
        "X20302197001011238",
        "420302-19700101-1238",
    ],
)
def test_wrong_length_or_characters_are_refused_as_format(raw):
    assert refusal_code(raw) == "REG-ID-FORMAT"


def test_format_message_tells_the_length_in_both_languages():
    with pytest.raises(RuleViolation) as err:
        resident_id_check("12345")

    assert "5" in err.value.message_zh
    assert "got 5 characters" in err.value.message_en


def test_non_string_input_is_refused_as_format():
    assert refusal_code(420302197001011238) == "REG-ID-FORMAT"  # type: ignore[arg-type]
    assert resident_id_is_valid(None) is False  # type: ignore[arg-type]


id_parts = st.builds(
    make_id,
    area=st.sampled_from(["110101", "420302", "420303", "420381", "650102", "810000"]),
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)).map(
        lambda d: d.strftime("%Y%m%d")
    ),
    sequence=st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}"),
)


@given(number=id_parts, position=st.integers(min_value=0, max_value=17), shift=st.integers(1, 9))
def test_any_valid_id_with_one_digit_altered_is_refused(number, position, shift):
    # Given a valid ID
    assert resident_id_is_valid(number)

    # When one character is replaced by another allowed in its place
    allowed = "0123456789X" if position == 17 else "0123456789"
    new = allowed[(allowed.index(number[position]) + shift) % len(allowed)]
    altered = number[:position] + new + number[position + 1 :]

    # Then the check character no longer matches
    assert refusal_code(altered) == "REG-ID-CHECKSUM"


def test_resident_id_rules_are_registered_with_their_basis():
    codes = [
        "REG-ID-FORMAT",
        "REG-ID-CHECKSUM",
        "REG-ID-BIRTHDATE",
        "REG-ID-BIRTH-MISMATCH",
        "REG-ID-SEX-MISMATCH",
    ]

    assert [RULES[code].basis for code in codes] == ["GB 11643-1999"] * 5


# --- unified social credit code ---------------------------------------------------------------

USCC_BODY = "91420300MA4ABCDEF"  # 17 characters: business, Shiyan, organisation code
VALID_USCC = USCC_BODY + uscc.calc_check_digit(USCC_BODY)


def test_generated_credit_code_is_as_expected():
    assert VALID_USCC == "91420300MA4ABCDEFE"


def test_valid_credit_code_is_returned_normalised():
    assert credit_code_check(VALID_USCC) == VALID_USCC
    assert credit_code_check(" 91420300ma4abcdefe ") == VALID_USCC


def test_stdnum_documented_credit_code_is_accepted():
    assert credit_code_check("91110000600037341L") == "91110000600037341L"


def test_credit_code_with_a_letter_for_registering_authority_is_accepted():
    # N: agriculture authority (rural collective economic organisations)
    body = "N2420302MA4ABCDEF"

    assert credit_code_is_valid(body + uscc.calc_check_digit(body)) is True


def test_credit_code_with_wrong_check_character_is_refused():
    with pytest.raises(RuleViolation) as err:
        credit_code_check(USCC_BODY + "F")

    assert err.value.code == "REG-USCC-CHECKSUM"


def test_credit_code_with_one_character_changed_is_refused():
    altered = "91420300MA4ABCDEGE"

    with pytest.raises(RuleViolation) as err:
        credit_code_check(altered)

    assert err.value.code == "REG-USCC-CHECKSUM"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "91420300MA4ABCDEF",  # 17
        "91420300MA4ABCDEFEE",  # 19
        "91420300MA4ABCDEIE",  # I is not used
        "91420300MA4ABCDEOE",  # O is not used
        "91420300MA4ABCDESE",  # S is not used
        "91420300MA4-BCDEFE",
    ],
)
def test_malformed_credit_code_is_refused_as_format(raw):
    with pytest.raises(RuleViolation) as err:
        credit_code_check(raw)

    assert err.value.code == "REG-USCC-FORMAT"


def test_credit_code_is_valid():
    assert credit_code_is_valid(VALID_USCC) is True
    assert credit_code_is_valid(USCC_BODY + "0") is False
    assert credit_code_is_valid("junk") is False
