"""The bank files of the pension payroll (代发文件 and 回盘文件), as CSV (docs/payroll.md).

A payment file is UTF-8 with a header row and one row per payroll line, in line order::

    reference,period,resident_id,name,bank_name,bank_account,amount,kind

``reference`` is the line id, ``amount`` the yuan with two decimals. The same lines always give
the same bytes, so a file is rebuilt from its lines and checked against the sha256 recorded when
it was generated.

A return file answers line by line::

    reference,result,reason

``result`` is ``S`` (paid) or ``F`` (returned, with the bank's reason). Reading it checks its
shape only; whether its references belong to the run is the import service's business.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass

from shebao.core.errors import RuleViolation, register_rule

PAYMENT_HEADER = (
    "reference",
    "period",
    "resident_id",
    "name",
    "bank_name",
    "bank_account",
    "amount",
    "kind",
)
RETURN_HEADER = ("reference", "result", "reason")
PAID, FAILED = "S", "F"
REASON_MAX = 100  # PayrollLine.failure_reason

register_rule(
    "PAYROLL-RETURN-ENCODING",
    "回盘文件不是 UTF-8 编码的文本文件。",
    "The return file is not UTF-8 text.",
    "docs/payroll.md",
)
register_rule(
    "PAYROLL-RETURN-HEADER",
    "回盘文件第一行应为“{expected}”，实际为“{found}”。",
    "The return file's first row must be '{expected}', not '{found}'.",
    "docs/payroll.md",
)
register_rule(
    "PAYROLL-RETURN-ROW",
    "回盘文件第 {row} 行格式不正确：{detail}。",
    "Row {row} of the return file is malformed: {detail}.",
    "docs/payroll.md",
)
register_rule(
    "PAYROLL-RETURN-RESULT",
    "回盘文件第 {row} 行的结果“{result}”无效（应为 S 或 F）。",
    "Row {row} of the return file has the result '{result}' (S or F expected).",
    "docs/payroll.md",
)
register_rule(
    "PAYROLL-RETURN-EMPTY",
    "回盘文件没有任何明细行。",
    "The return file has no rows.",
    "docs/payroll.md",
)


@dataclass(frozen=True)
class PaymentRow:
    reference: int
    period: int
    resident_id: str
    name: str
    bank_name: str
    bank_account: str
    amount_fen: int
    kind: str


@dataclass(frozen=True)
class ReturnRow:
    row: int  # the row number in the file (the header is row 1)
    reference: int
    result: str
    reason: str


def plain_yuan(fen: int) -> str:
    """12345 → "123.45": yuan with two decimals, no grouping (what banks read)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def payment_file_bytes(rows: Iterable[PaymentRow]) -> bytes:
    """The payment file of ``rows`` (give them in line order)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PAYMENT_HEADER)
    writer.writerows(
        (
            r.reference,
            r.period,
            r.resident_id,
            r.name,
            r.bank_name,
            r.bank_account,
            plain_yuan(r.amount_fen),
            r.kind,
        )
        for r in rows
    )
    return out.getvalue().encode("utf-8")


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def return_file_bytes(rows: Iterable[tuple[int, str, str]]) -> bytes:
    """A return file (reference, result, reason): what a bank sends back; tests and the demo
    write theirs with it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RETURN_HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def return_rows_read(content: bytes) -> list[ReturnRow]:
    """The rows of a return file; refuses the whole file at its first malformed row."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RuleViolation("PAYROLL-RETURN-ENCODING") from exc
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    if tuple(cell.strip() for cell in header) != RETURN_HEADER:
        raise RuleViolation(
            "PAYROLL-RETURN-HEADER", expected=",".join(RETURN_HEADER), found=",".join(header)[:80]
        )
    rows: list[ReturnRow] = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line (a trailing one, say)
        if len(cells) != len(RETURN_HEADER):
            raise RuleViolation(
                "PAYROLL-RETURN-ROW", row=number, detail=f"{len(cells)} columns, 3 expected"
            )
        reference, result, reason = (cell.strip() for cell in cells)
        if not reference.isdigit():
            raise RuleViolation(
                "PAYROLL-RETURN-ROW", row=number, detail=f"reference '{reference[:20]}'"
            )
        if result not in (PAID, FAILED):
            raise RuleViolation("PAYROLL-RETURN-RESULT", row=number, result=result[:10])
        rows.append(ReturnRow(number, int(reference), result, reason[:REASON_MAX]))
    if not rows:
        raise RuleViolation("PAYROLL-RETURN-EMPTY")
    return rows
