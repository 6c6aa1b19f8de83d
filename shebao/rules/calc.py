"""The calculator registry behind ``manage.py calc`` and ``POST /api/v1/calc/{name}``.

An adapter turns a JSON object into calculator inputs (refusing bad input with a rule code),
looks up the parameters it needs, runs the pure calculator and returns a JSON object: the
outputs, then ``trace`` (the steps) and ``parameters`` (keys, values and versions used).
JSON conventions: money is a string with two decimals; ages are ``{"years": Y, "months": M}``;
months are ``"YYYY-MM"``; dates ``"YYYY-MM-DD"``.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from shebao.core.errors import RuleViolation, register_rule
from shebao.core.money import round_to_fen
from shebao.rules.params import ParameterSource, check_region

register_rule(
    "CALC-UNKNOWN",
    "计算器“{name}”不存在。",
    "There is no calculator named '{name}'.",
)
register_rule(
    "CALC-INPUT-MISSING",
    "缺少输入字段“{field}”。",
    "Input field '{field}' is missing.",
)
register_rule(
    "CALC-INPUT-INVALID",
    "输入字段“{field}”无效：应为{expected}。",
    "Input field '{field}' is invalid: expected {expected}.",
)
register_rule(
    "CALC-INPUT-JSON",
    "输入不是有效的 JSON：{problem}",
    "The input is not valid JSON: {problem}",
)
register_rule(
    "CALC-INPUT-NOT-OBJECT",
    "输入必须是一个 JSON 对象。",
    "The input must be one JSON object.",
)

Payload = dict[str, Any]
Adapter = Callable[[Payload, ParameterSource], Payload]


@dataclass(frozen=True)
class CalcSpec:
    name: str
    summary: str
    adapter: Adapter


CALCULATORS: dict[str, CalcSpec] = {}


def register_calc(name: str, summary: str) -> Callable[[Adapter], Adapter]:
    def decorate(adapter: Adapter) -> Adapter:
        if name in CALCULATORS:
            raise ValueError(f"calculator {name} registered twice")
        CALCULATORS[name] = CalcSpec(name, summary, adapter)
        return adapter

    return decorate


def load_calculators() -> dict[str, CalcSpec]:
    """Import every adapter module (each registers its calculators)."""
    from shebao.rules import adapters

    for module in pkgutil.iter_modules(adapters.__path__):
        importlib.import_module(f"{adapters.__name__}.{module.name}")
    return CALCULATORS


def run_calc(name: str, payload: object, source: ParameterSource) -> Payload:
    calculators = load_calculators()
    if name not in calculators:
        raise RuleViolation("CALC-UNKNOWN", name=name)
    if not isinstance(payload, dict):
        raise RuleViolation("CALC-INPUT-NOT-OBJECT")
    return calculators[name].adapter(payload, source)


# --- reading input fields ---------------------------------------------------------------------


def _require(payload: Payload, field: str) -> Any:
    if field not in payload or payload[field] is None:
        raise RuleViolation("CALC-INPUT-MISSING", field=field)
    return payload[field]


def invalid(field: str, expected: str) -> RuleViolation:
    return RuleViolation("CALC-INPUT-INVALID", field=field, expected=expected)


def read_decimal(payload: Payload, field: str, *, minimum: Decimal | None = Decimal(0)) -> Decimal:
    """A money amount or other decimal: a string like "3000.00" (a JSON number is accepted)."""
    raw = _require(payload, field)
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise invalid(field, 'a decimal number as a string, e.g. "3000.00"')
    try:
        value = Decimal(str(raw).replace(",", ""))
    except InvalidOperation as exc:
        raise invalid(field, 'a decimal number as a string, e.g. "3000.00"') from exc
    if not value.is_finite():
        raise invalid(field, "a finite number")
    if minimum is not None and value < minimum:
        raise invalid(field, f"a number not below {minimum}")
    return value


def read_money(payload: Payload, field: str) -> Decimal:
    """A non-negative amount in yuan, in whole fen: an amount with a fraction of a fen is
    refused rather than rounded silently (balances and wages are kept in fen)."""
    amount = read_decimal(payload, field)
    if amount != round_to_fen(amount):
        raise invalid(field, 'an amount in yuan with at most two decimals, e.g. "3000.00"')
    return round_to_fen(amount)


def read_item(items: list[Payload], index: int, list_field: str, field: str) -> Payload:
    """One field of a list item, keyed by its full name ("credits[2].amount") so that an error
    names the item."""
    return {f"{list_field}[{index}].{field}": items[index].get(field)}


def read_int(
    payload: Payload, field: str, *, minimum: int | None = 0, maximum: int | None = None
) -> int:
    raw = _require(payload, field)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise invalid(field, "a whole number")
    if (minimum is not None and raw < minimum) or (maximum is not None and raw > maximum):
        raise invalid(field, f"a whole number from {minimum} to {maximum}")
    return raw


def read_bool(payload: Payload, field: str, *, default: bool | None = None) -> bool:
    if default is not None and field not in payload:
        return default
    raw = _require(payload, field)
    if not isinstance(raw, bool):
        raise invalid(field, "true or false")
    return raw


def read_choice(payload: Payload, field: str, choices: Iterable[str]) -> str:
    allowed = list(choices)
    raw = _require(payload, field)
    if raw not in allowed:
        raise invalid(field, "one of " + ", ".join(allowed))
    return str(raw)


def read_month(payload: Payload, field: str) -> int:
    """A month ``"YYYY-MM"`` as a ``YYYYMM`` period."""
    raw = _require(payload, field)
    match = re.fullmatch(r"(\d{4})-(\d{2})", raw) if isinstance(raw, str) else None
    if match is None or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 2200:
        raise invalid(field, 'a month "YYYY-MM"')
    return int(match[1]) * 100 + int(match[2])


def read_date(payload: Payload, field: str) -> date:
    raw = _require(payload, field)
    try:
        if not isinstance(raw, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise invalid(field, 'a date "YYYY-MM-DD"') from exc


def read_list(payload: Payload, field: str) -> list[Payload]:
    raw = _require(payload, field)
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise invalid(field, "a list of objects")
    return raw


def read_region(payload: Payload, source: ParameterSource, field: str = "region") -> str:
    raw = _require(payload, field)
    if not isinstance(raw, str):
        raise invalid(field, 'a division code such as "420300"')
    check_region(raw, source.known_regions())
    return raw


# --- writing output fields --------------------------------------------------------------------


def money(amount: Decimal) -> str:
    """Two decimals, rounded half-up to the fen."""
    return format(round_to_fen(amount), "f")


def age(total_months: int) -> dict[str, int]:
    return {"years": total_months // 12, "months": total_months % 12}


def month(period: int) -> str:
    return f"{period // 100:04d}-{period % 100:02d}"
