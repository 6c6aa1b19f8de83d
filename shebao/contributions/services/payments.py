# ruff: noqa: S608 - SQL built from our own table names and placeholders only
"""Payments from the tax bureau (缴费到账): importing payment records and settling bills.

A payment file (or an API batch) is imported in one transaction: every row is checked first
and a bad row refuses the whole file; then each new payment is recorded under its tax voucher
reference, the bills it pays are brought up to date, and the lines of every bill that became
fully paid are marked paid and queued for the individual accounts. Idempotency comes at two
levels: the same file (by SHA-256) returns the first import's result and changes nothing, and
a reference already recorded is skipped whichever file it comes in.

The settling statements work on sets (all bills an import touched at once) and recompute from
the payments rather than add to running totals, so replaying them is harmless.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from shebao.contributions.exchange import PaymentRow, payment_file_parse, payment_rows_check
from shebao.contributions.models import (
    AccountPosting,
    AssessmentLine,
    Bill,
    Payment,
    PaymentImport,
    PaymentStatus,
)
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.changes import periods_changed
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import Action
from shebao.core.permissions import actor_scope_path, ensure_can, ensure_in_scope

register_rule(
    "PAY-API-TOO-MANY",
    "一次最多提交 {limit} 条缴费记录（本次 {count} 条），请分批提交。",
    "At most {limit} payment rows per request ({count} sent); send them in batches.",
)
register_rule(
    "PAY-ALREADY-MATCHED",
    "缴费记录 {reference} 已对应缴费单 {bill}，不能再次匹配。",
    "Payment {reference} already pays bill {bill}; it cannot be matched again.",
)

API_ROW_LIMIT = 10_000
LOOKUP_CHUNK = 500
UNMATCHED_NO_BILL = "bill_not_found"
UNMATCHED_PAYER = "payer_mismatch"

_LINE = AssessmentLine._meta.db_table
_BILL = Bill._meta.db_table
_PAYMENT = Payment._meta.db_table
_POSTING = AccountPosting._meta.db_table

T = TypeVar("T")


@dataclass(frozen=True)
class UnmatchedPayment:
    """A recorded payment whose bill could not be identified; it waits for manual matching."""

    reference: str
    bill_number: str
    amount_fen: int
    paid_on: date
    reason: str


@dataclass(frozen=True)
class PaymentImportResult:
    """The outcome of an import. ``replayed`` is true when the same content was imported
    before: ``payment_import`` is then that first import and nothing changed now."""

    payment_import: PaymentImport
    replayed: bool
    unmatched: list[UnmatchedPayment] = field(default_factory=list)
    conflicting_references: list[str] = field(default_factory=list)
    bills_settled: int = 0
    postings_created: int = 0


def _chunks(items: Sequence[T], size: int = LOOKUP_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- settling bills ---------------------------------------------------------------------------

_STATUS_SQL = f"""
CASE WHEN total_fen <= 0 THEN '{PaymentStatus.CREDIT.value}'
     WHEN paid_fen = 0 THEN '{PaymentStatus.UNPAID.value}'
     WHEN paid_fen < total_fen THEN '{PaymentStatus.PARTLY_PAID.value}'
     WHEN paid_fen = total_fen THEN '{PaymentStatus.PAID.value}'
     ELSE '{PaymentStatus.OVERPAID.value}' END"""

# The day a bill became fully paid: the earliest payment date by which its payments add up to
# the total. Set once; later payments (an overpayment, a late-reported earlier one) leave it,
# as the lines and account postings already carry it.
_PAID_ON_SQL = f"""
CASE WHEN paid_on IS NULL AND total_fen > 0 AND paid_fen >= total_fen THEN (
  SELECT MIN(p.paid_on) FROM {_PAYMENT} p
  WHERE p.bill_id = {_BILL}.id
    AND (SELECT SUM(q.amount_fen) FROM {_PAYMENT} q
         WHERE q.bill_id = {_BILL}.id AND q.paid_on <= p.paid_on) >= {_BILL}.total_fen
) ELSE paid_on END"""

# How a bill finds its lines: the run's lines of the same payer (an employer, or a flexible
# worker paying for themself, whose lines have no employer). ``{l}`` is the line table's alias.
_PAYER_JOINS = (
    "{l}.employer_id = b.employer_id",
    "b.employer_id IS NULL AND {l}.employer_id IS NULL AND {l}.person_id = b.person_id",
)


def _settle_statements(selection: str) -> list[str]:
    """The statements that settle the bills whose ids ``selection`` (a subquery) yields."""
    statements = [
        f"""UPDATE {_BILL} SET paid_fen = (
              SELECT COALESCE(SUM(p.amount_fen), 0) FROM {_PAYMENT} p WHERE p.bill_id = {_BILL}.id
            ) WHERE id IN ({selection})""",
        f"""UPDATE {_BILL} SET payment_status = {_STATUS_SQL}, paid_on = {_PAID_ON_SQL}
            WHERE id IN ({selection})""",
    ]
    for payer_join in _PAYER_JOINS:
        line_join = payer_join.format(l=_LINE)
        statements.append(
            f"""UPDATE {_LINE} SET paid_on = b.paid_on FROM {_BILL} b
                WHERE b.id IN ({selection}) AND b.paid_on IS NOT NULL
                  AND {_LINE}.run_id = b.run_id AND {line_join} AND {_LINE}.paid_on IS NULL"""
        )
    key = connection.ops.quote_name("key")
    for payer_join in _PAYER_JOINS:
        statements.append(
            f"""INSERT INTO {_POSTING} ({key}, person_id, period, amount_fen, line_id, paid_on,
                                        created_at)
                SELECT 'line:' || CAST(l.id AS TEXT), l.person_id, l.period, l.account_credit_fen,
                       l.id, b.paid_on, %(now)s
                FROM {_BILL} b JOIN {_LINE} l ON l.run_id = b.run_id AND {payer_join.format(l="l")}
                WHERE b.id IN ({selection}) AND b.paid_on IS NOT NULL
                  AND l.account_credit_fen <> 0
                ON CONFLICT ({key}) DO NOTHING"""
        )
    return statements


def _bills_settle(selection: str, params: Mapping[str, Any]) -> int:
    """Bring the selected bills up to date with their payments; mark the lines of fully paid
    bills paid and queue their account credits (one posting per line, key ``line:<id>``).
    Returns the number of postings created."""
    args = dict(params) | {
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
    }
    postings = 0
    with connection.cursor() as cursor:
        for statement in _settle_statements(selection):
            cursor.execute(statement, args)
            if statement.lstrip().startswith("INSERT"):
                postings += max(cursor.rowcount, 0)
    return postings


# --- importing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _BillRef:
    id: int
    payer_code: str
    agency_path: str


def _bills_by_number(numbers: Iterable[str]) -> dict[str, _BillRef]:
    found: dict[str, _BillRef] = {}
    for chunk in _chunks(sorted(set(numbers))):
        rows = Bill.objects.filter(number__in=chunk).values_list(
            "number", "id", "employer__credit_code", "person__resident_id", "agency__path"
        )
        for number, bill_id, credit_code, resident_id, path in rows:
            found[number] = _BillRef(bill_id, (credit_code or resident_id or "").upper(), path)
    return found


def _match(row: PaymentRow, bills: Mapping[str, _BillRef], scope: str | None) -> int | str:
    """The bill id a row pays, or why it pays none. A bill outside the importer's scope is
    treated as absent, as everywhere else."""
    bill = bills.get(row.bill_number)
    if bill is None or scope is None or not bill.agency_path.startswith(scope):
        return UNMATCHED_NO_BILL
    if bill.payer_code != row.payer_code:
        return UNMATCHED_PAYER
    return bill.id


def _conflicts(rows: Sequence[PaymentRow], inserted: set[str]) -> list[str]:
    """References skipped as already recorded whose recorded content differs from the row."""
    skipped = {row.reference: row for row in rows if row.reference not in inserted}
    conflicts: list[str] = []
    for chunk in _chunks(sorted(skipped)):
        stored = Payment.objects.filter(reference__in=chunk).values_list(
            "reference", "bill_number", "amount_fen", "paid_on"
        )
        for reference, bill_number, amount_fen, paid_on in stored:
            row = skipped[reference]
            if (row.bill_number, row.amount_fen, row.paid_on) != (bill_number, amount_fen, paid_on):
                conflicts.append(reference)
    return conflicts


def _unmatched_of(payment_import: PaymentImport, scope: str | None) -> list[UnmatchedPayment]:
    """The import's payments still without a bill, the reason recomputed from today's bills:
    payer codes are not kept on the payment, so a bill found in scope means a payer mismatch."""
    payments = list(
        Payment.objects.filter(source=payment_import, bill__isnull=True).order_by("reference")
    )
    bills = _bills_by_number(p.bill_number for p in payments)

    def reason(number: str) -> str:
        bill = bills.get(number)
        found = bill is not None and scope is not None and bill.agency_path.startswith(scope)
        return UNMATCHED_PAYER if found else UNMATCHED_NO_BILL

    return [
        UnmatchedPayment(
            reference=p.reference,
            bill_number=p.bill_number,
            amount_fen=p.amount_fen,
            paid_on=p.paid_on,
            reason=reason(p.bill_number),
        )
        for p in payments
    ]


def _replayed(payment_import: PaymentImport, actor: Actor) -> PaymentImportResult:
    return PaymentImportResult(
        payment_import=payment_import,
        replayed=True,
        unmatched=_unmatched_of(payment_import, actor_scope_path(actor)),
    )


def _payments_record(
    record: PaymentImport, rows: Sequence[PaymentRow], scope: str | None
) -> tuple[dict[str, int], list[UnmatchedPayment]]:
    """Insert the rows not recorded yet; return the new payments (reference → amount) and
    those of them without a bill."""
    # Repeats inside the file carry the same content (checked when parsing).
    unique = list({row.reference: row for row in rows}.values())
    bills = _bills_by_number(row.bill_number for row in unique)
    matches = {row.reference: _match(row, bills, scope) for row in unique}
    Payment.objects.bulk_create(
        [
            Payment(
                reference=row.reference,
                bill_id=match if isinstance(match := matches[row.reference], int) else None,
                bill_number=row.bill_number,
                amount_fen=row.amount_fen,
                paid_on=row.paid_on,
                source=record,
            )
            for row in unique
        ],
        batch_size=LOOKUP_CHUNK,
        ignore_conflicts=True,  # a reference already recorded is a duplicate
    )
    new = dict(Payment.objects.filter(source=record).values_list("reference", "amount_fen"))
    unmatched = [
        UnmatchedPayment(
            reference=row.reference,
            bill_number=row.bill_number,
            amount_fen=row.amount_fen,
            paid_on=row.paid_on,
            reason=str(matches[row.reference]),
        )
        for row in unique
        if row.reference in new and not isinstance(matches[row.reference], int)
    ]
    return new, unmatched


def _bills_lock(bills: QuerySet[Bill]) -> int:
    """Lock the bills about to be settled, in primary-key order. Settling sums a bill's
    payments; without the lock, two imports paying one bill at the same time would each sum
    without the other's payment and the later write would lose the earlier one."""
    return len(list(bills.select_for_update().order_by("pk").values_list("pk", flat=True)))


def _import(
    *, actor: Actor, digest: str, file_name: str, rows: Sequence[PaymentRow]
) -> PaymentImportResult:
    try:
        with transaction.atomic(durable=True):
            record = PaymentImport.objects.create(
                sha256=digest,
                file_name=file_name[:200],
                rows=len(rows),
                new_payments=0,
                duplicates=0,
                unmatched=0,
                amount_fen=0,
                imported_by=actor.username,
            )
            new, unmatched = _payments_record(record, rows, actor_scope_path(actor))
            conflicts = _conflicts(rows, set(new))
            settled = _bills_lock(
                Bill.objects.filter(pk__in=Payment.objects.filter(source=record).values("bill_id"))
            )
            selection = f"SELECT bill_id FROM {_PAYMENT} WHERE source_id = %(source)s"
            postings = _bills_settle(selection, {"source": record.pk})
            periods_changed(
                "payments",
                set(Bill.objects.filter(payments__source=record).values_list("period", flat=True)),
            )
            record.new_payments = len(new)
            record.duplicates = len(rows) - len(new)
            record.unmatched = len(unmatched)
            record.amount_fen = sum(new.values())
            record.save(update_fields=["new_payments", "duplicates", "unmatched", "amount_fen"])
            audit_record(
                actor=actor,
                action="payment.import",
                target=record,
                after={
                    "file_name": record.file_name,
                    "sha256": digest,
                    "rows": record.rows,
                    "new_payments": record.new_payments,
                    "duplicates": record.duplicates,
                    "unmatched": record.unmatched,
                    "amount_fen": record.amount_fen,
                    "bills_settled": settled,
                    "postings_created": postings,
                    "conflicting_references": conflicts,
                },
            )
    except IntegrityError:
        # The same content imported concurrently: the other import won; answer with its result.
        first = PaymentImport.objects.filter(sha256=digest).first()
        if first is None:
            raise
        return _replayed(first, actor)
    return PaymentImportResult(
        payment_import=record,
        replayed=False,
        unmatched=unmatched,
        conflicting_references=conflicts,
        bills_settled=settled,
        postings_created=postings,
    )


def payment_file_import(*, actor: Actor, content: bytes, file_name: str) -> PaymentImportResult:
    """Import a payment file from the tax bureau (税务缴费信息导入).

    The same file again returns the first import's result and changes nothing. A bad row
    refuses the whole file (``PAY-FILE-ROWS`` with the row numbers) and writes nothing.
    """
    ensure_can(actor, Action.RUN_BATCH)
    digest = hashlib.sha256(content).hexdigest()
    first = PaymentImport.objects.filter(sha256=digest).first()
    if first is not None:
        return _replayed(first, actor)
    rows = payment_file_parse(content)
    return _import(actor=actor, digest=digest, file_name=file_name, rows=rows)


def payments_receive(
    *, actor: Actor, rows: Sequence[Mapping[str, str]], label: str = "api"
) -> PaymentImportResult:
    """Record payment rows sent through the API by the tax bureau's system.

    Rows are the file's columns as strings, numbered from 1 in the order sent. The batch is
    checked and recorded exactly like a file; a retried request (same rows) returns the first
    result, and any reference already recorded is skipped.
    """
    ensure_can(actor, Action.RUN_BATCH)
    if len(rows) > API_ROW_LIMIT:
        raise RuleViolation("PAY-API-TOO-MANY", limit=API_ROW_LIMIT, count=len(rows))
    checked = payment_rows_check(enumerate(rows, start=1))
    canonical = json.dumps(
        [[*row.content()[:4], row.paid_on.isoformat()] for row in checked],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    digest = hashlib.sha256(f"api\n{canonical}".encode()).hexdigest()
    first = PaymentImport.objects.filter(sha256=digest).first()
    if first is not None:
        return _replayed(first, actor)
    return _import(actor=actor, digest=digest, file_name=label, rows=checked)


def payment_match(*, actor: Actor, payment: Payment, bill: Bill) -> Payment:
    """Match an unmatched payment to a bill by hand (到账匹配) and settle the bill."""
    ensure_can(actor, Action.RUN_BATCH)
    ensure_in_scope(actor, bill.agency)
    with transaction.atomic(durable=True):
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.bill_id is not None:
            number = Bill.objects.values_list("number", flat=True).get(pk=locked.bill_id)
            raise RuleViolation("PAY-ALREADY-MATCHED", reference=locked.reference, bill=number)
        _bills_lock(Bill.objects.filter(pk=bill.pk))
        locked.bill = bill
        locked.save(update_fields=["bill"])
        _bills_settle("SELECT %(bill)s", {"bill": bill.pk})
        periods_changed("payments", [bill.period])
        audit_record(
            actor=actor,
            action="payment.match",
            target=locked,
            target_agency=bill.agency,
            before={"bill": None, "bill_number": locked.bill_number},
            after={"bill": bill.pk, "bill_number": bill.number},
        )
    return locked
