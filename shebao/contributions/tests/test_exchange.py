"""The assessment file for the tax bureau (docs/exchange.md): layout, control totals, audit."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.db.models import Sum

from shebao.contributions.exchange import (
    BILL_COLUMNS,
    CONTROL_COLUMNS,
    LINE_COLUMNS,
    assessment_export,
)
from shebao.contributions.models import AssessmentLine, Bill
from shebao.contributions.tests.factories import person_make, relations_make
from shebao.contributions.tests.test_payments import (
    EMPLOYEE_MONTH_FEN,
    FLEXIBLE_MONTH_FEN,
    assess,
    employer_with_staff,
    flexible_worker,
)
from shebao.core.errors import RuleViolation
from shebao.core.masking import mask_resident_id
from shebao.core.models import AuditEntry

PERIOD = 202510
FLOOR_FEN = 429900


@pytest.fixture
def zone(agency):
    return agency("420300-01")


@pytest.fixture
def assessed(zone, system):
    """Two employers (two staff, one staff) and a flexible worker, assessed for 2025-10."""
    first = employer_with_staff(zone, 2)
    second = employer_with_staff(zone, 1)
    worker = flexible_worker(zone)
    run = assess(system, zone)
    return run, first, second, worker


def export(actor, zone, file_format="csv", **options):
    out = io.BytesIO()
    summary = assessment_export(
        actor=actor, period=PERIOD, agency=zone, file_format=file_format, out=out, **options
    )
    return summary, out.getvalue()


def records(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


def test_csv_layout_bills_followed_by_their_lines_then_the_control_record(assessed, zone, system):
    run, first, _second, worker = assessed

    summary, content = export(system, zone)

    assert not content.startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM
    assert content.count(b"\r\n") == content.count(b"\n")  # CRLF line ends
    rows = records(content)
    assert rows[0][:4] == ["H", "SHEBAO-ASSESS/1", "202510", "420300-01"]
    assert (rows[0][0], rows[-1][0], len(rows)) == ("H", "T", 1 + 3 + 10 + 1)
    # every line follows its bill
    current, lines_per_bill = "", {}
    for record in rows[1:-1]:
        if record[0] == "B":
            current = record[1]
            lines_per_bill[current] = 0
        else:
            assert (record[0], record[1]) == ("L", current)
            lines_per_bill[current] += 1
    assert sorted(lines_per_bill.values()) == [1, 3, 6]
    bills = [dict(zip(BILL_COLUMNS, r, strict=True)) for r in rows if r[0] == "B"]
    lines = [dict(zip(LINE_COLUMNS, r, strict=True)) for r in rows if r[0] == "L"]
    by_number = {b["bill_number"]: b for b in bills}
    first_bill = by_number[Bill.objects.get(run=run, employer=first).number]
    assert (first_bill["payer_type"], first_bill["payer_code"], first_bill["total_fen"]) == (
        "employer",
        first.credit_code,
        str(2 * EMPLOYEE_MONTH_FEN),
    )
    assert (first_bill["bill_kind"], first_bill["due_date"], first_bill["lines"]) == (
        "original",
        "2025-10-31",
        "6",
    )
    worker_bill = by_number[Bill.objects.get(run=run, person=worker).number]
    assert (worker_bill["payer_type"], worker_bill["payer_code"], worker_bill["total_fen"]) == (
        "flexible",
        worker.resident_id,
        str(FLEXIBLE_MONTH_FEN),
    )
    # each line names the person by full resident ID and the employer by credit code
    worker_line = next(line for line in lines if line["bill_number"] == worker_bill["bill_number"])
    assert (worker_line["resident_id"], worker_line["credit_code"], worker_line["scheme"]) == (
        worker.resident_id,
        "",
        "pension",
    )
    assert (worker_line["base_fen"], worker_line["individual_fen"]) == ("429900", "85980")
    # each bill's lines add up to the bill
    for bill in bills:
        own = [line for line in lines if line["bill_number"] == bill["bill_number"]]
        assert len(own) == int(bill["lines"])
        assert sum(
            int(x["employer_fen"]) + int(x["individual_fen"]) + int(x["late_fee_fen"]) for x in own
        ) == int(bill["total_fen"])
    assert (summary.control.bills, summary.control.lines) == (3, 10)


def test_control_record_equals_the_sums_of_the_lines(assessed, zone, system):
    run, *_ = assessed

    _summary, content = export(system, zone)

    control = dict(zip(CONTROL_COLUMNS, records(content)[-1], strict=True))
    assert {k: int(v) for k, v in control.items() if k != "record"} == {
        "bills": 3,
        "lines": 10,
        "bill_employer_fen": 3 * 73513,
        "bill_individual_fen": 3 * 35682 + 85980,
        "bill_late_fee_fen": 0,
        "bill_total_fen": 3 * EMPLOYEE_MONTH_FEN + FLEXIBLE_MONTH_FEN,
        "line_base_fen": 10 * FLOOR_FEN,
        "line_employer_fen": 3 * 73513,
        "line_individual_fen": 3 * 35682 + 85980,
        "line_late_fee_fen": 0,
    }
    in_db = AssessmentLine.objects.filter(run=run).aggregate(
        base=Sum("base_fen"), er=Sum("employer_fen"), ind=Sum("individual_fen")
    )
    assert (int(control["line_base_fen"]), int(control["line_employer_fen"])) == (
        in_db["base"],
        in_db["er"],
    )
    assert int(control["line_individual_fen"]) == in_db["ind"]


def test_json_carries_the_same_bills_lines_and_control(assessed, zone, system):
    _summary, csv_content = export(system, zone)
    summary, content = export(system, zone, file_format="json")

    document = json.loads(content.decode("utf-8"))

    assert (document["layout"], document["period"], document["agency_code"]) == (
        "SHEBAO-ASSESS/1",
        PERIOD,
        "420300-01",
    )
    rows = records(csv_content)
    csv_bills = [dict(zip(BILL_COLUMNS[1:], r[1:], strict=True)) for r in rows if r[0] == "B"]
    assert [b["bill_number"] for b in document["bills"]] == [b["bill_number"] for b in csv_bills]
    assert [len(b["lines"]) for b in document["bills"]] == [
        b["line_count"] for b in document["bills"]
    ]
    assert document["bills"][0]["total_fen"] == int(csv_bills[0]["total_fen"])
    assert isinstance(document["bills"][0]["lines"][0]["base_fen"], int)
    assert document["control"] == summary.control.as_dict()
    assert document["control"]["bill_total_fen"] == 3 * EMPLOYEE_MONTH_FEN + FLEXIBLE_MONTH_FEN


def test_empty_period_gives_a_valid_file_with_a_zero_control(zone, system):
    _summary, content = export(system, zone, file_format="json")
    document = json.loads(content)
    assert document["bills"] == []
    assert document["control"]["bills"] == 0
    assert [r[0] for r in records(export(system, zone)[1])] == ["H", "T"]


def test_a_difference_run_can_be_exported_on_its_own(assessed, zone, system):
    _run, first, *_ = assessed
    relations_make(person_make(zone), first, agency=zone)
    second_run = assess(system, zone)

    _summary, content = export(system, zone, run_id=second_run.pk)

    bills = [dict(zip(BILL_COLUMNS, r, strict=True)) for r in records(content) if r[0] == "B"]
    assert [(b["bill_kind"], b["total_fen"], b["lines"]) for b in bills] == [
        ("difference", str(EMPLOYEE_MONTH_FEN), "3")
    ]
    assert len([r for r in records(export(system, zone)[1]) if r[0] == "B"]) == 4


def test_export_is_audited_without_personal_data(assessed, zone, actor_of):
    _run, _first, _second, worker = assessed

    export(actor_of("fund_shiyan"), zone, file_name="SBASSESS_420300-01_202510.csv")

    entry = AuditEntry.objects.get(action="assessment.export")
    after = entry.after or {}
    assert entry.actor_username == "fund_shiyan"
    assert (after["period"], after["control"]["lines"]) == (PERIOD, 10)
    assert after["file_name"] == "SBASSESS_420300-01_202510.csv"
    assert worker.resident_id not in json.dumps(after, ensure_ascii=False)


def test_export_needs_batch_permission_and_scope(assessed, zone, agency, actor_of):
    with pytest.raises(RuleViolation) as refusal:
        export(actor_of("clerk_maojian"), zone)
    assert refusal.value.code == "CORE-PERMISSION"
    with pytest.raises(RuleViolation) as refusal:
        export(actor_of("fund_shiyan"), agency("420102"))
    assert refusal.value.code == "CORE-SCOPE"
    with pytest.raises(RuleViolation) as refusal:
        export(actor_of("fund_shiyan"), zone, file_format="xml")
    assert refusal.value.code == "EXCH-FORMAT"
    assert not AuditEntry.objects.filter(action="assessment.export").exists()


def test_command_writes_the_file_and_logs_no_resident_id(assessed, tmp_path):
    _run, _first, _second, worker = assessed
    target = tmp_path / "out.json"
    out = io.StringIO()

    call_command(
        "export_assessments",
        "--period",
        "202510",
        "--agency",
        "420300-01",
        "--format",
        "json",
        "--out",
        str(target),
        stdout=out,
    )

    document = json.loads(target.read_bytes())
    assert document["control"]["bills"] == 3
    assert out.getvalue().strip() == "out.json: 3 bills, 10 lines, total 4,135.65 yuan"
    assert worker.resident_id not in out.getvalue()
    assert mask_resident_id(worker.resident_id) not in out.getvalue()
