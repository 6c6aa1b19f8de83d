# ruff: noqa: S608 - SQL built from our own table names and placeholders only
"""Exchange with the tax bureau (税务交换): assessment files out, payment files in.

The layouts are documented in ``docs/exchange.md``; this module is their only writer and
reader. Amounts are integer fen everywhere, so sender and receiver add up to the same fen.

An assessment file carries every bill of a period in an agency subtree with its lines, and a
control record (counts and sums) that lets the receiver prove it read the whole file. Lines
name the person by full resident ID, which the tax bureau needs to collect: the file is a
legitimate carrier of full IDs, so nothing here writes an ID to a log or to the audit entry.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone

from shebao.contributions.models import AssessmentLine, Bill
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import Action, Agency
from shebao.core.money import MAX_FEN
from shebao.core.periods import period_validate
from shebao.core.permissions import ensure_can, ensure_in_scope
from shebao.registry.models import Employer, Person

ASSESSMENT_LAYOUT = "SHEBAO-ASSESS/1"
PAYMENT_LAYOUT = "SHEBAO-PAY/1"
CSV, JSON = "csv", "json"
FORMATS = (CSV, JSON)

register_rule(
    "EXCH-FORMAT",
    "交换文件格式“{value}”无效（应为 csv 或 json）。",
    "Exchange format '{value}' is not valid (csv or json).",
)
register_rule(
    "PAY-FILE-ENCODING",
    "缴费信息文件不是 UTF-8 编码的文本，未导入任何记录。",
    "The payment file is not UTF-8 text; nothing was imported.",
    "docs/exchange.md",
)
register_rule(
    "PAY-FILE-HEADER",
    "缴费信息文件首行缺少列：{missing}，未导入任何记录。",
    "The payment file's header lacks the columns {missing}; nothing was imported.",
    "docs/exchange.md",
)
register_rule(
    "PAY-FILE-EMPTY",
    "缴费信息文件没有缴费记录。",
    "The payment file holds no payment rows.",
    "docs/exchange.md",
)
register_rule(
    "PAY-FILE-ROWS",
    "缴费信息有 {count} 行错误，未导入任何记录：{detail}",
    "{count} payment rows are invalid; nothing was imported: {detail}",
    "docs/exchange.md",
)

# --- assessment export ------------------------------------------------------------------------

BILL_COLUMNS = (
    "record",
    "bill_number",
    "period",
    "bill_kind",
    "payer_type",
    "payer_code",
    "payer_name",
    "agency_code",
    "persons",
    "lines",
    "employer_fen",
    "individual_fen",
    "late_fee_fen",
    "total_fen",
    "due_date",
)
LINE_COLUMNS = (
    "record",
    "bill_number",
    "line_id",
    "period",
    "credit_code",
    "resident_id",
    "person_name",
    "scheme",
    "base_fen",
    "employer_fen",
    "individual_fen",
    "late_fee_fen",
)
CONTROL_COLUMNS = (
    "record",
    "bills",
    "lines",
    "bill_employer_fen",
    "bill_individual_fen",
    "bill_late_fee_fen",
    "bill_total_fen",
    "line_base_fen",
    "line_employer_fen",
    "line_individual_fen",
    "line_late_fee_fen",
)
HEADER_COLUMNS = ("record", "layout", "period", "agency_code", "generated_at")

PAYER_EMPLOYER, PAYER_FLEXIBLE = "employer", "flexible"
FETCH_ROWS = 2000

_LINE = AssessmentLine._meta.db_table
_BILL = Bill._meta.db_table
_AGENCY = Agency._meta.db_table
_EMPLOYER = Employer._meta.db_table
_PERSON = Person._meta.db_table

# One row per line, with its bill's columns in front; ordered by bill number, then line id, so
# that a bill's lines follow it. Employer bills and flexible workers' bills join their lines
# differently (by employer, or by person with no employer), hence two equi-joins.
_EXPORT_SELECT = f"""
SELECT b.number, b.period, b.kind, {{payer_type}}, {{payer_code}}, {{payer_name}}, a.code,
       b.persons, b.lines, b.employer_fen, b.individual_fen, b.late_fee_fen, b.total_fen,
       b.due_date,
       l.id, l.period, {{line_credit_code}}, p.resident_id, p.name, l.scheme, l.base_fen,
       l.employer_fen, l.individual_fen, l.late_fee_fen
FROM {_BILL} b
JOIN {_AGENCY} a ON a.id = b.agency_id
{{payer_join}}
JOIN {_LINE} l ON l.run_id = b.run_id AND {{line_join}}
JOIN {_PERSON} p ON p.id = l.person_id
WHERE b.period = %s AND b.agency_id IN ({{agencies}}) {{run_filter}}"""

_EMPLOYER_PART = {
    "payer_type": f"'{PAYER_EMPLOYER}'",
    "payer_code": "e.credit_code",
    "payer_name": "e.name",
    "line_credit_code": "e.credit_code",
    "payer_join": f"JOIN {_EMPLOYER} e ON e.id = b.employer_id",
    "line_join": "l.employer_id = b.employer_id",
}
_FLEXIBLE_PART = {
    "payer_type": f"'{PAYER_FLEXIBLE}'",
    "payer_code": "bp.resident_id",
    "payer_name": "bp.name",
    "line_credit_code": "''",
    "payer_join": f"JOIN {_PERSON} bp ON bp.id = b.person_id",
    "line_join": "b.employer_id IS NULL AND l.employer_id IS NULL AND l.person_id = b.person_id",
}


@dataclass
class ControlTotals:
    """The control record (控制记录): what the receiver must find when it adds the file up."""

    bills: int = 0
    lines: int = 0
    bill_employer_fen: int = 0
    bill_individual_fen: int = 0
    bill_late_fee_fen: int = 0
    bill_total_fen: int = 0
    line_base_fen: int = 0
    line_employer_fen: int = 0
    line_individual_fen: int = 0
    line_late_fee_fen: int = 0

    def add_bill(self, bill: Mapping[str, Any]) -> None:
        self.bills += 1
        self.bill_employer_fen += bill["employer_fen"]
        self.bill_individual_fen += bill["individual_fen"]
        self.bill_late_fee_fen += bill["late_fee_fen"]
        self.bill_total_fen += bill["total_fen"]

    def add_line(self, line: Mapping[str, Any]) -> None:
        self.lines += 1
        self.line_base_fen += line["base_fen"]
        self.line_employer_fen += line["employer_fen"]
        self.line_individual_fen += line["individual_fen"]
        self.line_late_fee_fen += line["late_fee_fen"]

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class AssessmentExport:
    """What one export wrote: its scope, layout and control totals."""

    file_name: str
    file_format: str
    period: int
    agency_code: str
    run_id: int | None
    generated_at: datetime
    control: ControlTotals = field(default_factory=ControlTotals)


def export_file_name(agency: Agency, period: int, file_format: str, at: datetime) -> str:
    """The file name agreed with the tax bureau: ``SBASSESS_<agency>_<period>_<time>.<fmt>``."""
    stamp = timezone.localtime(at).strftime("%Y%m%d%H%M%S")
    return f"SBASSESS_{agency.code}_{period}_{stamp}.{file_format}"


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _export_rows(
    agency_ids: Sequence[int], period: int, run_id: int | None
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(bill, line) pairs in file order, streamed with a server-side cursor where there is one."""
    marks = ", ".join(["%s"] * len(agency_ids))
    run_filter = "AND b.run_id = %s" if run_id is not None else ""
    parts = [
        _EXPORT_SELECT.format(agencies=marks, run_filter=run_filter, **part)
        for part in (_EMPLOYER_PART, _FLEXIBLE_PART)
    ]
    sql = f"{parts[0]}\nUNION ALL\n{parts[1]}\nORDER BY 1, 15"
    one = [period, *agency_ids] + ([run_id] if run_id is not None else [])
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, one + one)
        while batch := cursor.fetchmany(FETCH_ROWS):
            for row in batch:
                bill = dict(zip(BILL_COLUMNS[1:], row[:14], strict=True))
                bill["due_date"] = _iso(bill["due_date"])
                line = dict(zip(LINE_COLUMNS[2:], row[14:], strict=True))
                line["bill_number"] = bill["bill_number"]
                yield bill, line


class _CsvWriter:
    def __init__(self, out: IO[bytes]) -> None:
        self.text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        self.writer = csv.writer(self.text, lineterminator="\r\n")

    def header(self, values: Mapping[str, Any]) -> None:
        self.writer.writerow(["H", *(values[c] for c in HEADER_COLUMNS[1:])])

    def bill(self, bill: Mapping[str, Any]) -> None:
        self.writer.writerow(["B", *(bill[c] for c in BILL_COLUMNS[1:])])

    def line(self, line: Mapping[str, Any]) -> None:
        self.writer.writerow(["L", *(line[c] for c in LINE_COLUMNS[1:])])

    def close(self, control: ControlTotals) -> None:
        totals = control.as_dict()
        self.writer.writerow(["T", *(totals[c] for c in CONTROL_COLUMNS[1:])])
        self.text.flush()
        self.text.detach()  # the caller owns the stream


class _JsonWriter:
    """One JSON document, written piece by piece so that memory does not grow with the file."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.bills = 0
        self.lines_in_bill = 0

    def _write(self, text: str) -> None:
        self.out.write(text.encode("utf-8"))

    @staticmethod
    def _dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def header(self, values: Mapping[str, Any]) -> None:
        head = {c: values[c] for c in HEADER_COLUMNS[1:]}
        self._write(self._dumps(head)[:-1] + ',"bills":[')

    def bill(self, bill: Mapping[str, Any]) -> None:
        if self.bills:
            self._write("]},")
        self.bills += 1
        self.lines_in_bill = 0
        body = {c: bill[c] for c in BILL_COLUMNS[1:] if c != "lines"}
        body["line_count"] = bill["lines"]
        self._write("\n" + self._dumps(body)[:-1] + ',"lines":[')

    def line(self, line: Mapping[str, Any]) -> None:
        body = {c: line[c] for c in LINE_COLUMNS[2:]}
        self._write(("," if self.lines_in_bill else "") + "\n" + self._dumps(body))
        self.lines_in_bill += 1

    def close(self, control: ControlTotals) -> None:
        self._write(("]}" if self.bills else "") + '\n],"control":')
        self._write(self._dumps(control.as_dict()) + "}\n")


def _write(
    writer: _CsvWriter | _JsonWriter,
    header: Mapping[str, Any],
    rows: Iterable[tuple[dict[str, Any], dict[str, Any]]],
) -> ControlTotals:
    """Write the header, each bill before its lines, and the control record of what was
    written."""
    control = ControlTotals()
    writer.header(header)
    current = None
    for bill, line in rows:
        if bill["bill_number"] != current:
            current = bill["bill_number"]
            writer.bill(bill)
            control.add_bill(bill)
        writer.line(line)
        control.add_line(line)
    writer.close(control)
    return control


def assessment_export(
    *,
    actor: Actor,
    period: int,
    agency: Agency,
    file_format: str,
    out: IO[bytes],
    file_name: str = "",
    run_id: int | None = None,
) -> AssessmentExport:
    """Write the bills of ``period`` for ``agency`` and its descendants, each followed by its
    lines, then the control record, to ``out`` (税务核定数据导出). Audited.

    ``run_id`` limits the file to the bills of one assessment run (a later difference run, say).
    The rows come from one statement, so the file is one consistent snapshot.
    """
    ensure_can(actor, Action.RUN_BATCH)
    ensure_in_scope(actor, agency)
    period_validate(period)
    if file_format not in FORMATS:
        raise RuleViolation("EXCH-FORMAT", value=file_format)
    generated_at = timezone.now()
    file_name = file_name or export_file_name(agency, period, file_format, generated_at)
    agency_ids = list(
        Agency.objects.filter(path__startswith=agency.path).values_list("id", flat=True)
    )
    header = {
        "layout": ASSESSMENT_LAYOUT,
        "period": period,
        "agency_code": agency.code,
        "generated_at": timezone.localtime(generated_at).isoformat(timespec="seconds"),
    }
    writer: _CsvWriter | _JsonWriter = _CsvWriter(out) if file_format == CSV else _JsonWriter(out)
    with transaction.atomic(durable=True):
        control = _write(writer, header, _export_rows(agency_ids, period, run_id))
        audit_record(
            actor=actor,
            action="assessment.export",
            target=agency,
            target_agency=agency,
            after={
                "period": period,
                "run": run_id,
                "format": file_format,
                "file_name": file_name,
                "layout": ASSESSMENT_LAYOUT,
                "control": control.as_dict(),
            },
        )
    return AssessmentExport(
        file_name=file_name,
        file_format=file_format,
        period=period,
        agency_code=agency.code,
        run_id=run_id,
        generated_at=generated_at,
        control=control,
    )


# --- payment records in -----------------------------------------------------------------------

PAYMENT_COLUMNS = ("reference", "bill_number", "payer_code", "amount_fen", "paid_on")
MAX_CODE_LENGTH = 40
ERRORS_SHOWN = 20
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


@dataclass(frozen=True)
class PaymentRow:
    """One payment as the tax bureau reports it; ``row`` is its line in the file (or its
    position in an API request), for error messages."""

    row: int
    reference: str
    bill_number: str
    payer_code: str
    amount_fen: int
    paid_on: date

    def content(self) -> tuple[str, str, str, int, date]:
        return (self.reference, self.bill_number, self.payer_code, self.amount_fen, self.paid_on)


@dataclass(frozen=True)
class RowError:
    row: int
    problem: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.problem}"


def _check_fields(row: int, fields: Mapping[str, str], today: date) -> PaymentRow | RowError:
    values = {name: (fields.get(name) or "").strip() for name in PAYMENT_COLUMNS}
    missing = [name for name in PAYMENT_COLUMNS if not values[name]]
    if missing:
        return RowError(row, f"missing {', '.join(missing)}")
    for name in ("reference", "bill_number", "payer_code"):
        if len(values[name]) > MAX_CODE_LENGTH:
            return RowError(row, f"{name} longer than {MAX_CODE_LENGTH} characters")
    amount = values["amount_fen"]
    if not _DIGITS.fullmatch(amount) or int(amount) == 0 or int(amount) > MAX_FEN:
        return RowError(row, f"amount_fen '{amount}' is not a positive whole number of fen")
    text = values["paid_on"]
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        paid_on = date.fromisoformat(text)
    except ValueError:
        return RowError(row, f"paid_on '{text}' is not a date YYYY-MM-DD")
    if paid_on > today:
        return RowError(row, f"paid_on {text} is in the future")
    return PaymentRow(
        row=row,
        reference=values["reference"],
        bill_number=values["bill_number"],
        payer_code=values["payer_code"].upper(),
        amount_fen=int(amount),
        paid_on=paid_on,
    )


def payment_rows_check(
    numbered: Iterable[tuple[int, Mapping[str, str] | RowError]],
) -> list[PaymentRow]:
    """Check every row; refuse them all (``PAY-FILE-ROWS``, naming the rows) if one is bad.

    A reference repeated with the same content is kept (the import counts the repeat as a
    duplicate); repeated with different content it is an error, since one of the two is wrong.
    """
    today = timezone.localdate()
    rows: list[PaymentRow] = []
    errors: list[RowError] = []
    seen: dict[str, PaymentRow] = {}
    for number, fields in numbered:
        checked = fields if isinstance(fields, RowError) else _check_fields(number, fields, today)
        if isinstance(checked, RowError):
            errors.append(checked)
            continue
        first = seen.setdefault(checked.reference, checked)
        if first is not checked and first.content() != checked.content():
            errors.append(
                RowError(number, f"reference {checked.reference} differs from row {first.row}")
            )
            continue
        rows.append(checked)
    if errors:
        shown = "; ".join(str(e) for e in errors[:ERRORS_SHOWN])
        more = f"; … {len(errors) - ERRORS_SHOWN} more" if len(errors) > ERRORS_SHOWN else ""
        raise RuleViolation(
            "PAY-FILE-ROWS",
            count=len(errors),
            detail=shown + more,
            rows=[e.row for e in errors],
        )
    if not rows:
        raise RuleViolation("PAY-FILE-EMPTY")
    return rows


def payment_file_parse(content: bytes) -> list[PaymentRow]:
    """Read a payment file (CSV, UTF-8 with or without BOM, header row first); rows are
    numbered by their line in the file, the header being line 1."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RuleViolation("PAY-FILE-ENCODING") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    names = [name.strip().lower() for name in header or []]
    missing = [column for column in PAYMENT_COLUMNS if column not in names]
    if missing:
        raise RuleViolation("PAY-FILE-HEADER", missing=", ".join(missing))

    def numbered() -> Iterator[tuple[int, dict[str, str] | RowError]]:
        for values in reader:
            if not any(v.strip() for v in values):
                continue  # a blank line, as editors leave at the end
            if len(values) != len(names):
                problem = f"{len(values)} fields where the header has {len(names)}"
                yield reader.line_num, RowError(reader.line_num, problem)
                continue
            yield reader.line_num, dict(zip(names, values, strict=True))

    return payment_rows_check(numbered())
