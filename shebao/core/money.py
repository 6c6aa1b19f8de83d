"""Money (金额): stored as integer fen, Decimal yuan only at the edges.

Every amount in the database is an ``int`` of fen (分, 1/100 yuan). Calculators work in
``Decimal`` yuan and round half-up (四舍五入) to the fen with :func:`round_to_fen`, the one
quantize helper in shebao. Floats never carry money: ``0.1 + 0.2`` is not ``0.3``, and
``round(2.675, 2)`` is ``2.67`` because the float is really 2.67499999...
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from shebao.core.errors import RuleViolation, register_rule

register_rule(
    "MONEY-FORMAT",
    "金额格式不正确：{value}（应为以元为单位、最多两位小数的数字，如 3,959.14）",
    "Invalid amount: {value} (expected yuan with at most two decimals, e.g. 3,959.14)",
)

FEN = Decimal("0.01")
# The largest amount a BigIntegerField of fen can hold.
MAX_FEN = 2**63 - 1

# User input: optional minus, optional yuan sign, digits with or without correct thousands
# grouping, up to two decimals, optional trailing 元. Full-width forms are folded by NFKC first.
_YUAN_INPUT = re.compile(
    r"(?P<sign>-)?¥?(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d{1,2}))?元?",
    re.ASCII,
)


def round_to_fen(amount: Decimal) -> Decimal:
    """Round a yuan amount half-up to the fen: 1079.136 → 1079.14, 2.675 → 2.68.

    Half-up is away from zero for negatives (-0.005 → -0.01), as 四舍五入 applies to the
    magnitude. A result of zero is returned without a sign.
    """
    if not isinstance(amount, Decimal):
        raise TypeError(f"round_to_fen takes a Decimal, not {type(amount).__name__}")
    if not amount.is_finite():
        raise ValueError(f"amount is not a finite number: {amount}")
    rounded = amount.quantize(FEN, rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def yuan_to_fen(value: Decimal | str | int) -> int:
    """Convert yuan (Decimal, decimal string or whole yuan) to fen, rounding half-up.

    Raises TypeError for floats (and bools) and ValueError for NaN, infinity or a string that
    is not a plain decimal number. Parse what a person typed with :func:`parse_yuan` instead.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | str | int):
        raise TypeError(f"money must be Decimal, str or int, not {type(value).__name__}")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not a decimal number: {value!r}") from None
    return int(round_to_fen(amount).scaleb(2))


def fen_to_yuan(fen: int) -> Decimal:
    """Convert fen to Decimal yuan with exactly two places: 35984 → Decimal("359.84")."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"fen must be an int, not {type(fen).__name__}")
    return Decimal(fen).scaleb(-2)


def format_yuan(fen: int) -> str:
    """Display fen as yuan with thousands separators: 395914 → "3,959.14", -1250 → "-12.50"."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"fen must be an int, not {type(fen).__name__}")
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def parse_yuan(text: str) -> int:
    """Parse an amount a person typed ("3,959.14", "3959.1", "￥3,959.14", "12元") into fen.

    Refuses anything else, including more than two decimals: a typed amount is never rounded
    silently.
    """
    if not isinstance(text, str):
        raise RuleViolation("MONEY-FORMAT", value=repr(text))
    folded = "".join(unicodedata.normalize("NFKC", text).split())
    match = _YUAN_INPUT.fullmatch(folded)
    if match is None:
        raise RuleViolation("MONEY-FORMAT", value=text)
    whole = int(match["whole"].replace(",", ""))
    cents = int((match["frac"] or "0").ljust(2, "0"))
    fen = whole * 100 + cents
    if fen > MAX_FEN:
        raise RuleViolation("MONEY-FORMAT", value=text)
    return -fen if match["sign"] else fen
