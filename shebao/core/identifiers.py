"""Identifiers: resident ID (公民身份号码) and unified social credit code (统一社会信用代码).

A person is keyed by the 18-character resident ID, an employer by its credit code. Both are
normalised on entry (spaces removed, full-width characters folded, upper case), so the same
person or employer is never stored twice under two spellings. Check characters are computed
by python-stdnum, never by hand.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from shebao.core.errors import RuleViolation, register_rule

Sex = Literal["M", "F"]

_RIC_BASIS = "GB 11643-1999"
_USCC_BASIS = "GB 32100-2015"

register_rule(
    "REG-ID-FORMAT",
    "公民身份号码格式不正确：应为18位（前17位为数字，末位为数字或X）或15位数字，实际为{length}位",
    "Invalid resident ID: expected 18 characters (17 digits and a digit or X) or 15 digits, "
    "got {length} characters",
    _RIC_BASIS,
)
register_rule(
    "REG-ID-CHECKSUM",
    "公民身份号码校验码不正确，请核对号码",
    "The check character of the resident ID is wrong; please check the number",
    _RIC_BASIS,
)
register_rule(
    "REG-ID-BIRTHDATE",
    "公民身份号码中的出生日期{value}不存在或晚于今天",
    "The birth date {value} in the resident ID does not exist or is in the future",
    _RIC_BASIS,
)
register_rule(
    "REG-ID-BIRTH-MISMATCH",
    "录入的出生日期{entered}与公民身份号码中的出生日期{in_id}不一致",
    "The entered birth date {entered} differs from the birth date {in_id} in the resident ID",
    _RIC_BASIS,
)
register_rule(
    "REG-ID-SEX-MISMATCH",
    "录入的性别{entered}与公民身份号码中的性别{in_id}不一致",
    "The entered sex {entered} differs from the sex {in_id} in the resident ID",
    _RIC_BASIS,
)
register_rule(
    "REG-USCC-FORMAT",
    "统一社会信用代码格式不正确：应为18位数字或大写字母（不含I、O、Z、S、V），实际为“{value}”",
    "Invalid unified social credit code: expected 18 digits or capital letters "
    "(not I, O, Z, S, V), got '{value}'",
    _USCC_BASIS,
)
register_rule(
    "REG-USCC-CHECKSUM",
    "统一社会信用代码校验码不正确，请核对代码",
    "The check character of the unified social credit code is wrong; please check the code",
    _USCC_BASIS,
)

_RIC_18 = re.compile(r"\d{17}[\dX]", re.ASCII)
_RIC_15 = re.compile(r"\d{15}", re.ASCII)
_USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}", re.ASCII)
# Nobody born before 1900 is alive to be insured; an earlier year is a typing error.
_EARLIEST_BIRTH = date(1900, 1, 1)
_SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class ResidentIdInfo:
    """A checked resident ID and what it says about its holder."""

    number: str
    birth_date: date
    sex: Sex
    area_code: str
    upgraded_from: str | None = None


def _normalise(raw: str) -> str:
    """Fold full-width characters (from Chinese input methods), drop all spaces, upper-case."""
    return "".join(unicodedata.normalize("NFKC", raw).split()).upper()


def _ric_check_character(body: str) -> str:
    # stdnum's calc_check_digit takes the full number and ignores its last character.
    return ric.calc_check_digit(body + "?")


def resident_id_with_check(body: str) -> str:
    """The 18-character resident ID for a 17-digit body (for generated test and demo IDs)."""
    return body + _ric_check_character(body)


def resident_id_check(
    raw: str, *, birth_date: date | None = None, sex: Sex | None = None
) -> ResidentIdInfo:
    """Check a resident ID and return it upgraded and normalised with the holder's details.

    A 15-digit legacy ID (birth year without "19", no check character) is upgraded to 18
    characters. ``birth_date`` and ``sex``, when a clerk entered them separately, must agree
    with the ID.

    The area code (the first six digits) is deliberately not checked. ``stdnum.cn.ric.validate``
    looks it up in a table of division codes with the years each code existed and refuses an
    ID whose birth year is before the code was created: it refuses a real Shiyan 茅箭区 ID
    420302 of someone born in 1970, because 420302 dates from 1984, yet IDs carry the code of
    where they were issued, not of birth, and most people born before 1984 were issued theirs
    later. It also refuses every residence permit number of Taiwan residents (830000, not in
    its table) and those of Hong Kong and Macao residents (810000, 820000) born before 1997
    and 1999. So the checks here are stdnum's without the area lookup.
    """
    number = _normalise(raw) if isinstance(raw, str) else ""
    upgraded_from: str | None = None
    if _RIC_15.fullmatch(number):
        upgraded_from = number
        body = number[:6] + "19" + number[6:]
        number = body + _ric_check_character(body)
    if not _RIC_18.fullmatch(number):
        raise RuleViolation("REG-ID-FORMAT", length=len(number))
    if number[-1] != _ric_check_character(number[:17]):
        raise RuleViolation("REG-ID-CHECKSUM")

    in_id = _ric_birth_date(number)
    id_sex: Sex = "M" if int(number[16]) % 2 == 1 else "F"
    if birth_date is not None and birth_date != in_id:
        raise RuleViolation(
            "REG-ID-BIRTH-MISMATCH", entered=birth_date.isoformat(), in_id=in_id.isoformat()
        )
    if sex is not None and sex != id_sex:
        raise RuleViolation("REG-ID-SEX-MISMATCH", entered=sex, in_id=id_sex)
    return ResidentIdInfo(
        number=number,
        birth_date=in_id,
        sex=id_sex,
        area_code=number[:6],
        upgraded_from=upgraded_from,
    )


def _ric_birth_date(number: str) -> date:
    written = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    try:
        born = ric.get_birth_date(number)
    except ValidationError:
        raise RuleViolation("REG-ID-BIRTHDATE", value=written) from None
    if not _EARLIEST_BIRTH <= born <= datetime.now(_SHANGHAI).date():
        raise RuleViolation("REG-ID-BIRTHDATE", value=written)
    return born


def resident_id_is_valid(raw: str) -> bool:
    """Whether :func:`resident_id_check` accepts the ID."""
    try:
        resident_id_check(raw)
    except RuleViolation:
        return False
    return True


def credit_code_check(raw: str) -> str:
    """Check a unified social credit code and return it normalised (upper case, no spaces).

    Only the character set and the MOD 31 check character are checked. ``stdnum.cn.uscc``
    also wants the first eight characters to be digits, but GB 32100-2015 allows a letter as
    the first one, the registering authority (A, N, Y), as in the N-prefixed codes of rural
    collective economic organisations.
    """
    code = _normalise(raw) if isinstance(raw, str) else ""
    if not _USCC.fullmatch(code):
        raise RuleViolation("REG-USCC-FORMAT", value=code)
    if code[-1] != uscc.calc_check_digit(code[:17]):
        raise RuleViolation("REG-USCC-CHECKSUM")
    return code


def credit_code_is_valid(raw: str) -> bool:
    """Whether :func:`credit_code_check` accepts the code."""
    try:
        credit_code_check(raw)
    except RuleViolation:
        return False
    return True
