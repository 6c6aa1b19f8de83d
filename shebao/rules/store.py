"""The parameter store in the database: JSON (de)serialisation and the lookup source.

Decimals are stored as strings and dates as ISO strings, so a value reads back exactly as it
was written on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from shebao.core.errors import RuleViolation, register_rule
from shebao.rules.models import ParameterValue, ValueStatus
from shebao.rules.params import ParameterFileError, ParamValue, YamlParameters, _convert

register_rule(
    "PARAM-VALUE-FORMAT",
    "参数值“{text}”不符合单位“{unit}”的格式：{problem}",
    "Value '{text}' does not fit unit '{unit}': {problem}",
)
register_rule(
    "PARAM-STORE-EMPTY",
    "数据库中尚无参数，请先运行 manage.py load_parameters。",
    "The database holds no parameters yet: run manage.py load_parameters first.",
)


def value_to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): value_to_json(v) for k, v in value.items()}
    return value


def value_from_json(unit: str, stored: Any) -> Any:
    if stored is None:
        return None
    if unit in {"rate", "yuan"}:
        return Decimal(stored)
    if unit == "date":
        return date.fromisoformat(stored)
    if unit == "table":
        return {k: v if isinstance(v, int) else Decimal(v) for k, v in stored.items()}
    return stored


def value_from_text(unit: str, text: str) -> Any:
    """A value typed by staff, checked as strictly as the YAML files are."""
    raw: Any = text.strip()
    try:
        if raw.lower() in {"", "null"}:
            raw = None
        elif unit in {"months", "days", "years", "count"}:
            raw = int(raw)
        elif unit == "table":
            raw = json.loads(raw, parse_float=str)
        elif unit == "date":
            raw = date.fromisoformat(raw)
        elif unit == "bool":
            raw = {"true": True, "false": False}[raw.lower()]
        return _convert(Path("input"), "value", unit, raw)
    except (ValueError, KeyError, ParameterFileError) as exc:
        problem = str(exc).split(": ", 2)[-1]
        raise RuleViolation("PARAM-VALUE-FORMAT", text=text, unit=unit, problem=problem) from exc


def row_to_value(row: ParameterValue) -> ParamValue:
    return ParamValue(
        key=row.parameter.key,
        region=row.region,
        effective_from=row.effective_from,
        value=value_from_json(row.parameter.unit, row.value),
        unit=row.parameter.unit,
        reference=row.reference,
        confidence=row.confidence,
        version=row.version or 0,
        note=row.note,
    )


class DatabaseParameters(YamlParameters):
    """The approved values in the database, read in one query when built.

    Build one per request or batch run: a value approved later is seen by the next one.
    """

    def __init__(self) -> None:
        rows = ParameterValue.objects.filter(status=ValueStatus.APPROVED).select_related(
            "parameter"
        )
        values = [row_to_value(row) for row in rows]
        if not values:
            raise RuleViolation("PARAM-STORE-EMPTY")
        super().__init__(values)
