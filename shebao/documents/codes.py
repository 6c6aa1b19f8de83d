"""Verification codes (验证码) of issued documents: random, short enough to type at a bank
counter, with a check character that catches a typo before any lookup.

A code is 17 random characters of Crockford's base32 alphabet (85 bits from ``secrets``) and
one check character, shown in three groups of six: ``K7QM3X-H9PW2D-8RTAC5``. The alphabet
has no I, L, O or U, so what a person reads aloud or types is folded back: case, spaces and
hyphens are ignored, full-width characters are narrowed, O reads as 0 and I or L as 1.

The check character is a Damm-style check over the quasigroup x∘y = 2·x + y of GF(32)
(polynomial x⁵ + x² + 1): it detects every single wrong character and every swap of two
neighbours, the two typing errors people make most. With 85 random bits, guessing a code
that exists is hopeless (the province issues far fewer than 2⁴⁰ documents), so the public
page needs no login and no counter of attempts to stay safe.
"""

from __future__ import annotations

import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 17
LENGTH = RANDOM_LENGTH + 1
GROUP = 6
_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}
_CONFUSABLE = {"O": "0", "I": "1", "L": "1"}
_SEPARATORS = frozenset(" -_.\u2010\u2011\u2012\u2013\u2014\u2212\u3000")
# x⁵ + x² + 1, irreducible over GF(2): the field GF(32) the check works in.
_MODULUS = 0b100101


def _times_two(value: int) -> int:
    value <<= 1
    return value ^ _MODULUS if value & 0b100000 else value


def _interim(symbols: str) -> int:
    interim = 0
    for symbol in symbols:
        interim = _times_two(interim) ^ _VALUE[symbol]
    return interim


def check_character(body: str) -> str:
    """The character that brings the check of ``body`` + it to zero."""
    return ALPHABET[_times_two(_interim(body))]


def code_new() -> str:
    """A fresh canonical code (18 characters, no separators)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + check_character(body)


def code_fold(text: str) -> str:
    """What was typed, folded to the alphabet's form: narrowed, upper case, without spaces
    or hyphens, O as 0 and I/L as 1. Characters outside the alphabet stay (and fail)."""
    narrowed = unicodedata.normalize("NFKC", text or "").upper()
    return "".join(_CONFUSABLE.get(c, c) for c in narrowed if c not in _SEPARATORS)


def code_well_formed(folded: str) -> bool:
    return len(folded) == LENGTH and all(c in _VALUE for c in folded)


def code_check_passes(folded: str) -> bool:
    """Whether a well-formed code's check character is right."""
    return code_well_formed(folded) and _interim(folded) == 0


def code_display(code: str) -> str:
    """``K7QM3XH9PW2D8RTAC5`` → ``K7QM3X-H9PW2D-8RTAC5``."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))
