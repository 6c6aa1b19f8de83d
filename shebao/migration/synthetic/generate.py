"""The entry point: :func:`generate_city` plans the register, injects the defects and writes
the city's files, and the neighbour city's beside them."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from shebao.migration.synthetic.defects import _Injector
from shebao.migration.synthetic.manifest import (
    ACCOUNT_MISMATCH,
    CONSEQUENCE_ENTITIES,
    DEFECT_KINDS,
    PERSON_MISSING,
    Defect,
    DefectRates,
    Manifest,
)
from shebao.migration.synthetic.register import (
    PERSONS_PER_EMPLOYER,
    RETIREE_SHARE,
    CityProfile,
    _City,
    _Employer,
    _Person,
    _Register,
    city_profile,
)
from shebao.migration.synthetic.writing import ENCODINGS, ENTITIES, NEIGHBOUR_ENTITIES, _write


def _new_manifest(
    city: str, seed: int, encoding: str, other_city: dict[str, Any] | None
) -> Manifest:
    manifest = Manifest(city=city, seed=seed, encoding=encoding, other_city=other_city)
    for kind in DEFECT_KINDS.values():
        manifest.defects.setdefault(kind.rule, Defect(kind.outcome, kind.entity))
    manifest.defects[ACCOUNT_MISMATCH].difference_fen = {}
    manifest.consequences[PERSON_MISSING] = dict.fromkeys(CONSEQUENCE_ENTITIES, 0)
    return manifest


def _check_arguments(
    city: str, persons: int, encoding: str, other_city: str | None, excel: frozenset[str]
) -> None:
    for code in (city, other_city):
        if code is not None and not (len(code) == 6 and code.isdigit()):
            raise ValueError(f"a city is a six-digit division code, not {code!r}")
    if other_city == city:
        raise ValueError("the other city must differ from the city")
    if persons < 1:
        raise ValueError("at least one person is needed")
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}, not {encoding!r}")
    unknown = sorted(excel - set(ENTITIES))
    if unknown:
        raise ValueError(f"unknown entities for Excel: {', '.join(unknown)}")


def generate_city(
    directory: Path,
    *,
    city: str = "420300",
    persons: int,
    seed: int = 1,
    rates: DefectRates = DefectRates(),  # noqa: B008 - a frozen dataclass, immutable
    encoding: str = "utf-8",
    other_city: str | None = "420100",
    excel: frozenset[str] = frozenset(),
) -> Manifest:
    """Write ``directory/<city>/`` (the six files and ``manifest.json``) and, with
    ``other_city``, ``directory/<other_city>/`` (employers, persons, relations and its own
    manifest); return the city's manifest. The same arguments give the same bytes."""
    _check_arguments(city, persons, encoding, other_city, excel)
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    profile = city_profile(city)
    register = _Register(rng, profile)
    employers = register.employers(max(3, round(persons / PERSONS_PER_EMPLOYER)))
    plan = _City(profile, employers, _people(rng, register, employers, persons))
    injector = _Injector(rng, plan, register, rates, other_city)
    injector.inject()

    neighbour_info = None
    if other_city is not None:
        neighbour_info = {"city": other_city, "persons": len(injector.neighbours)}
    manifest = _new_manifest(city, seed, encoding, neighbour_info)
    _write(directory / city, plan, manifest, encoding=encoding, excel=excel, entities=ENTITIES)
    if other_city is not None:
        _write_neighbour(
            directory / other_city,
            rng,
            city_profile(other_city),
            injector.neighbours,
            city=city,
            seed=seed,
            encoding=encoding,
            excel=excel,
        )
    return manifest


def _people(
    rng: random.Random, register: _Register, employers: Sequence[_Employer], count: int
) -> list[_Person]:
    retirees = set(rng.sample(range(count), round(RETIREE_SHARE * count)))
    # Phones are distinct, so that only the injected pairs share name, birth, sex and phone.
    phones = rng.sample(range(10**8), count)
    return [
        register.person(index + 1, f"139{phones[index]:08d}", employers, retiree=index in retirees)
        for index in range(count)
    ]


def _write_neighbour(
    target: Path,
    rng: random.Random,
    profile: CityProfile,
    persons: list[_Person],
    *,
    city: str,
    seed: int,
    encoding: str,
    excel: frozenset[str],
) -> None:
    """The other city's delivery: its employers and the persons who also insured in ``city``,
    each with an open pension relation that overlaps the one in ``city``."""
    register = _Register(rng, profile)
    employers = register.employers(max(3, round(len(persons) / PERSONS_PER_EMPLOYER)))
    overlap = DEFECT_KINDS["overlap_other_city"]
    for person in persons:
        person.address = register.address()
        relation = person.relations[0]
        relation.employer_id = relation.paid_by = rng.choice(employers).legacy_id
        # Found when ``city`` is migrated first: the mirror image of the city's own finding.
        relation.tag = overlap.rule
        relation.note = {"against": city, **relation.note}
    manifest = Manifest(city=profile.code, seed=seed, encoding=encoding)
    manifest.defects[overlap.rule] = Defect(overlap.outcome, overlap.entity)
    manifest.other_city = {"city": city, "persons": len(persons)}
    _write(
        target,
        _City(profile, employers, persons),
        manifest,
        encoding=encoding,
        excel=excel,
        entities=NEIGHBOUR_ENTITIES,
    )
