"""The service catalogue (经办服务事项目录) as data: load and validate ``data/catalogue.yaml``.

Pure Python, no ORM: the database loader (``shebao.services.catalogue``) builds on the frozen
:class:`ServiceItemSpec` values returned here. Validation is strict because the file is the
published catalogue: a typo in a channel or a missing counter channel would silently hide an
item from a window, so every problem fails loudly with the item code and the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_CATALOGUE_PATH = Path(__file__).resolve().parent / "data" / "catalogue.yaml"

SCHEMES = ("pension", "unemployment", "work_injury", "general")
CHANNELS = ("counter", "web", "kiosk", "api")
APPLICANT_KINDS = ("person", "employer", "either")
# N national template name seen verbatim; L official local name; N? national name not seen
# verbatim; I named by us (catalogue.md).
PROVENANCES = ("N", "L", "N?", "I")
# The two letters after "SB" in a code name the category, so a code says what it is.
CATEGORY_PREFIXES: Mapping[str, str] = {
    "registration": "RG",
    "collection": "CL",
    "account": "AC",
    "benefit": "BN",
    "benefit_change": "BC",
    "transfer": "TR",
    "certificate": "CT",
    "qualification": "QL",
}
CATEGORIES = tuple(CATEGORY_PREFIXES)

CODE_PATTERN = re.compile(r"^SB[A-Z]{2}\d{3}$")
# Fields of both the YAML item and ServiceItemSpec, in file order.
REQUIRED_FIELDS = (
    "code",
    "source_number",
    "name",
    "name_en",
    "scheme",
    "category",
    "channels",
    "fully_online",
    "automatic",
    "applicant_kind",
    "materials",
    "time_limit_days",
    "review_required",
    "provenance",
    "legal_basis",
)
OPTIONAL_FIELDS = ("time_limit_calendar_days", "note")
MATERIAL_FIELDS = ("name", "name_en")


class CatalogueFileError(ValueError):
    """The catalogue file is malformed; the message names the file, the item code and the field."""

    def __init__(self, path: Path, code: str, field: str, message: str) -> None:
        self.path = path
        self.code = code
        self.field = field
        super().__init__(f"{path}: {code}: {field}: {message}")


@dataclass(frozen=True)
class Material:
    """A document the applicant brings or uploads (申请材料)."""

    name: str
    name_en: str


@dataclass(frozen=True)
class ServiceItemSpec:
    """One service item (事项) as published in the catalogue file."""

    code: str
    name: str
    name_en: str
    scheme: str
    category: str
    channels: tuple[str, ...]
    fully_online: bool
    automatic: bool
    applicant_kind: str
    materials: tuple[Material, ...]
    time_limit_days: int | None
    review_required: bool
    provenance: str
    legal_basis: str
    source_number: int | None
    time_limit_calendar_days: int | None = None
    note: str = ""

    @property
    def immediate(self) -> bool:
        """Done on the spot (即时办结)."""
        return self.time_limit_days == 0

    def allows(self, channel: str) -> bool:
        return channel in self.channels


def load_catalogue(path: Path | str = DEFAULT_CATALOGUE_PATH) -> list[ServiceItemSpec]:
    """Every item of the catalogue file, in file order, validated."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError for bad dates
        raise CatalogueFileError(path, "-", "-", f"not valid YAML: {exc}") from exc
    if not isinstance(raw, list) or not raw:
        raise CatalogueFileError(path, "-", "-", "expected a non-empty list of items")
    specs: list[ServiceItemSpec] = []
    seen_codes: set[str] = set()
    seen_names: dict[str, str] = {}
    seen_sources: dict[int, str] = {}
    for index, entry in enumerate(raw, start=1):
        spec = _item(path, index, entry)
        if spec.code in seen_codes:
            raise CatalogueFileError(path, spec.code, "code", "duplicate code")
        seen_codes.add(spec.code)
        if spec.name in seen_names:
            raise CatalogueFileError(
                path, spec.code, "name", f"same name as {seen_names[spec.name]}"
            )
        seen_names[spec.name] = spec.code
        if spec.source_number is not None:
            if spec.source_number in seen_sources:
                other = seen_sources[spec.source_number]
                raise CatalogueFileError(
                    path, spec.code, "source_number", f"same source number as {other}"
                )
            seen_sources[spec.source_number] = spec.code
        specs.append(spec)
    return specs


# --- one item ---------------------------------------------------------------------------------


def _item(path: Path, index: int, entry: Any) -> ServiceItemSpec:
    if not isinstance(entry, dict):
        raise CatalogueFileError(path, f"item #{index}", "-", "expected a mapping")
    raw_code = entry.get("code")
    code = raw_code if isinstance(raw_code, str) and raw_code else f"item #{index}"

    def fail(field: str, message: str) -> CatalogueFileError:
        return CatalogueFileError(path, code, field, message)

    unknown = sorted(str(k) for k in entry if k not in REQUIRED_FIELDS + OPTIONAL_FIELDS)
    if unknown:
        raise fail(unknown[0], "unknown field")
    for field in REQUIRED_FIELDS:
        if field not in entry:
            raise fail(field, "missing")

    if not isinstance(raw_code, str) or not CODE_PATTERN.fullmatch(raw_code):
        raise fail("code", f"{raw_code!r} is not of the form SB + two letters + three digits")
    category = _choice(fail, entry, "category", CATEGORIES)
    prefix = CATEGORY_PREFIXES[category]
    if code[2:4] != prefix:
        raise fail("code", f"a {category} item's code starts with SB{prefix}")

    channels = _channels(fail, entry["channels"])
    fully_online = _bool(fail, entry, "fully_online")
    automatic = _bool(fail, entry, "automatic")
    materials = _materials(fail, entry["materials"])
    _check_channel_rules(fail, channels, fully_online, automatic, materials)

    time_limit_days = _limit(fail, entry, "time_limit_days", minimum=0)
    calendar_days = _limit(fail, entry, "time_limit_calendar_days", minimum=1)
    if time_limit_days is not None and calendar_days is not None:
        raise fail("time_limit_calendar_days", "give working days or calendar days, not both")

    source_number = entry["source_number"]
    provenance = _choice(fail, entry, "provenance", PROVENANCES)
    if source_number is None:
        if provenance != "I":
            raise fail("provenance", "an item added by us (no source number) has provenance I")
    elif not isinstance(source_number, int) or isinstance(source_number, bool):
        raise fail("source_number", f"expected a whole number or null, got {source_number!r}")
    elif source_number < 1:
        raise fail("source_number", "must be positive")

    return ServiceItemSpec(
        code=code,
        name=_text(fail, entry, "name"),
        name_en=_text(fail, entry, "name_en"),
        scheme=_choice(fail, entry, "scheme", SCHEMES),
        category=category,
        channels=channels,
        fully_online=fully_online,
        automatic=automatic,
        applicant_kind=_choice(fail, entry, "applicant_kind", APPLICANT_KINDS),
        materials=materials,
        time_limit_days=time_limit_days,
        time_limit_calendar_days=calendar_days,
        review_required=_bool(fail, entry, "review_required"),
        provenance=provenance,
        legal_basis=_text(fail, entry, "legal_basis", allow_empty=True),
        source_number=source_number,
        note=_text(fail, entry, "note", allow_empty=True) if "note" in entry else "",
    )


def _check_channel_rules(
    fail: Any,
    channels: tuple[str, ...],
    fully_online: bool,
    automatic: bool,
    materials: tuple[Material, ...],
) -> None:
    # One-window service: any counter accepts any item, so every item has the counter.
    if "counter" not in channels:
        raise fail("channels", "every item is offered at the counter")
    if fully_online and not {"web", "api"} <= set(channels):
        raise fail("channels", "a fully online item is offered on the web and through the API")
    # An automatic item (免申即享) has no application at all: nothing can be submitted online
    # and nothing is brought; the counter only answers questions and objections.
    if automatic:
        if fully_online:
            raise fail("fully_online", "an automatic item has no application to do online")
        if channels != ("counter",):
            raise fail("channels", "an automatic item is offered at the counter only")
        if materials:
            raise fail("materials", "an automatic item needs no materials")


def _text(fail: Any, entry: dict[str, Any], field: str, *, allow_empty: bool = False) -> str:
    value = entry[field]
    if value is None and allow_empty:
        return ""
    if not isinstance(value, str):
        raise fail(field, f"expected text, got {value!r}")
    value = value.strip()
    if not value and not allow_empty:
        raise fail(field, "must not be empty")
    return value


def _bool(fail: Any, entry: dict[str, Any], field: str) -> bool:
    value = entry[field]
    if not isinstance(value, bool):
        raise fail(field, f"expected true or false, got {value!r}")
    return value


def _choice(fail: Any, entry: dict[str, Any], field: str, allowed: tuple[str, ...]) -> str:
    value = entry[field]
    if value not in allowed:
        raise fail(field, f"{value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _limit(fail: Any, entry: dict[str, Any], field: str, *, minimum: int) -> int | None:
    value = entry.get(field)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise fail(field, f"expected a whole number of days or null, got {value!r}")
    if value < minimum:
        raise fail(field, f"must be at least {minimum}, got {value}")
    return value


def _channels(fail: Any, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise fail("channels", "expected a non-empty list")
    for channel in value:
        if channel not in CHANNELS:
            raise fail("channels", f"{channel!r} is not one of {', '.join(CHANNELS)}")
    if len(set(value)) != len(value):
        raise fail("channels", "a channel is listed twice")
    # Canonical order, so the same set of channels always compares equal.
    return tuple(channel for channel in CHANNELS if channel in value)


def _materials(fail: Any, value: Any) -> tuple[Material, ...]:
    if not isinstance(value, list):
        raise fail("materials", "expected a list (empty when nothing is needed)")
    materials: list[Material] = []
    for position, raw in enumerate(value, start=1):
        if not isinstance(raw, dict) or set(raw) != set(MATERIAL_FIELDS):
            raise fail("materials", f"entry {position}: expected exactly name and name_en")
        name, name_en = raw["name"], raw["name_en"]
        if not isinstance(name, str) or not name.strip():
            raise fail("materials", f"entry {position}: name must be non-empty text")
        if not isinstance(name_en, str) or not name_en.strip():
            raise fail("materials", f"entry {position}: name_en must be non-empty text")
        material = Material(name.strip(), name_en.strip())
        if material.name in {m.name for m in materials}:
            raise fail("materials", f"{material.name} is listed twice")
        materials.append(material)
    return tuple(materials)
