"""Verification codes: 85 random bits, typed any way, every single typo and swap caught."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shebao.documents.codes import (
    ALPHABET,
    LENGTH,
    check_character,
    code_check_passes,
    code_display,
    code_fold,
    code_new,
    code_well_formed,
)

bodies = st.text(alphabet=ALPHABET, min_size=LENGTH - 1, max_size=LENGTH - 1)


def test_a_new_code_is_eighteen_characters_that_pass_their_check():
    codes = {code_new() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == LENGTH and code_check_passes(code) for code in codes)
    assert not set("ILOU") & set("".join(codes))


def test_display_in_three_groups_and_folding_back():
    code = code_new()
    shown = code_display(code)
    assert [len(group) for group in shown.split("-")] == [6, 6, 6]
    assert code_fold(shown) == code
    assert code_fold(f"  {shown.lower()} ") == code
    assert code_fold(shown.replace("-", " ")) == code


def test_confusable_and_full_width_characters_fold_to_the_alphabet():
    body = "1010101010101010" + "0"
    code = body + check_character(body)
    typed = code.replace("1", "l", 3).replace("0", "O", 2)
    assert code_fold(typed) == code
    assert code_fold("ＫＩ－Ｏ") == "K10"


@given(bodies, st.integers(0, LENGTH - 1), st.sampled_from(ALPHABET))
def test_every_single_wrong_character_is_caught(body, position, symbol):
    code = body + check_character(body)
    if code[position] == symbol:
        return
    typo = code[:position] + symbol + code[position + 1 :]
    assert not code_check_passes(typo)


@given(bodies, st.integers(0, LENGTH - 2))
def test_every_swap_of_two_neighbours_is_caught(body, position):
    code = body + check_character(body)
    if code[position] == code[position + 1]:
        return
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert not code_check_passes(swapped)


def test_malformed_input_is_not_a_code():
    assert not code_well_formed(code_fold("hello"))
    assert not code_well_formed(code_fold(code_new() + "0"))
    assert not code_well_formed(code_fold("U" * LENGTH))
    assert not code_check_passes(code_fold("<script>"))
