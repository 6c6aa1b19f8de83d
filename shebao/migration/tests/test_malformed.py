"""A malformed delivery stops with a clear message (a MIG-FILE rule, the file, the line, the
column) and loads nothing; a GBK delivery and an Excel one load like a UTF-8 CSV."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from shebao.core.actors import system_actor
from shebao.core.errors import RuleViolation
from shebao.core.models import Agency, BatchRun
from shebao.migration.models import LegacyFile, LegacyPerson
from shebao.migration.services import migration_run_create
from shebao.migration.tests.support import FILES, migrate, write_small_delivery
from shebao.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery(tmp_path: Path, demo: None) -> Path:
    return write_small_delivery(tmp_path / "420300")


def _refusal(directory: Path) -> RuleViolation:
    city = Agency.objects.get(code="420300")
    persons, runs = Person.objects.count(), BatchRun.objects.count()
    with pytest.raises(RuleViolation) as refused:
        migration_run_create(actor=system_actor("tests"), city=city, directory=directory)
    assert Person.objects.count() == persons
    assert BatchRun.objects.count() == runs
    assert not LegacyFile.objects.exists()
    return refused.value


def test_a_missing_column_is_named(delivery: Path) -> None:
    text = FILES["persons.csv"].replace(",died_on", "").replace("号,\n", "号\n")
    (delivery / "persons.csv").write_text(text)
    refusal = _refusal(delivery)
    assert refusal.code == "MIG-FILE-COLUMNS"
    assert "died_on" in refusal.message_en
    assert "persons.csv" in refusal.message_zh


def test_an_unknown_column_is_named(delivery: Path) -> None:
    text = FILES["employers.csv"].replace("status\n", "status,remark\n", 1)
    (delivery / "employers.csv").write_text(text)
    refusal = _refusal(delivery)
    assert refusal.code == "MIG-FILE-COLUMNS"
    assert "remark" in refusal.message_en


def test_undecodable_bytes_are_refused_with_their_offset(delivery: Path) -> None:
    data = FILES["persons.csv"].encode("utf-8") + b"P9,\xff\xfe\xff,x,1,1980-01-01,,,\n"
    (delivery / "persons.csv").write_bytes(data)
    refusal = _refusal(delivery)
    assert refusal.code == "MIG-FILE-ENCODING"
    assert str(data.index(b"\xff")) in refusal.message_en


def test_a_value_of_the_wrong_type_names_line_and_column(delivery: Path) -> None:
    text = FILES["contributions.csv"].replace("202403,E1,5000.00", "2024-3x,E1,5000.00")
    (delivery / "contributions.csv").write_text(text)
    refusal = _refusal(delivery)
    assert refusal.code == "MIG-FILE-TYPE"
    assert refusal.params["line"] == 4
    assert refusal.params["column"] == "period"
    assert "2024-3x" in refusal.message_zh


def test_an_amount_with_three_decimals_is_not_rounded(delivery: Path) -> None:
    text = FILES["contributions.csv"].replace("5000.00,800.00", "5000.005,800.00", 1)
    (delivery / "contributions.csv").write_text(text)
    assert _refusal(delivery).params["column"] == "base"


def test_a_row_of_the_wrong_length_is_refused(delivery: Path) -> None:
    (delivery / "relations.csv").write_text(FILES["relations.csv"] + "R9,P1,110\n")
    refusal = _refusal(delivery)
    assert refusal.code == "MIG-FILE-ROW-LENGTH"
    assert refusal.params["line"] == 7


def test_a_required_file_missing_is_refused(delivery: Path) -> None:
    (delivery / "persons.csv").unlink()
    assert _refusal(delivery).code == "MIG-FILE-MISSING"


def test_the_command_exits_with_the_rule_and_nothing_loaded(delivery: Path) -> None:
    (delivery / "retirees.csv").write_text(
        FILES["retirees.csv"].replace("female-50", "retired-woman")
    )
    with pytest.raises(CommandError) as failed:
        call_command(
            "migrate_legacy", str(delivery), city="420300", stdout=StringIO(), stderr=StringIO()
        )
    assert str(failed.value).startswith("MIG-FILE-TYPE")
    assert not LegacyPerson.objects.exists()


def test_a_gbk_delivery_loads_like_utf8(tmp_path: Path, demo: None) -> None:
    directory = write_small_delivery(tmp_path / "gbk", encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        (directory / "persons.csv").read_bytes().decode("utf-8")
    migrate(directory)
    encodings = dict(LegacyFile.objects.values_list("entity", "encoding"))
    # A file of ASCII only (the contribution months) is UTF-8 and GBK alike.
    assert encodings == {
        "employers": "gbk",
        "persons": "gbk",
        "relations": "utf-8-sig",
        "contributions": "utf-8-sig",
        "accounts": "utf-8-sig",
        "retirees": "gbk",
    }
    assert Person.objects.filter(name="李二").exists()


def test_an_excel_workbook_stands_for_its_csv(delivery: Path) -> None:
    rows = [line.split(",") for line in FILES["employers.csv"].strip().split("\n")]
    book = Workbook()
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append([int(c) if c.isdigit() and len(c) < 3 else c for c in row])
    (delivery / "employers.csv").unlink()
    book.save(delivery / "employers.xlsx")
    migrate(delivery)
    file = LegacyFile.objects.get(entity="employers")
    assert (file.name, file.encoding, file.rows) == ("employers.xlsx", "xlsx", 2)


def test_the_command_prints_its_progress_and_totals(delivery: Path) -> None:
    out = StringIO()
    call_command("migrate_legacy", str(delivery), city="420300", stdout=out)
    text = out.getvalue()
    assert "migration of 420300" in text
    assert "contributions_loaded 12" in text
    assert "6/6" in text  # the progress bar's final state
