"""The synthetic legacy generator: deterministic, its manifest true to its files, and every
injected defect found by its own rule only.

The oracle below re-applies the cleansing rules of docs/legacy-format.md to the files in the
plainest way, independently of the generator's bookkeeping, and must find exactly the lines
the manifest names.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from shebao.core.errors import RuleViolation
from shebao.core.identifiers import (
    credit_code_check,
    credit_code_is_valid,
    resident_id_check,
    resident_id_is_valid,
)
from shebao.core.money import round_to_fen, yuan_to_fen
from shebao.migration.synthetic import (
    BANKS,
    DEFECT_KINDS,
    ENTITIES,
    GIVEN,
    MONEY_COLUMNS,
    NEIGHBOUR_ENTITIES,
    PROFILES,
    SUFFIXES,
    SURNAMES,
    TRADES,
    DefectRates,
    Manifest,
    NotEnoughData,
    city_profile,
    crediting_rate,
    defect_count,
    generate_city,
)
from shebao.rules.calculators.interest import MonthlyCredit, account_interest

PERSONS = 400
SEED = 7
Row = tuple[int, dict[str, str]]  # (file line, the row by column)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    root = tmp_path_factory.mktemp("synthetic")
    return root, generate_city(root, persons=PERSONS, seed=SEED)


@pytest.fixture(scope="module")
def tables(generated: tuple[Path, Manifest]) -> dict[str, list[Row]]:
    root, _manifest = generated
    return {entity: read_table(root / "420300", entity) for entity in ENTITIES}


def read_table(directory: Path, entity: str) -> list[Row]:
    workbook = directory / f"{entity}.xlsx"
    if workbook.exists():
        sheet = load_workbook(workbook, read_only=True).worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
        header = [str(v) for v in values[0]]
        return [
            (line, {c: "" if v is None else str(v) for c, v in zip(header, row, strict=True)})
            for line, row in enumerate(values[1:], start=2)
        ]
    raw = (directory / f"{entity}.csv").read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gbk")
    assert "\n" not in text.replace("\r\n", ""), "no line break inside a field"
    return list(enumerate(csv.DictReader(io.StringIO(text, newline="")), start=2))


def money(value: str) -> int:
    return yuan_to_fen(value)


def month(period: str) -> int:
    return int(period)


def lines(manifest: Manifest, rule: str) -> set[int]:
    return set(manifest.defects[rule].lines)


# --- the oracle -------------------------------------------------------------------------------


def findings(
    tables: dict[str, list[Row]], neighbour: dict[str, list[Row]] | None = None
) -> tuple[dict[str, set[int]], dict[str, int]]:
    """The lines each rule finds, and the rows refused because their person was refused."""
    found: dict[str, set[int]] = defaultdict(set)
    missing: dict[str, int] = defaultdict(int)
    key = _persons(tables["persons"], found)
    employers = _employers(tables["employers"], found)
    _relations(tables["relations"], key, employers, neighbour, found, missing)
    credits = _contributions(tables["contributions"], tables["persons"], key, found, missing)
    _accounts(tables["accounts"], key, credits, found, missing)
    for line, row in tables["retirees"]:
        if key.get(row["person_id"]) is None:
            missing["retirees"] += 1
            continue
        parts = sum(money(row[c]) for c in ("basic_pension", "account_pension"))
        if parts + money(row["transitional_pension"]) != money(row["monthly_pension"]):
            found["MIG-RETIREE-PARTS"].add(line)
    return found, missing


def _persons(rows: list[Row], found: dict[str, set[int]]) -> dict[str, str | None]:
    """Legacy person number → resident ID (None when refused)."""
    key: dict[str, str | None] = {}
    first_name: dict[str, str] = {}
    seen_as: dict[tuple[str, str, str, str], str] = {}
    for line, row in rows:
        raw = row["resident_id"]
        if len(raw) == 15:
            found["MIG-ID-15"].add(line)
        try:
            info = resident_id_check(raw)
        except RuleViolation as refusal:
            rule = {"REG-ID-CHECKSUM": "MIG-ID-CHECKSUM"}.get(refusal.code, "MIG-ID-FORMAT")
            found[rule].add(line)
            key[row["legacy_id"]] = None
            continue
        key[row["legacy_id"]] = info.number
        if date.fromisoformat(row["birth_date"]) != info.birth_date:
            found["MIG-ID-BIRTH"].add(line)
        if {"男": "M", "女": "F"}[row["sex"]] != info.sex:
            found["MIG-ID-SEX"].add(line)
        if info.number in first_name and first_name[info.number] != row["name"]:
            found["MIG-PERSON-DUPLICATE"].add(line)
        first_name.setdefault(info.number, row["name"])
        same = (row["name"], info.birth_date.isoformat(), info.sex, row["phone"])
        if seen_as.get(same, info.number) != info.number:
            found["MIG-PERSON-SAME-PERSON"].add(line)
        seen_as.setdefault(same, info.number)
    return key


def _employers(rows: list[Row], found: dict[str, set[int]]) -> set[str]:
    valid: set[str] = set()
    codes: set[str] = set()
    for line, row in rows:
        if not credit_code_is_valid(row["credit_code"]):
            found["MIG-USCC-INVALID"].add(line)
            continue
        if row["credit_code"] in codes:
            found["MIG-EMPLOYER-DUPLICATE"].add(line)
        codes.add(row["credit_code"])
        valid.add(row["legacy_id"])
    return valid


def _spell(row: dict[str, str]) -> tuple[int, int]:
    return month(row["start_period"]), month(row["end_period"] or "999912")


def _relations(
    rows: list[Row],
    key: dict[str, str | None],
    employers: set[str],
    neighbour: dict[str, list[Row]] | None,
    found: dict[str, set[int]],
    missing: dict[str, int],
) -> None:
    province: dict[str, list[tuple[int, int]]] = defaultdict(list)
    if neighbour is not None:
        other = {row["legacy_id"]: row["resident_id"] for _line, row in neighbour["persons"]}
        for _line, row in neighbour["relations"]:
            if row["scheme"] == "110":
                province[other[row["person_id"]]].append(_spell(row))
    in_file: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for line, row in rows:
        resident_id = key.get(row["person_id"])
        if resident_id is None:
            missing["relations"] += 1
            continue
        if row["employer_id"] and row["employer_id"] not in employers:
            found["MIG-REL-EMPLOYER-MISSING"].add(line)
            continue
        if row["scheme"] != "110":
            continue
        start, end = _spell(row)
        earlier = in_file[resident_id] + province[resident_id]
        if any(start <= other_end and other_start <= end for other_start, other_end in earlier):
            found["MIG-REL-OVERLAP"].add(line)
        in_file[resident_id].append((start, end))


def _contributions(
    rows: list[Row],
    persons: list[Row],
    key: dict[str, str | None],
    found: dict[str, set[int]],
    missing: dict[str, int],
) -> dict[str, dict[int, Decimal]]:
    """Finds the contribution rules; returns the pension credits kept, by person and month."""
    death = {
        row["legacy_id"]: int(row["died_on"][:4] + row["died_on"][5:7])
        for _line, row in persons
        if row["died_on"]
    }
    seen: set[tuple[str, str, int]] = set()
    credits: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for line, row in rows:
        person, period = row["person_id"], month(row["period"])
        resident_id = key.get(person)
        if resident_id is None:
            missing["contributions"] += 1
            continue
        if period > death.get(person, 999912):
            found["MIG-CONTRIB-AFTER-DEATH"].add(line)
            continue
        if (resident_id, row["scheme"], period) in seen:
            found["MIG-CONTRIB-DUPLICATE"].add(line)
            continue
        seen.add((resident_id, row["scheme"], period))
        if row["scheme"] == "110":
            credits[person][period] = Decimal(row["account_credit"])
    return credits


def rebuilt_years(credits: dict[int, Decimal], first_year: int) -> list[tuple[int, ...]]:
    """(year, opening, credits, interest, closing) in fen, from the pension credits alone."""
    years: list[tuple[int, ...]] = []
    opening = Decimal("0.00")
    for year in range(first_year, 2026):
        paid = [MonthlyCredit(p, a) for p, a in sorted(credits.items()) if p // 100 == year]
        outcome = account_interest(
            year=year, opening=opening, credits=paid, rate=crediting_rate(year)
        ).value
        years.append(
            (
                year,
                yuan_to_fen(opening),
                yuan_to_fen(outcome.credits_total),
                yuan_to_fen(outcome.interest),
                yuan_to_fen(outcome.closing_balance),
            )
        )
        opening = outcome.closing_balance
    return years


def _accounts(
    rows: list[Row],
    key: dict[str, str | None],
    credits: dict[str, dict[int, Decimal]],
    found: dict[str, set[int]],
    missing: dict[str, int],
) -> None:
    by_person: dict[str, list[Row]] = defaultdict(list)
    for line, row in rows:
        if key.get(row["person_id"]) is None:
            missing["accounts"] += 1
        else:
            by_person[row["person_id"]].append((line, row))
    for person, years in by_person.items():
        rebuilt = rebuilt_years(credits[person], int(years[0][1]["year"]))
        assert [int(row["year"]) for _line, row in years] == [y[0] for y in rebuilt]
        for (line, row), expected in zip(years, rebuilt, strict=True):
            if abs(money(row["closing"]) - expected[4]) > 1:
                found["MIG-ACCOUNT-MISMATCH"].add(line)


# --- determinism and the manifest -------------------------------------------------------------


def test_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        generate_city(tmp_path / name, persons=150, seed=seed)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.*"))
    assert len(files) == 6 + 1 + 3 + 1
    for relative in files:
        assert (tmp_path / "a" / relative).read_bytes() == (tmp_path / "b" / relative).read_bytes()
    contributions = Path("420300/contributions.csv")
    assert (tmp_path / "a" / contributions).read_bytes() != (
        tmp_path / "c" / contributions
    ).read_bytes()


def test_manifest_reads_back(generated: tuple[Path, Manifest]) -> None:
    root, manifest = generated
    assert Manifest.read(root / "420300") == manifest
    assert Manifest.from_json(manifest.to_json()).to_json() == manifest.to_json()
    assert manifest.city == "420300"
    assert manifest.seed == SEED
    assert manifest.encoding == "utf-8"
    assert manifest.files == {entity: f"{entity}.csv" for entity in ENTITIES}


def test_row_counts_and_totals_match_the_files(
    generated: tuple[Path, Manifest], tables: dict[str, list[Row]]
) -> None:
    _root, manifest = generated
    assert manifest.rows == {entity: len(rows) for entity, rows in tables.items()}
    for entity, columns in MONEY_COLUMNS.items():
        totals = {c: sum(money(row[c]) for _line, row in tables[entity]) for c in columns}
        assert manifest.totals[entity] == totals


def test_defect_lines_name_their_rows(
    generated: tuple[Path, Manifest], tables: dict[str, list[Row]]
) -> None:
    _root, manifest = generated
    for rule, defect in manifest.defects.items():
        by_line = dict(tables[defect.entity])
        for entry in defect.rows:
            row = by_line[entry["line"]]
            for column in ("legacy_id", "person_id"):
                if column in entry:
                    assert row[column] == entry[column], (rule, entry)


def test_counts_follow_the_rates(
    generated: tuple[Path, Manifest], tables: dict[str, list[Row]]
) -> None:
    _root, manifest = generated
    rates = DefectRates()
    count = manifest.count
    seconds = count("MIG-PERSON-DUPLICATE") + count("MIG-PERSON-SAME-PERSON")
    populations = {
        "persons": PERSONS,
        "employers": len(tables["employers"]) - count("MIG-USCC-INVALID"),
        # The register's relations: without the overlapping spells and the second records'.
        "relations": len(tables["relations"])
        - count("MIG-REL-OVERLAP", other_city_migrated=False)
        - seconds,
        "contributions": len(tables["contributions"]) - count("MIG-CONTRIB-DUPLICATE"),
        "accounts": len({row["person_id"] for _line, row in tables["accounts"]}),
        "retirees": len(tables["retirees"]),
    }
    assert populations["retirees"] == round(0.03 * PERSONS)
    expected: dict[str, int] = defaultdict(int)
    for name, kind in DEFECT_KINDS.items():
        population = populations["persons" if kind.entity != "employers" else "employers"]
        if name in ("employer_missing", "contrib_duplicate", "account_mismatch", "retiree_parts"):
            population = populations[kind.entity]
        injected = defect_count(getattr(rates, name), population)
        assert injected > 0
        # Each death leaves three months of unemployment and of work injury after it.
        expected[kind.rule] += injected * 6 if name == "after_death" else injected
    assert {rule: d.count for rule, d in manifest.defects.items()} == expected
    assert manifest.count("MIG-REL-OVERLAP", other_city_migrated=False) == defect_count(
        rates.overlap_in_file, PERSONS
    )


# --- identifiers ------------------------------------------------------------------------------


def test_clean_identifiers_are_valid_and_injected_ones_invalid_as_stated(
    generated: tuple[Path, Manifest], tables: dict[str, list[Row]]
) -> None:
    _root, manifest = generated
    id15, checksum = lines(manifest, "MIG-ID-15"), lines(manifest, "MIG-ID-CHECKSUM")
    birth = lines(manifest, "MIG-ID-BIRTH")
    for line, row in tables["persons"]:
        raw = row["resident_id"]
        if line in checksum:
            assert len(raw) == 18
            with pytest.raises(RuleViolation) as refusal:
                resident_id_check(raw)
            assert refusal.value.code == "REG-ID-CHECKSUM"
            continue
        info = resident_id_check(raw)
        if line in id15:
            assert raw.isdigit()
            assert len(raw) == 15
            assert info.upgraded_from == raw
            assert info.number[:6] + info.number[8:17] == raw
        else:
            assert len(raw) == 18
            assert resident_id_is_valid(raw)
        assert info.sex == {"男": "M", "女": "F"}[row["sex"]]
        written = date.fromisoformat(row["birth_date"])
        if line in birth:
            assert 1 <= abs((written - info.birth_date).days) <= 400
        else:
            assert written == info.birth_date
            assert date(1960, 1, 1) <= written <= date(2000, 12, 31)
    invalid = lines(manifest, "MIG-USCC-INVALID")
    for line, row in tables["employers"]:
        if line in invalid:
            with pytest.raises(RuleViolation) as refusal:
                credit_code_check(row["credit_code"])
            assert refusal.value.code == "REG-USCC-CHECKSUM"
        else:
            assert credit_code_is_valid(row["credit_code"])
            assert row["division_code"] in ("420302", "420303", "")


def test_second_records_of_a_person(
    generated: tuple[Path, Manifest], tables: dict[str, list[Row]]
) -> None:
    _root, manifest = generated
    persons = {row["legacy_id"]: row for _line, row in tables["persons"]}
    relations = defaultdict(list)
    for _line, row in tables["relations"]:
        relations[row["person_id"]].append(row)
    for rule, link in (
        ("MIG-PERSON-DUPLICATE", "duplicate_of"),
        ("MIG-PERSON-SAME-PERSON", "same_as"),
    ):
        for entry in manifest.defects[rule].rows:
            second, first = persons[entry["legacy_id"]], persons[entry[link]]
            for column in ("sex", "birth_date", "phone"):
                assert second[column] == first[column]
            if rule == "MIG-PERSON-DUPLICATE":
                assert second["resident_id"] == first["resident_id"]
                differ = [a != b for a, b in zip(second["name"], first["name"], strict=True)]
                assert sum(differ) == 1
            else:
                assert second["resident_id"] != first["resident_id"]
                assert second["name"] == first["name"]
            (spell,) = relations[entry["legacy_id"]]
            assert spell["scheme"] == "410"
            assert spell["status"] == "ended"
            theirs = [r for r in relations[entry[link]] if r["scheme"] == "410"]
            start, end = _spell(spell)
            assert all(end < month(r["start_period"]) for r in theirs)
            assert start >= 201601


# --- the oracle finds exactly what the manifest says ------------------------------------------


def test_every_defect_is_found_by_its_rule_and_nothing_else(
    generated: tuple[Path, Manifest], tables: dict[str, list[Row]]
) -> None:
    root, manifest = generated
    neighbour = {entity: read_table(root / "420100", entity) for entity in NEIGHBOUR_ENTITIES}
    for other_city_migrated in (False, True):
        found, missing = findings(tables, neighbour if other_city_migrated else None)
        expected = {rule: set(d.lines) for rule, d in manifest.defects.items()}
        if not other_city_migrated:
            expected["MIG-REL-OVERLAP"] = {
                e["line"]
                for e in manifest.defects["MIG-REL-OVERLAP"].rows
                if e["against"] == "file"
            }
        assert {rule: lines for rule, lines in found.items() if lines} == expected
        assert dict(missing) == {
            entity: n for entity, n in manifest.consequences["MIG-REF-PERSON-MISSING"].items() if n
        }


def test_a_clean_delivery_has_no_finding(tmp_path: Path) -> None:
    manifest = generate_city(tmp_path, persons=120, rates=DefectRates.none())
    assert all(defect.count == 0 for defect in manifest.defects.values())
    assert manifest.other_city == {"city": "420100", "persons": 0}
    tables = {entity: read_table(tmp_path / "420300", entity) for entity in ENTITIES}
    found, missing = findings(tables)
    assert not any(found.values())
    assert not missing


def test_too_few_persons_for_the_rates(tmp_path: Path) -> None:
    with pytest.raises(NotEnoughData):
        generate_city(tmp_path, persons=5)


# --- money ------------------------------------------------------------------------------------


def test_contribution_amounts(tables: dict[str, list[Row]]) -> None:
    shares = {
        ("110", True): ("0.16", "0.08", "0.08"),
        ("110", False): ("0", "0.20", "0.08"),
        ("210", True): ("0.007", "0.003", "0"),
        ("410", True): ("0.005", "0", "0"),
    }
    bases: dict[tuple[str, str], set[str]] = defaultdict(set)
    for _line, row in tables["contributions"]:
        base = Decimal(row["base"])
        assert Decimal("4299.00") <= base <= Decimal("21678.00")
        employed = row["employer_id"] != ""
        expected = [round_to_fen(base * Decimal(s)) for s in shares[row["scheme"], employed]]
        written = [row[c] for c in ("employer_amount", "individual_amount", "account_credit")]
        assert [Decimal(w) for w in written] == expected
        assert all(len(w.partition(".")[2]) == 2 for w in (row["base"], *written))
        bases[row["person_id"], row["period"][:4]].add(row["base"])
    assert all(len(b) == 1 for b in bases.values()), "one base per person and year"


def test_accounts_are_what_interest_crediting_gives(
    generated: tuple[Path, Manifest], tables: dict[str, list[Row]]
) -> None:
    _root, manifest = generated
    credits: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for _line, row in tables["contributions"]:
        if row["scheme"] == "110":
            credits[row["person_id"]][month(row["period"])] = Decimal(row["account_credit"])
    written: dict[str, list[tuple[int, ...]]] = defaultdict(list)
    for _line, row in tables["accounts"]:
        amounts = (money(row[c]) for c in MONEY_COLUMNS["accounts"])
        written[row["person_id"]].append((int(row["year"]), *amounts))
    mismatch = manifest.defects["MIG-ACCOUNT-MISMATCH"]
    assert mismatch.difference_fen is not None
    retirees = {row["person_id"] for _line, row in tables["retirees"]}
    assert set(written) == set(credits) - retirees
    for person, years in written.items():
        assert years[0][0] == min(credits[person]) // 100
        rebuilt = rebuilt_years(credits[person], years[0][0])
        if person not in mismatch.difference_fen:
            assert years == rebuilt
            continue
        difference = mismatch.difference_fen[person]
        assert years[:-1] == rebuilt[:-1]
        assert years[-1][0] == 2025
        assert years[-1][4] - rebuilt[-1][4] == difference
        assert 100 <= abs(difference) <= 50_000
        opening, paid, interest, closing = years[-1][1:]
        assert opening + paid + interest == closing
        assert interest >= 0


def test_retirees(generated: tuple[Path, Manifest], tables: dict[str, list[Row]]) -> None:
    _root, manifest = generated
    persons = {row["legacy_id"]: row for _line, row in tables["persons"]}
    relations = defaultdict(list)
    for _line, row in tables["relations"]:
        relations[row["person_id"]].append(row)
    parts = {e["line"]: e["difference_fen"] for e in manifest.defects["MIG-RETIREE-PARTS"].rows}
    for line, row in tables["retirees"]:
        person = persons[row["person_id"]]
        assert 1960 <= int(person["birth_date"][:4]) <= 1965
        assert (row["group"] == "male") == (person["sex"] == "男")
        assert 250_000 <= money(row["monthly_pension"]) <= 600_000
        assert 180 <= int(row["contribution_months"]) <= 480
        assert row["paid_through"] == "202512"
        assert len(row["bank_account"]) == 19
        assert row["bank_account"].isdigit()
        assert 201701 <= month(row["retirement_month"]) <= 202512
        for relation in relations[row["person_id"]]:
            assert relation["status"] == "retired"
            assert relation["end_period"] == row["retirement_month"]
        total = sum(money(row[c]) for c in MONEY_COLUMNS["retirees"][1:])
        assert total - money(row["monthly_pension"]) == parts.get(line, 0)
        assert 1 <= abs(parts.get(line, 1)) <= 1000


def test_deaths(generated: tuple[Path, Manifest], tables: dict[str, list[Row]]) -> None:
    _root, manifest = generated
    dead = {row["legacy_id"]: row["died_on"] for _line, row in tables["persons"] if row["died_on"]}
    assert len(dead) == defect_count(DefectRates().after_death, PERSONS)
    for person, died_on in dead.items():
        death = int(died_on[:4] + died_on[5:7])
        assert 202312 <= death <= 202509
        paid = defaultdict(list)
        for _line, row in tables["contributions"]:
            if row["person_id"] == person:
                paid[row["scheme"]].append(month(row["period"]))
        assert max(paid["110"]) == death
        assert max(paid["210"]) == max(paid["410"]) > death
        for _line, row in tables["relations"]:
            if row["person_id"] == person and row["scheme"] == "110":
                assert row["status"] == "deceased"
                assert row["end_period"] == str(death)
    rows = manifest.defects["MIG-CONTRIB-AFTER-DEATH"].rows
    assert {e["person_id"] for e in rows} == set(dead)


# --- the neighbour city -----------------------------------------------------------------------


def test_the_neighbour_city_holds_the_overlapping_persons(
    generated: tuple[Path, Manifest], tables: dict[str, list[Row]]
) -> None:
    root, manifest = generated
    neighbour = {entity: read_table(root / "420100", entity) for entity in NEIGHBOUR_ENTITIES}
    assert sorted(p.name for p in (root / "420100").iterdir()) == [
        "employers.csv", "manifest.json", "persons.csv", "relations.csv",
    ]  # fmt: skip
    overlaps = [e for e in manifest.defects["MIG-REL-OVERLAP"].rows if e["against"] == "420100"]
    assert len(overlaps) == defect_count(DefectRates().overlap_other_city, PERSONS)
    assert manifest.other_city == {"city": "420100", "persons": len(overlaps)}
    ours = {row["legacy_id"]: row for _line, row in tables["persons"]}
    our_relations = {row["legacy_id"]: row for _line, row in tables["relations"]}
    theirs = {row["legacy_id"]: row for _line, row in neighbour["persons"]}
    their_relations = {row["person_id"]: row for _line, row in neighbour["relations"]}
    their_employers = {row["legacy_id"] for _line, row in neighbour["employers"]}
    assert len(theirs) == len(their_relations) == len(overlaps)
    for entry in overlaps:
        mine, other = ours[entry["person_id"]], theirs[entry["other_person_id"]]
        for column in ("resident_id", "name", "sex", "birth_date"):
            assert mine[column] == other[column]
        relation, spell = our_relations[entry["legacy_id"]], their_relations[other["legacy_id"]]
        assert relation["scheme"] == spell["scheme"] == "110"
        assert spell["status"] == "active"
        assert spell["end_period"] == ""
        assert month(spell["start_period"]) < month(relation["start_period"])
        assert spell["employer_id"] in their_employers
    for _line, row in neighbour["employers"]:
        assert credit_code_is_valid(row["credit_code"])
        assert row["division_code"] in ("420102", "")
    mirror = Manifest.read(root / "420100")
    assert mirror.other_city == {"city": "420300", "persons": len(overlaps)}
    assert mirror.count("MIG-REL-OVERLAP") == len(overlaps)
    assert mirror.count("MIG-REL-OVERLAP", other_city_migrated=False) == 0


def test_no_other_city(tmp_path: Path) -> None:
    manifest = generate_city(tmp_path, persons=150, other_city=None)
    assert manifest.other_city is None
    assert [p.name for p in tmp_path.iterdir()] == ["420300"]
    assert all(e["against"] == "file" for e in manifest.defects["MIG-REL-OVERLAP"].rows)


# --- encodings and Excel ----------------------------------------------------------------------


def test_gbk_files_decode_as_gbk_and_not_as_utf8(tmp_path: Path) -> None:
    manifest = generate_city(tmp_path, persons=80, encoding="gbk")
    assert manifest.encoding == "gbk"
    for entity in ("employers", "persons", "retirees"):
        raw = (tmp_path / "420300" / f"{entity}.csv").read_bytes()
        text = raw.decode("gbk")
        assert any("\u4e00" <= character <= "\u9fff" for character in text)
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
    utf8 = tmp_path / "utf8"
    generate_city(utf8, persons=80)
    assert (utf8 / "420300" / "persons.csv").read_bytes().decode("utf-8") == (
        tmp_path / "420300" / "persons.csv"
    ).read_bytes().decode("gbk")


def test_every_text_the_generator_writes_is_in_gbk() -> None:
    # Checked whole, as a small run draws only some of the names and places.
    profiles = [*PROFILES.values(), city_profile("429000")]
    places = [text for p in profiles for text in (p.name, *p.districts, *p.streets)]
    for text in (SURNAMES, GIVEN, *TRADES, *SUFFIXES, *BANKS, *places, "市号栋单元分行男女"):
        text.encode("gbk")


def test_utf8_with_byte_order_mark(tmp_path: Path) -> None:
    generate_city(tmp_path, persons=40, encoding="utf-8-sig", rates=DefectRates.none())
    assert (tmp_path / "420300" / "persons.csv").read_bytes().startswith(b"\xef\xbb\xbflegacy_id,")


def test_excel_holds_the_same_rows_as_csv(tmp_path: Path) -> None:
    excel = frozenset({"persons", "employers"})
    manifest = generate_city(tmp_path / "x", persons=100, excel=excel)
    generate_city(tmp_path / "c", persons=100)
    for city in ("420300", "420100"):
        names = {p.name for p in (tmp_path / "x" / city).iterdir()}
        assert {"persons.xlsx", "employers.xlsx", "relations.csv"} <= names
        assert not {"persons.csv", "employers.csv"} & names
        for entity in excel:
            assert read_table(tmp_path / "x" / city, entity) == read_table(
                tmp_path / "c" / city, entity
            )
    assert manifest.files["persons"] == "persons.xlsx"
    assert manifest.rows["persons"] == len(read_table(tmp_path / "x" / "420300", "persons"))


def test_arguments_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="encoding"):
        generate_city(tmp_path, persons=10, encoding="latin-1")
    with pytest.raises(ValueError, match="Excel"):
        generate_city(tmp_path, persons=10, excel=frozenset({"payments"}))
    with pytest.raises(ValueError, match="differ"):
        generate_city(tmp_path, persons=10, other_city="420300")
    with pytest.raises(ValueError, match="between 0 and 1"):
        replace(DefectRates(), id15=1.5)


def test_the_command_reports_what_it_wrote(tmp_path: Path) -> None:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("legacy_generate", str(tmp_path), persons=120, seed=2, excel="persons", stdout=out)
    text = out.getvalue()
    assert "persons.xlsx" in text
    assert "MIG-ID-15" in text
    assert "MIG-REF-PERSON-MISSING" in text
    manifest: dict[str, Any] = Manifest.read(tmp_path / "420300").to_dict()
    assert f"{manifest['rows']['contributions']:,} rows" in text
