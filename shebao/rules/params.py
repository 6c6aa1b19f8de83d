"""Effective-dated parameters (rules as data): values, their YAML files, and lookup.

Each parameter value holds from its effective date until the next value of the same key and
region. Lookup falls back district → city → province → national (``CN``): a city's value
applies from its own effective date; before that, the province's. Pure Python, no ORM: the
database store (``shebao.rules.store``) implements the same :class:`ParameterSource`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol

import yaml

from shebao.core.errors import RuleViolation, register_rule
from shebao.rules.trace import ParamRef

NATIONAL = "CN"
UNITS = {"rate", "yuan", "months", "days", "years", "count", "table", "date", "bool", "text"}
CONFIDENCE = {"verified", "unverified"}
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
REGION_PATTERN = re.compile(r"^(CN|\d{6})$")
_DECIMAL_UNITS = {"rate", "yuan"}
_INTEGER_UNITS = {"months", "days", "years", "count"}

register_rule(
    "PARAM-REGION-UNKNOWN",
    "统筹地区“{region}”未配置参数。",
    "No parameters are configured for region '{region}'.",
    "design.md §5",
)
register_rule(
    "PARAM-UNKNOWN-KEY",
    "参数“{key}”不存在。",
    "Parameter '{key}' does not exist.",
)
register_rule(
    "PARAM-NO-VALUE",
    "参数“{key}”在{on}（统筹地区{region}）尚无生效值。",
    "Parameter '{key}' has no value in force on {on} for region {region}.",
)
register_rule(
    "PARAM-VALUE-UNPUBLISHED",
    "参数“{key}”在{on}（统筹地区{region}）的取值尚未公布，请管理员录入。",
    "The value of parameter '{key}' on {on} for region {region} is not published yet; "
    "an administrator must enter it.",
)


class ParameterFileError(ValueError):
    """A parameter file is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class ParamValue:
    """One effective-dated value of a parameter in one region."""

    key: str
    region: str
    effective_from: date
    value: Any
    unit: str
    reference: str
    confidence: str
    version: int
    note: str = ""

    @property
    def ref(self) -> ParamRef:
        return ParamRef(self.key, self.region, self.version, self.effective_from, self.value)

    def decimal(self) -> Decimal:
        if not isinstance(self.value, Decimal):
            raise TypeError(f"{self.key} is not a decimal parameter")
        return self.value

    def integer(self) -> int:
        if not isinstance(self.value, int) or isinstance(self.value, bool):
            raise TypeError(f"{self.key} is not an integer parameter")
        return self.value

    def table(self) -> Mapping[str, Any]:
        if not isinstance(self.value, dict):
            raise TypeError(f"{self.key} is not a table parameter")
        return self.value


@dataclass(frozen=True)
class ParameterDefinition:
    key: str
    unit: str
    description: str
    description_zh: str


class ParameterSource(Protocol):
    """Anything calculators can ask for a parameter value (YAML in memory, or the database)."""

    def lookup(self, key: str, region: str, on: date) -> ParamValue: ...

    def known_regions(self) -> set[str]: ...


def region_chain(region: str) -> list[str]:
    """``420302`` → ``["420302", "420300", "420000", "CN"]``."""
    if region == NATIONAL:
        return [NATIONAL]
    if not re.fullmatch(r"\d{6}", region):
        raise RuleViolation("PARAM-REGION-UNKNOWN", region=region)
    chain = [region, region[:4] + "00", region[:2] + "0000", NATIONAL]
    return list(dict.fromkeys(chain))


def check_region(region: str, known: set[str]) -> list[str]:
    """The fallback chain of a region whose city (or province, for province units) is configured.

    A city without parameters of its own is refused rather than silently given the province's
    values: floors, caps and benefit bases differ by city tier.
    """
    chain = region_chain(region)
    if region == NATIONAL or region in known:
        return chain
    city = region[:4] + "00"
    if city != region[:2] + "0000" and city in known:
        return chain
    raise RuleViolation("PARAM-REGION-UNKNOWN", region=region)


def pick_value(
    values: Mapping[tuple[str, str], list[ParamValue]],
    key: str,
    region: str,
    on: date,
    known: set[str],
) -> ParamValue:
    """The value in force on ``on``: the nearest region in the chain that has one wins."""
    chain = check_region(region, known)
    key_exists = False
    for candidate in chain:
        history = values.get((key, candidate))
        if not history:
            continue
        key_exists = True
        in_force = [v for v in history if v.effective_from <= on]
        if in_force:
            chosen = in_force[-1]
            if chosen.value is None:
                raise RuleViolation("PARAM-VALUE-UNPUBLISHED", key=key, on=on, region=region)
            return chosen
    if not key_exists and not any(k == key for k, _ in values):
        raise RuleViolation("PARAM-UNKNOWN-KEY", key=key)
    raise RuleViolation("PARAM-NO-VALUE", key=key, on=on.isoformat(), region=region)


# --- YAML files -------------------------------------------------------------------------------


def _fail(path: Path, key: str, message: str) -> ParameterFileError:
    return ParameterFileError(f"{path}: {key}: {message}")


def _convert(path: Path, key: str, unit: str, raw: Any) -> Any:
    if raw is None:
        return None  # published value unknown: a placeholder an administrator replaces
    if isinstance(raw, float):
        raise _fail(
            path, key, f"write {raw!r} as a quoted string: money and rates are never floats"
        )
    if unit in _DECIMAL_UNITS:
        value = _decimal(path, key, raw)
        exponent = value.as_tuple().exponent
        if unit == "yuan" and isinstance(exponent, int) and exponent < -2:
            raise _fail(path, key, f"{raw!r}: money has at most two decimals (fen)")
        return value
    if unit in _INTEGER_UNITS:
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise _fail(path, key, f"expected a whole number of {unit}, got {raw!r}")
        return raw
    if unit == "table":
        if not isinstance(raw, dict) or not raw:
            raise _fail(path, key, "expected a non-empty mapping")
        return {
            str(k): (
                v if isinstance(v, int) and not isinstance(v, bool) else _decimal(path, key, v)
            )
            for k, v in raw.items()
        }
    if unit == "date":
        if not isinstance(raw, date):
            raise _fail(path, key, f"expected a date YYYY-MM-DD, got {raw!r}")
        return raw
    if unit == "bool":
        if not isinstance(raw, bool):
            raise _fail(path, key, f"expected true or false, got {raw!r}")
        return raw
    if not isinstance(raw, str):
        raise _fail(path, key, f"expected text, got {raw!r}")
    return raw


def _decimal(path: Path, key: str, raw: Any) -> Decimal:
    if isinstance(raw, float):
        raise _fail(path, key, f"write {raw!r} as a quoted string: never a float")
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        raise _fail(path, key, f"expected a decimal string, got {raw!r}")
    try:
        value = Decimal(str(raw))
    except InvalidOperation as exc:
        raise _fail(path, key, f"{raw!r} is not a decimal number") from exc
    if not value.is_finite():
        raise _fail(path, key, f"{raw!r} is not a finite number")
    return value


def _region_of(path: Path, root: Path) -> str:
    folder = path.relative_to(root).parts[0]
    return NATIONAL if folder == "national" else folder


def load_parameter_file(
    path: Path, region: str
) -> tuple[list[ParameterDefinition], list[ParamValue]]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _fail(path, "-", f"not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or set(document) - {"region", "parameters"}:
        raise _fail(path, "-", "expected top-level keys 'region' and 'parameters'")
    if str(document.get("region")) != region:
        raise _fail(path, "region", f"says {document.get('region')!r}, folder says {region!r}")
    definitions: list[ParameterDefinition] = []
    values: list[ParamValue] = []
    for key, spec in (document.get("parameters") or {}).items():
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            raise _fail(path, str(key), "keys are dotted lower-case names like 'pension.rate'")
        if not isinstance(spec, dict):
            raise _fail(path, key, "expected a mapping with unit, description and values")
        unknown = set(spec) - {"unit", "description", "description_zh", "values"}
        if unknown:
            raise _fail(path, key, f"unknown fields {sorted(unknown)}")
        unit = spec.get("unit")
        if unit not in UNITS:
            raise _fail(path, key, f"unit {unit!r} is not one of {sorted(UNITS)}")
        if not spec.get("description") or not spec.get("description_zh"):
            raise _fail(path, key, "description and description_zh are required")
        definitions.append(
            ParameterDefinition(key, unit, spec["description"], spec["description_zh"])
        )
        values.extend(_load_values(path, key, region, unit, spec.get("values")))
    return definitions, values


def _load_values(
    path: Path,
    key: str,
    region: str,
    unit: str,
    raw_values: Any,
) -> list[ParamValue]:
    if not isinstance(raw_values, list) or not raw_values:
        raise _fail(path, key, "expected a non-empty list of values")
    loaded: list[ParamValue] = []
    for number, item in enumerate(raw_values, start=1):
        where = f"{key} value {number}"
        if not isinstance(item, dict):
            raise _fail(path, where, "expected a mapping with from, value, reference, confidence")
        unknown = set(item) - {"from", "value", "reference", "confidence", "note"}
        if unknown:
            raise _fail(path, where, f"unknown fields {sorted(unknown)}")
        effective = item.get("from")
        if not isinstance(effective, date):
            raise _fail(path, where, f"'from' must be a date YYYY-MM-DD, got {effective!r}")
        if "value" not in item:
            raise _fail(path, where, "'value' is missing (write null for an unpublished value)")
        if not item.get("reference"):
            raise _fail(path, where, "'reference' (the legal source) is required")
        if item.get("confidence") not in CONFIDENCE:
            raise _fail(path, where, f"'confidence' must be one of {sorted(CONFIDENCE)}")
        if item["value"] is None and item["confidence"] != "unverified":
            raise _fail(path, where, "an unpublished (null) value must be 'unverified'")
        if loaded and effective <= loaded[-1].effective_from:
            raise _fail(
                path,
                where,
                f"effective dates must rise: {effective} after {loaded[-1].effective_from}",
            )
        loaded.append(
            ParamValue(
                key=key,
                region=region,
                effective_from=effective,
                value=_convert(path, where, unit, item["value"]),
                unit=unit,
                reference=str(item["reference"]),
                confidence=item["confidence"],
                version=number,
                note=str(item.get("note") or ""),
            )
        )
    return loaded


def load_parameter_tree(
    root: Path,
) -> tuple[dict[str, ParameterDefinition], list[ParamValue]]:
    """Every ``*.yaml`` under ``root/<national|division code>/``, validated as a whole."""
    definitions: dict[str, ParameterDefinition] = {}
    values: list[ParamValue] = []
    owner: dict[tuple[str, str], Path] = {}
    for path in sorted(root.glob("*/*.yaml")):
        region = _region_of(path, root)
        if not REGION_PATTERN.match(region):
            raise _fail(path, "-", f"folder {region!r} is neither 'national' nor a division code")
        file_definitions, file_values = load_parameter_file(path, region)
        for definition in file_definitions:
            earlier = definitions.get(definition.key)
            if earlier is not None and earlier.unit != definition.unit:
                raise _fail(
                    path, definition.key, f"unit {definition.unit} differs from {earlier.unit}"
                )
            if (definition.key, region) in owner:
                raise _fail(
                    path,
                    definition.key,
                    f"also defined for {region} in {owner[(definition.key, region)]}",
                )
            owner[(definition.key, region)] = path
            definitions.setdefault(definition.key, definition)
        values.extend(file_values)
    return definitions, values


class YamlParameters:
    """A :class:`ParameterSource` over values held in memory (the YAML files, or a test's)."""

    def __init__(self, values: Iterable[ParamValue]) -> None:
        self._values: dict[tuple[str, str], list[ParamValue]] = {}
        for value in values:
            self._values.setdefault((value.key, value.region), []).append(value)
        for history in self._values.values():
            history.sort(key=lambda v: v.effective_from)
        self._regions = {region for _key, region in self._values}

    @classmethod
    def from_directory(cls, root: Path) -> YamlParameters:
        _definitions, values = load_parameter_tree(root)
        return cls(values)

    def lookup(self, key: str, region: str, on: date) -> ParamValue:
        return pick_value(self._values, key, region, on, self._regions)

    def known_regions(self) -> set[str]:
        return set(self._regions)


def default_parameter_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "parameters"
