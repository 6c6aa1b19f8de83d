"""The files of a synthetic delivery: their layout (entities, columns, encodings), streamed
row by row as CSV or Excel, with the manifest filled as the rows go out."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook

from shebao.migration.synthetic.amounts import (
    LAST_PERIOD,
    LAST_YEAR,
    contribution_amounts,
    year_months,
    yuan,
)
from shebao.migration.synthetic.manifest import (
    ACCOUNT_MISMATCH,
    AFTER_DEATH,
    CONTRIB_DUPLICATE,
    ID_CHECKSUM,
    PERSON_MISSING,
    Manifest,
)
from shebao.migration.synthetic.register import (
    _City,
    _Employer,
    _Person,
    _Relation,
    account_years,
    mismatch_years,
)

ENCODINGS = ("utf-8", "utf-8-sig", "gbk")

ENTITIES = ("employers", "persons", "relations", "contributions", "accounts", "retirees")
NEIGHBOUR_ENTITIES = ("employers", "persons", "relations")
COLUMNS: dict[str, tuple[str, ...]] = {
    "employers": ("legacy_id", "credit_code", "name", "division_code", "risk_class", "status"),
    "persons": (
        "legacy_id", "resident_id", "name", "sex", "birth_date", "phone", "address", "died_on",
    ),
    "relations": (
        "legacy_id", "person_id", "scheme", "employer_id", "start_period", "end_period",
        "status",
    ),
    "contributions": (
        "person_id", "scheme", "period", "employer_id", "base", "employer_amount",
        "individual_amount", "account_credit",
    ),
    "accounts": ("person_id", "year", "opening", "credits", "interest", "closing"),
    "retirees": (
        "person_id", "retirement_month", "group", "monthly_pension", "basic_pension",
        "account_pension", "transitional_pension", "contribution_months", "paid_through",
        "bank_name", "bank_account",
    ),
}  # fmt: skip
MONEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "contributions": ("base", "employer_amount", "individual_amount", "account_credit"),
    "accounts": ("opening", "credits", "interest", "closing"),
    "retirees": ("monthly_pension", "basic_pension", "account_pension", "transitional_pension"),
}


class _Table:
    """One output file, written row by row; ``line`` is the file line of the last row."""

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self.path = path
        self.columns = columns
        self.line = 1

    def write(self, row: Sequence[str]) -> int:
        self._emit((row,))
        self.line += 1
        return self.line

    def write_many(self, rows: Sequence[Sequence[str]]) -> None:
        self._emit(rows)
        self.line += len(rows)

    @property
    def rows(self) -> int:
        return self.line - 1

    def _emit(self, rows: Iterable[Sequence[str]]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _CsvTable(_Table):
    def __init__(self, path: Path, columns: Sequence[str], encoding: str) -> None:
        super().__init__(path, columns)
        self._file: IO[str] = path.open("w", encoding=encoding, newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow(columns)

    def _emit(self, rows: Iterable[Sequence[str]]) -> None:
        self._writer.writerows(rows)

    def close(self) -> None:
        self._file.close()


class _ExcelTable(_Table):
    """The first sheet of a workbook, header in row 1; every value as text (as a city's export
    keeps IDs and periods). An empty value is written as an empty cell that is still there:
    with no cell at all, a read-only reader returns the row without its trailing empty
    columns, which would look like a row of the wrong length."""

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        super().__init__(path, columns)
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet(path.stem)
        self._sheet.append(list(columns))

    def _emit(self, rows: Iterable[Sequence[str]]) -> None:
        for row in rows:
            self._sheet.append(list(row))

    def close(self) -> None:
        self._book.save(self.path)


class _Writer:
    """Writes one city's files and fills its manifest as the rows go out."""

    def __init__(
        self, target: Path, manifest: Manifest, *, encoding: str, excel: frozenset[str]
    ) -> None:
        self.target = target
        self.manifest = manifest
        self.encoding = encoding
        self.excel = excel
        self.rejected: set[str] = set()  # persons whose rows the loader must refuse

    def open(self, entity: str) -> _Table:
        excel = entity in self.excel
        path = self.target / f"{entity}{'.xlsx' if excel else '.csv'}"
        # The loader reads either form: a stale file of the other form would be read instead.
        path.with_suffix(".csv" if excel else ".xlsx").unlink(missing_ok=True)
        self.manifest.files[entity] = path.name
        if excel:
            return _ExcelTable(path, COLUMNS[entity])
        return _CsvTable(path, COLUMNS[entity], self.encoding)

    def finish(self, entity: str, table: _Table, totals: Sequence[int] | None = None) -> None:
        table.close()
        self.manifest.rows[entity] = table.rows
        if totals is not None:
            self.manifest.totals[entity] = dict(zip(MONEY_COLUMNS[entity], totals, strict=True))

    def record(self, rule: str, entry: dict[str, Any]) -> None:
        self.manifest.defects[rule].rows.append(entry)

    def consequence(self, entity: str, rows: int) -> None:
        self.manifest.consequences[PERSON_MISSING][entity] += rows

    def employers(self, employers: Sequence[_Employer]) -> None:
        table = self.open("employers")
        for e in employers:
            row = (e.legacy_id, e.credit_code, e.name, e.division_code, str(e.risk_class), "active")
            line = table.write(row)
            if e.tag:
                self.record(e.tag, {"line": line, "legacy_id": e.legacy_id})
        self.finish("employers", table)

    def persons(self, persons: Sequence[_Person]) -> None:
        table = self.open("persons")
        for p in persons:
            birth = p.written_birth or p.birth
            died = "" if p.died_on is None else p.died_on.isoformat()
            sex = "男" if p.sex == "M" else "女"
            row = (
                p.legacy_id,
                p.written_id or p.resident_id,
                p.name,
                sex,
                birth.isoformat(),
                p.phone,
                p.address,
                died,
            )
            line = table.write(row)
            if p.tag:
                self.record(p.tag, {"line": line, "legacy_id": p.legacy_id, **p.note})
            if p.tag == ID_CHECKSUM:
                self.rejected.add(p.legacy_id)
        self.finish("persons", table)

    def relations(self, persons: Sequence[_Person]) -> None:
        table = self.open("relations")
        for p in persons:
            for r in p.relations:
                r.legacy_id = f"R{table.line:06d}"
                end = "" if r.end is None else str(r.end)
                line = table.write(
                    (r.legacy_id, p.legacy_id, r.scheme, r.employer_id, str(r.start), end, r.status)
                )
                if r.tag:
                    entry: dict[str, Any] = {
                        "line": line,
                        "legacy_id": r.legacy_id,
                        "person_id": p.legacy_id,
                    }
                    if r.overlaps is not None:
                        entry["overlaps"] = r.overlaps.legacy_id
                    self.record(r.tag, {**entry, **r.note})
            if p.legacy_id in self.rejected:
                self.consequence("relations", len(p.relations))
        self.finish("relations", table)

    def contributions(self, persons: Sequence[_Person]) -> None:
        table = self.open("contributions")
        totals = [0, 0, 0, 0]
        for p in persons:
            for r in p.relations:
                if r.paid_to is not None:
                    self.spell(table, totals, p, r)
            if p.legacy_id in self.rejected:
                self.consequence("contributions", sum(r.rows for r in p.relations))
        self.finish("contributions", table, totals)

    def spell(self, table: _Table, totals: list[int], person: _Person, relation: _Relation) -> None:
        assert relation.paid_to is not None
        death = person.death_month
        flexible = relation.paid_by == ""
        for year, months in year_months(relation.start, relation.paid_to):
            amounts = contribution_amounts(person.bases[year], relation.scheme, flexible)
            rows = [
                (person.legacy_id, relation.scheme, str(m), relation.paid_by, *amounts.text)
                for m in months
            ]
            for index in range(4):
                totals[index] += amounts.fen[index] * len(rows)
            if death is None and not person.duplicate_rows:
                table.write_many(rows)  # the fast path of nearly every spell
                continue
            for row, period in zip(rows, months, strict=True):
                line = table.write(row)
                if death is not None and period > death:
                    entry = {
                        "line": line,
                        "person_id": person.legacy_id,
                        "scheme": relation.scheme,
                        "period": period,
                    }
                    self.record(AFTER_DEATH, entry)
                if (relation.scheme, period) in person.duplicate_rows:
                    line = table.write(row)
                    for index in range(4):
                        totals[index] += amounts.fen[index]
                    entry = {
                        "line": line,
                        "person_id": person.legacy_id,
                        "scheme": relation.scheme,
                        "period": period,
                    }
                    self.record(CONTRIB_DUPLICATE, entry)

    def accounts(self, persons: Sequence[_Person]) -> None:
        table = self.open("accounts")
        totals = [0, 0, 0, 0]
        mismatch = self.manifest.defects[ACCOUNT_MISMATCH]
        for p in persons:
            if not p.has_account:
                continue
            years = account_years(p)
            difference = mismatch_years(years, p.mismatch_fen) if p.mismatch_fen else 0
            for year in years:
                table.write((p.legacy_id, str(year.year), *(yuan(f) for f in year.fen)))
                for index in range(4):
                    totals[index] += year.fen[index]
            if difference:
                assert mismatch.difference_fen is not None
                mismatch.difference_fen[p.legacy_id] = difference
                entry = {"line": table.line, "person_id": p.legacy_id, "year": LAST_YEAR}
                self.record(ACCOUNT_MISMATCH, {**entry, "difference_fen": difference})
            if p.legacy_id in self.rejected:
                self.consequence("accounts", len(years))
        self.finish("accounts", table, totals)

    def retirees(self, persons: Sequence[_Person]) -> None:
        table = self.open("retirees")
        totals = [0, 0, 0, 0]
        for p in persons:
            r = p.retiree
            if r is None:
                continue
            money = (r.monthly_fen, r.basic_fen, r.account_fen, r.transitional_fen)
            row = (
                p.legacy_id, str(r.month), r.group, *(yuan(f) for f in money),
                str(r.contribution_months), str(LAST_PERIOD), r.bank_name, r.bank_account,
            )  # fmt: skip
            line = table.write(row)
            for index in range(4):
                totals[index] += money[index]
            if r.tag:
                entry = {"line": line, "person_id": p.legacy_id, "difference_fen": r.parts_off_fen}
                self.record(r.tag, entry)
            if p.legacy_id in self.rejected:
                self.consequence("retirees", 1)
        self.finish("retirees", table, totals)


def _write(
    target: Path,
    plan: _City,
    manifest: Manifest,
    *,
    encoding: str,
    excel: frozenset[str],
    entities: Sequence[str],
) -> None:
    target.mkdir(parents=True, exist_ok=True)
    writer = _Writer(target, manifest, encoding=encoding, excel=excel)
    writer.employers(plan.employers)
    writer.persons(plan.persons)
    writer.relations(plan.persons)
    if "contributions" in entities:
        writer.contributions(plan.persons)
        writer.accounts(plan.persons)
        writer.retirees(plan.persons)
    (target / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
