"""The defects a synthetic delivery may hold and its manifest: the rates they are injected at,
the rule code and outcome each must give, and the manifest that names the defective lines."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class DefectRates:
    """The share of its population each defect is injected into (0 turns it off).

    The populations: persons for the person defects, the clean employers for ``uscc_invalid``,
    the relation rows for ``employer_missing``, the contribution rows (before duplication) for
    ``contrib_duplicate``, the persons with an account for ``account_mismatch``, the retirees
    for ``retiree_parts``.
    """

    id15: float = 0.03
    checksum: float = 0.005
    birth: float = 0.01
    duplicate_name: float = 0.005
    same_person: float = 0.005
    uscc_invalid: float = 0.01
    employer_missing: float = 0.005
    overlap_in_file: float = 0.003
    overlap_other_city: float = 0.003
    after_death: float = 0.003
    contrib_duplicate: float = 0.0005
    account_mismatch: float = 0.01
    retiree_parts: float = 0.02

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not 0 <= value <= 1:
                raise ValueError(f"defect rate {item.name} must be between 0 and 1, not {value}")

    @classmethod
    def none(cls) -> DefectRates:
        """No defect at all: a clean delivery."""
        return cls(**{item.name: 0.0 for item in fields(cls)})


ID_15 = "MIG-ID-15"
ID_CHECKSUM = "MIG-ID-CHECKSUM"
ID_BIRTH = "MIG-ID-BIRTH"
PERSON_DUPLICATE = "MIG-PERSON-DUPLICATE"
SAME_PERSON = "MIG-PERSON-SAME-PERSON"
USCC_INVALID = "MIG-USCC-INVALID"
EMPLOYER_MISSING = "MIG-REL-EMPLOYER-MISSING"
REL_OVERLAP = "MIG-REL-OVERLAP"
AFTER_DEATH = "MIG-CONTRIB-AFTER-DEATH"
CONTRIB_DUPLICATE = "MIG-CONTRIB-DUPLICATE"
ACCOUNT_MISMATCH = "MIG-ACCOUNT-MISMATCH"
RETIREE_PARTS = "MIG-RETIREE-PARTS"
PERSON_MISSING = "MIG-REF-PERSON-MISSING"  # the consequence of a rejected person


@dataclass(frozen=True)
class DefectKind:
    rule: str
    outcome: str  # fixed, flagged or rejected
    entity: str  # the file whose rows the rule finds


# Each DefectRates field: the rule that must find it, the outcome it must give, and where.
DEFECT_KINDS: dict[str, DefectKind] = {
    "id15": DefectKind(ID_15, "fixed", "persons"),
    "checksum": DefectKind(ID_CHECKSUM, "rejected", "persons"),
    "birth": DefectKind(ID_BIRTH, "fixed", "persons"),
    "duplicate_name": DefectKind(PERSON_DUPLICATE, "flagged", "persons"),
    "same_person": DefectKind(SAME_PERSON, "flagged", "persons"),
    "uscc_invalid": DefectKind(USCC_INVALID, "rejected", "employers"),
    "employer_missing": DefectKind(EMPLOYER_MISSING, "rejected", "relations"),
    "overlap_in_file": DefectKind(REL_OVERLAP, "flagged", "relations"),
    "overlap_other_city": DefectKind(REL_OVERLAP, "flagged", "relations"),
    "after_death": DefectKind(AFTER_DEATH, "rejected", "contributions"),
    "contrib_duplicate": DefectKind(CONTRIB_DUPLICATE, "rejected", "contributions"),
    "account_mismatch": DefectKind(ACCOUNT_MISMATCH, "flagged", "accounts"),
    "retiree_parts": DefectKind(RETIREE_PARTS, "rejected", "retirees"),
}
CONSEQUENCE_ENTITIES = ("relations", "contributions", "accounts", "retirees")


def defect_count(rate: float, population: int) -> int:
    """How many defects a rate injects into a population."""
    if rate <= 0 or population == 0:
        return 0
    return max(1, round(rate * population))


# --- the manifest -----------------------------------------------------------------------------


@dataclass
class Defect:
    """The rows one rule must find, in file order.

    Each row entry has its ``line`` (header = line 1) and its ``legacy_id`` (employers, persons,
    relations) or ``person_id`` (the other files), and by rule:

    - the second persons record: ``duplicate_of`` / ``same_as``, the first record's legacy_id;
    - relations: ``person_id``; an overlap ``against`` "file" (with ``overlaps``, the relation
      it overlaps) or the other city's code (with ``other_person_id``, the person there);
    - contributions: ``scheme`` and ``period``; accounts: ``year`` and ``difference_fen``
      (written − rebuilt closing); retirees: ``difference_fen`` (parts − monthly pension).
    """

    outcome: str
    entity: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    # Account mismatches only: written closing − rebuilt closing, in fen, per person.
    difference_fen: dict[str, int] | None = None

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def lines(self) -> list[int]:
        return [int(row["line"]) for row in self.rows]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "count": self.count,
            "outcome": self.outcome,
            "entity": self.entity,
            "rows": self.rows,
        }
        if self.difference_fen is not None:
            data["difference_fen"] = self.difference_fen
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Defect:
        defect = cls(
            data["outcome"], data["entity"], list(data["rows"]), data.get("difference_fen")
        )
        if data.get("count", defect.count) != defect.count:
            raise ValueError(f"manifest count {data['count']} differs from its {defect.count} rows")
        return defect


@dataclass
class Manifest:
    """What a generated city directory holds and which rows each rule must find."""

    city: str
    seed: int
    encoding: str
    rows: dict[str, int] = field(default_factory=dict)
    totals: dict[str, dict[str, int]] = field(default_factory=dict)
    defects: dict[str, Defect] = field(default_factory=dict)
    consequences: dict[str, dict[str, int]] = field(default_factory=dict)
    other_city: dict[str, Any] | None = None
    files: dict[str, str] = field(default_factory=dict)

    def count(self, rule: str, *, other_city_migrated: bool = True) -> int:
        """The rows ``rule`` must find. An overlap with the other city is only found when the
        other city was migrated first: pass ``other_city_migrated=False`` when it was not."""
        defect = self.defects.get(rule)
        if defect is None:
            return 0
        if other_city_migrated:
            return defect.count
        return sum(1 for row in defect.rows if row.get("against", "file") == "file")

    def to_dict(self) -> dict[str, Any]:
        return {
            "city": self.city,
            "seed": self.seed,
            "encoding": self.encoding,
            "rows": self.rows,
            "totals": self.totals,
            "defects": {rule: defect.to_dict() for rule, defect in self.defects.items()},
            "consequences": self.consequences,
            "other_city": self.other_city,
            "files": self.files,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        return cls(
            city=data["city"],
            seed=data["seed"],
            encoding=data["encoding"],
            rows=dict(data["rows"]),
            totals={entity: dict(t) for entity, t in data["totals"].items()},
            defects={rule: Defect.from_dict(d) for rule, d in data["defects"].items()},
            consequences={rule: dict(c) for rule, c in data["consequences"].items()},
            other_city=data.get("other_city"),
            files=dict(data.get("files", {})),
        )

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        return cls.from_dict(json.loads(text))

    @classmethod
    def read(cls, path: Path) -> Manifest:
        """Read ``manifest.json``, or the one in a city directory."""
        if path.is_dir():
            path = path / "manifest.json"
        return cls.from_json(path.read_text(encoding="utf-8"))
