import pytest
from hypothesis import given
from hypothesis import strategies as st

from shebao.core.masking import mask_bank_account, mask_name, mask_phone, mask_resident_id

MASKS = [mask_resident_id, mask_phone, mask_bank_account, mask_name]


@pytest.mark.parametrize("mask", MASKS)
@pytest.mark.parametrize("value", [None, "", "   "])
def test_nothing_masks_to_empty(mask, value):
    assert mask(value) == ""


@given(
    value=st.text(st.characters(exclude_characters="*"), max_size=40),
    mask=st.sampled_from(MASKS),
)
def test_masking_never_raises_and_never_shows_a_value_in_full(value, mask):
    masked = mask(value)

    visible = value.strip()
    if visible:
        assert masked != visible
        assert "*" in masked


# --- resident ID ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42030219700101123X", "420302********123X"),
        ("42030219700101123x", "420302********123X"),
        (" 420302 19700101 123X ", "420302********123X"),
        ("420302700101123", "420302*****1123"),  # 15-digit legacy ID
        ("4203021970", "******1970"),  # too short to keep the area code
        ("1234", "****"),
    ],
)
def test_mask_resident_id(value, expected):
    assert mask_resident_id(value) == expected


def test_mask_resident_id_of_a_number_that_is_not_a_string():
    assert mask_resident_id(420302197001011238) == "420302********1238"  # type: ignore[arg-type]


# --- phone ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("+8613812345678", "+86138****5678"),
        ("0719-8123456", "0719-***3456"),  # Shiyan, 4-digit area code, 7-digit number
        ("071981234567", "0719****4567"),  # without a hyphen, 8-digit number
        ("010-12345678", "010-****5678"),  # Beijing, 3-digit area code
        ("01012345678", "010****5678"),  # not read as area code 0101
        ("027-87654321", "027-****4321"),  # Wuhan
        ("8123456", "***3456"),  # local number without area code
        ("12345", "*2345"),
        ("110", "***"),
    ],
)
def test_mask_phone(value, expected):
    assert mask_phone(value) == expected


# --- bank account -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("6222021234567890123", "6222***********0123"),
        ("6222 0212 3456 7890 123", "6222***********0123"),
        ("62220212", "****0212"),  # short: all but the last 4
        ("123456", "**3456"),
        ("1234", "****"),
    ],
)
def test_mask_bank_account(value, expected):
    assert mask_bank_account(value) == expected


# --- name -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("张三", "张*"),
        ("李小明", "李**"),
        ("欧阳娜娜", "欧阳**"),
        ("司马相如", "司马**"),
        ("买买提·艾力", "买买****"),
        (" 张三 ", "张*"),
        ("张", "*"),
        ("John Smith", "Jo********"),
    ],
)
def test_mask_name(value, expected):
    assert mask_name(value) == expected
