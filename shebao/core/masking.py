"""Masking (脱敏) of personal data for lists, log lines and exports.

Each function takes whatever is stored (``None``, empty, malformed) and never raises:
masking is for display, and a display must not fail on a bad legacy record. A value too
short to keep its usual head and tail keeps only its last four characters, and a value of
four characters or fewer is masked entirely, so no input is ever shown in full.
"""

from __future__ import annotations

import re

MASK = "*"
_TAIL = 4

# Chinese mobile numbers, optionally with the country code: +86 138 1234 5678.
_MOBILE = re.compile(r"(?P<country>\+?86)?(?P<number>1\d{10})", re.ASCII)
# Landlines: 010 and 02x are three-digit area codes, every other area code has four digits;
# local numbers have seven or eight digits.
_LANDLINE = re.compile(
    r"(?P<area>0[12]\d|0[3-9]\d{2})(?P<sep>-?)(?P<local>\d{7,8})",
    re.ASCII,
)


def _text(value: object) -> str:
    if value is None:
        return ""
    return "".join(str(value).split())


def _mask_middle(text: str, head: int, tail: int = _TAIL) -> str:
    """Keep ``head`` leading and ``tail`` trailing characters, mask the rest."""
    if len(text) > head + tail:
        return text[:head] + MASK * (len(text) - head - tail) + text[-tail:]
    if len(text) > tail:
        return MASK * (len(text) - tail) + text[-tail:]
    return MASK * len(text)


def mask_resident_id(value: str | None) -> str:
    """Keep the area code (first 6) and the last 4: "420302********123X"."""
    return _mask_middle(_text(value).upper(), head=6)


def mask_phone(value: str | None) -> str:
    """Mobile "13812345678" → "138****5678"; landline "0719-8123456" → "0719-***3456"."""
    text = _text(value)
    mobile = _MOBILE.fullmatch(text.replace("-", ""))
    if mobile is not None:
        number = mobile["number"]
        return (mobile["country"] or "") + number[:3] + MASK * 4 + number[-4:]
    landline = _LANDLINE.fullmatch(text)
    if landline is not None:
        return landline["area"] + landline["sep"] + _mask_middle(landline["local"], head=0)
    return _mask_middle(text, head=0)


def mask_bank_account(value: str | None) -> str:
    """Keep the first 4 and last 4 digits: "6222021234567890123" → "6222***********0123"."""
    return _mask_middle(_text(value), head=4)


def mask_name(value: str | None) -> str:
    """Keep the first character of a 2–3 character name ("张*", "李**"), the first two of a
    longer one ("欧阳**").

    Names of four or more characters are mostly compound surnames (欧阳, 司马) or names
    of ethnic minorities, where two characters still identify the family without the given
    name. A one-character name is masked entirely.
    """
    text = "" if value is None else str(value).strip()
    head = 2 if len(text) >= 4 else 1
    if len(text) <= 1:
        return MASK * len(text)
    return text[:head] + MASK * (len(text) - head)
