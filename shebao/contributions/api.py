"""Collection endpoints: payment records from the tax bureau's system (bearer token), the
reconciliation of employers per period and the arrears with their late fees."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from shebao.api.schemas import ErrorOut, Offset
from shebao.contributions.models import ContributionBase
from shebao.contributions.selectors import (
    Arrear,
    arrears_list,
    employer_reconciliation,
    payments_unmatched,
)
from shebao.contributions.services.bases import WageRow, base_declaration_request, clamp_summary
from shebao.contributions.services.payments import PaymentImportResult, payments_receive
from shebao.core.actors import Actor, actor_from_request
from shebao.core.masking import mask_name, mask_resident_id
from shebao.core.models import Agency, Channel
from shebao.core.permissions import OutOfScope, in_scope
from shebao.registry.models import Employer
from shebao.registry.selectors import employer_list
from shebao.services.api import CaseOut

router = Router(tags=["collection"])

PAGE_LIMIT = 500


class PaymentIn(Schema):
    """One payment as in the payment file (docs/exchange.md)."""

    reference: str
    bill_number: str
    payer_code: str
    amount_fen: int
    paid_on: date


class PaymentsIn(Schema):
    rows: list[PaymentIn]


class UnmatchedOut(Schema):
    reference: str
    bill_number: str
    amount_fen: int
    paid_on: date
    reason: str


class PaymentImportOut(Schema):
    import_id: int
    replayed: bool
    rows: int
    new_payments: int
    duplicates: int
    unmatched: int
    amount_fen: int
    bills_settled: int
    postings_created: int
    unmatched_payments: list[UnmatchedOut]
    conflicting_references: list[str]


class EmployerBalanceOut(Schema):
    credit_code: str
    name: str
    bills: int
    due_fen: int
    paid_fen: int
    refunded_fen: int
    outstanding_fen: int
    category: str


class ReconciliationOut(Schema):
    agency: str
    period: int
    counts: dict[str, int]
    due_fen: int
    paid_fen: int
    refunded_fen: int
    matching: int
    rows: list[EmployerBalanceOut]


class ReconciliationQuery(Schema):
    agency: str
    period: int
    category: str = ""
    limit: int = 100
    offset: Offset = 0


class ArrearOut(Schema):
    bill_number: str
    period: int
    kind: str
    payer_code: str
    payer_name: str
    agency: str
    due_date: date
    total_fen: int
    paid_fen: int
    outstanding_fen: int
    days_late: int
    late_fee_fen: int


class ArrearsQuery(Schema):
    agency: str
    on: date | None = None
    limit: int = 100
    offset: Offset = 0


class UnmatchedPaymentOut(Schema):
    reference: str
    bill_number: str
    amount_fen: int
    paid_on: date


def _agency(actor: Actor, code: str) -> Agency:
    """The agency named by code, reported absent when it is outside the actor's scope."""
    agency = Agency.objects.filter(code=code).first()
    if agency is None or not in_scope(actor, agency):
        raise OutOfScope()
    return agency


def _import_out(result: PaymentImportResult) -> dict[str, Any]:
    record = result.payment_import
    return {
        "import_id": record.pk,
        "replayed": result.replayed,
        "rows": record.rows,
        "new_payments": record.new_payments,
        "duplicates": record.duplicates,
        "unmatched": record.unmatched,
        "amount_fen": record.amount_fen,
        "bills_settled": result.bills_settled,
        "postings_created": result.postings_created,
        "unmatched_payments": result.unmatched,
        "conflicting_references": result.conflicting_references,
    }


@router.post(
    "/payments",
    response={200: PaymentImportOut, 400: ErrorOut, 403: ErrorOut},
    summary="Payment records from the tax bureau; idempotent by voucher reference",
)
def payments_post(request: HttpRequest, payload: PaymentsIn) -> Any:
    actor = actor_from_request(request, Channel.API)
    rows = [
        {
            "reference": row.reference,
            "bill_number": row.bill_number,
            "payer_code": row.payer_code,
            "amount_fen": str(row.amount_fen),
            "paid_on": row.paid_on.isoformat(),
        }
        for row in payload.rows
    ]
    result = payments_receive(actor=actor, rows=rows, label=f"api:{actor.username}")
    return _import_out(result)


@router.get(
    "/payments/unmatched",
    response={200: list[UnmatchedPaymentOut], 403: ErrorOut},
    summary="Payments recorded without a bill, oldest first",
)
def payments_unmatched_get(request: HttpRequest, limit: int = 100, offset: Offset = 0) -> Any:
    limit = max(1, min(limit, PAGE_LIMIT))
    offset = max(offset, 0)
    return list(
        payments_unmatched(actor_from_request(request, Channel.API))[offset : offset + limit]
    )


@router.get(
    "/reconciliation",
    response={200: ReconciliationOut, 400: ErrorOut, 404: ErrorOut},
    summary="Employers' due, paid and refunded amounts for a period, by category",
)
def reconciliation_get(request: HttpRequest, query: Query[ReconciliationQuery]) -> Any:
    actor = actor_from_request(request, Channel.API)
    report = employer_reconciliation(
        actor,
        agency=_agency(actor, query.agency),
        period=query.period,
        category=query.category or None,
        offset=max(query.offset, 0),
        limit=max(1, min(query.limit, PAGE_LIMIT)),
    )
    return {
        "agency": report.agency.code,
        "period": report.period,
        "counts": report.counts,
        "due_fen": report.due_fen,
        "paid_fen": report.paid_fen,
        "refunded_fen": report.refunded_fen,
        "matching": report.matching,
        "rows": [
            {
                "credit_code": row.payer_code,
                "name": row.name,
                "bills": row.bills,
                "due_fen": row.due_fen,
                "paid_fen": row.paid_fen,
                "refunded_fen": row.refunded_fen,
                "outstanding_fen": row.outstanding_fen,
                "category": row.category,
            }
            for row in report.rows
        ],
    }


def _arrear_out(arrear: Arrear) -> dict[str, Any]:
    bill = arrear.bill
    if bill.employer is not None:
        payer_code, payer_name = bill.employer.credit_code, bill.employer.name
    else:
        assert bill.person is not None
        payer_code = mask_resident_id(bill.person.resident_id)
        payer_name = mask_name(bill.person.name)
    return {
        "bill_number": bill.number,
        "period": bill.period,
        "kind": bill.kind,
        "payer_code": payer_code,
        "payer_name": payer_name,
        "agency": bill.agency.code,
        "due_date": bill.due_date,
        "total_fen": bill.total_fen,
        "paid_fen": bill.paid_fen,
        "outstanding_fen": arrear.outstanding_fen,
        "days_late": arrear.days_late,
        "late_fee_fen": arrear.late_fee_fen,
    }


@router.get(
    "/arrears",
    response={200: list[ArrearOut], 404: ErrorOut},
    summary="Bills past their due date and not fully paid, with the late fee to a date",
)
def arrears_get(request: HttpRequest, query: Query[ArrearsQuery]) -> Any:
    actor = actor_from_request(request, Channel.API)
    arrears = arrears_list(
        actor,
        agency=_agency(actor, query.agency),
        on=query.on or timezone.localdate(),
        offset=max(query.offset, 0),
        limit=max(1, min(query.limit, PAGE_LIMIT)),
    )
    return [_arrear_out(arrear) for arrear in arrears]


class WageIn(Schema):
    resident_id: str
    wage_fen: int


class BaseDeclarationIn(Schema):
    employer: str  # unified social credit code
    year: int
    rows: list[WageIn]


class VerifiedBaseOut(Schema):
    resident_id: str
    name: str
    schemes: list[str]
    wage_fen: int
    base_fen: int
    clamp: str
    floor_fen: int
    cap_fen: int


class BaseDeclarationOut(Schema):
    case: CaseOut
    floor: int
    cap: int
    within: int
    bases: list[VerifiedBaseOut]


class ContributionBaseOut(Schema):
    resident_id: str
    name: str
    scheme: str
    year: int
    source: str
    declared_wage_fen: int
    base_fen: int
    clamp: str


def _employer_in_scope(actor: Actor, credit_code: str) -> Employer:
    employer = employer_list(actor).filter(credit_code=credit_code.strip().upper()).first()
    if employer is None:
        raise OutOfScope()
    return employer


@router.post(
    "/base-declarations",
    response={201: BaseDeclarationOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Declare employees' average monthly wages for a year: clamped, opens the case",
)
def base_declaration_post(request: HttpRequest, payload: BaseDeclarationIn) -> Status[Any]:
    actor = actor_from_request(request, Channel.API)
    employer = _employer_in_scope(actor, payload.employer)
    case = base_declaration_request(
        actor=actor,
        employer=employer,
        year=payload.year,
        rows=[WageRow(row.resident_id, row.wage_fen) for row in payload.rows],
        channel="api",
    )
    bases = [
        {
            **item,
            "resident_id": mask_resident_id(item["resident_id"]),
            "name": mask_name(item["name"]),
        }
        for item in case.data["bases"]
    ]
    return Status(201, {"case": case, **clamp_summary(case.data["bases"]), "bases": bases})


@router.get(
    "/contribution-bases",
    response={200: list[ContributionBaseOut], 404: ErrorOut},
    summary="Verified bases of an employer's employees for a year",
)
def contribution_bases_get(
    request: HttpRequest, employer: str, year: int, limit: int = 100, offset: Offset = 0
) -> Any:
    actor = actor_from_request(request, Channel.API)
    firm = _employer_in_scope(actor, employer)
    rows = (
        ContributionBase.objects.filter(employer=firm, year=year)
        .select_related("person")
        .order_by("person_id", "scheme")[offset : offset + min(limit, 1000)]
    )
    return [
        {
            "resident_id": mask_resident_id(row.person.resident_id),
            "name": mask_name(row.person.name),
            "scheme": row.scheme,
            "year": row.year,
            "source": row.source,
            "declared_wage_fen": row.declared_wage_fen,
            "base_fen": row.base_fen,
            "clamp": row.clamp,
        }
        for row in rows
    ]
