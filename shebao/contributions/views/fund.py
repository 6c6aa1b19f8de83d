"""The fund officer's collection pages (基金财务): the exchange with the tax bureau (the
assessment file out, payment files in), unmatched payments matched by hand, the
reconciliation of employers per period and the arrears with their late fees, the two lists
also as Excel. Thin: the checks live in the services, the reads in the selectors.

Imports, exports and matching take the ``run_batch`` permission (fund officers); the two lists
are read by fund officers and by agency heads and auditors, within their agency subtree.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, Sum
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shebao.contributions.excel_fund import (
    arrear_payer,
    arrears_workbook,
    reconciliation_workbook,
)
from shebao.contributions.exchange import CSV, JSON, assessment_export
from shebao.contributions.forms_fund import (
    ArrearsForm,
    AssessmentExportForm,
    PaymentFileForm,
    PaymentMatchForm,
    ReconciliationForm,
)
from shebao.contributions.models import Bill, Payment, PaymentImport
from shebao.contributions.selectors import (
    Arrear,
    Reconciliation,
    ReconciliationCategory,
    arrears_list,
    arrears_totals,
    employer_reconciliation,
    ensure_fund_reader,
    payments_unmatched,
)
from shebao.contributions.services.payments import (
    UNMATCHED_NO_BILL,
    UNMATCHED_PAYER,
    PaymentImportResult,
    UnmatchedPayment,
    payment_file_import,
    payment_match,
)
from shebao.contributions.views.bills import XLSX
from shebao.core.actors import Actor, actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.feedback import report_refusal
from shebao.core.models import Action, Agency
from shebao.core.money import format_yuan
from shebao.core.periods import period_add, period_of
from shebao.core.permissions import ensure_can, scope_filter
from shebao.core.selectors import agencies_in_scope
from shebao.registry.batch import codes as _batch_codes  # noqa: F401  (BATCH-TOO-LARGE)
from shebao.rules.store import DatabaseParameters

LIST_PAGE = 50
RECENT_IMPORTS = 20
UNMATCHED_SHOWN = 200  # of one import's result; the unmatched page lists them all
# A delivery of the whole province is some hundred thousand rows of about 80 bytes.
PAYMENT_FILE_MAX_BYTES = 50 * 1024 * 1024
ARREARS_BATCH = 2000
# Above this many bills the page leaves the late fee total to the Excel download: the fee is
# computed bill by bill (each with the rate of its region and due date).
LATE_FEE_TOTAL_LIMIT = 20_000
EXPORT_TYPES = {CSV: "text/csv; charset=utf-8", JSON: "application/json"}
REASON_LABELS = {
    UNMATCHED_NO_BILL: gettext_lazy("No such bill in the importer's scope"),
    UNMATCHED_PAYER: gettext_lazy("The bill belongs to another payer"),
}
# The order the reconciliation shows its categories in.
CATEGORY_ORDER = (
    ReconciliationCategory.PAID,
    ReconciliationCategory.PARTLY_PAID,
    ReconciliationCategory.UNPAID,
    ReconciliationCategory.OVERPAID,
    ReconciliationCategory.NOTHING_DUE,
)


# --- shared pieces --------------------------------------------------------------------------


def _page_number(request: HttpRequest) -> int:
    try:
        return max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        return 1


def _page(total: int, number: int) -> tuple[Page[int], int]:
    """The page of ``total`` rows asked for (the last one when beyond it) and its offset."""
    page = Paginator(range(total), LIST_PAGE).get_page(number)
    return page, (page.number - 1) * LIST_PAGE


def _query(**values: object) -> str:
    """The filter as a query string prefix for the pager and the download links."""
    return urlencode({k: v for k, v in values.items() if v not in (None, "")}) + "&"


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _home_agency(actor: Actor) -> str:
    return actor.agency.code if actor.agency is not None else ""


# --- exchange with the tax bureau (税务交换) ----------------------------------------------------


@dataclass(frozen=True)
class UnmatchedRow:
    reference: str
    bill_number: str
    amount: str
    paid_on: date
    reason: str
    reason_label: str

    @classmethod
    def of(
        cls, reference: str, bill_number: str, amount_fen: int, paid_on: date, reason: str
    ) -> UnmatchedRow:
        return cls(
            reference=reference,
            bill_number=bill_number,
            amount=format_yuan(amount_fen),
            paid_on=paid_on,
            reason=reason,
            reason_label=str(REASON_LABELS.get(reason, reason)),
        )


@dataclass(frozen=True)
class ImportOutcome:
    """What the page shows of an import: the record's counts, and for a new import what it
    settled and the references in conflict."""

    record: PaymentImport
    replayed: bool
    amount: str
    unmatched: list[UnmatchedRow]
    unmatched_more: int
    conflicts: list[str]
    bills_settled: int
    postings_created: int

    @classmethod
    def of(cls, result: PaymentImportResult) -> ImportOutcome:
        shown: list[UnmatchedPayment] = result.unmatched[:UNMATCHED_SHOWN]
        return cls(
            record=result.payment_import,
            replayed=result.replayed,
            amount=format_yuan(result.payment_import.amount_fen),
            unmatched=[
                UnmatchedRow.of(u.reference, u.bill_number, u.amount_fen, u.paid_on, u.reason)
                for u in shown
            ],
            unmatched_more=len(result.unmatched) - len(shown),
            conflicts=result.conflicting_references,
            bills_settled=result.bills_settled,
            postings_created=result.postings_created,
        )


def _export_form(actor: Actor, data: Any = None) -> AssessmentExportForm:
    return AssessmentExportForm(
        data,
        agencies=agencies_in_scope(actor),
        initial={"period": str(period_of(timezone.localdate())), "agency": _home_agency(actor)},
    )


def _exchange_page(
    request: HttpRequest,
    actor: Actor,
    *,
    export_form: AssessmentExportForm | None = None,
    upload: PaymentFileForm | None = None,
    outcome: ImportOutcome | None = None,
) -> HttpResponse:
    recent = list(PaymentImport.objects.order_by("-imported_at", "-id")[:RECENT_IMPORTS])
    return render(
        request,
        "contributions/exchange.html",
        {
            "export_form": export_form or _export_form(actor),
            "upload": upload or PaymentFileForm(),
            "outcome": outcome,
            "recent": [(record, format_yuan(record.amount_fen)) for record in recent],
            "max_megabytes": PAYMENT_FILE_MAX_BYTES // (1024 * 1024),
        },
    )


@login_required
def exchange(request: HttpRequest) -> HttpResponse:
    """The assessment export form, the payment upload form and the recent imports."""
    actor = actor_from_request(request)
    ensure_can(actor, Action.RUN_BATCH)
    return _exchange_page(request, actor)


@login_required
@require_POST
def exchange_export(request: HttpRequest) -> HttpResponseBase:
    """Download the assessment file of a period (核定数据导出) under the agreed file name."""
    actor = actor_from_request(request)
    ensure_can(actor, Action.RUN_BATCH)
    form = _export_form(actor, request.POST)
    if not form.is_valid():
        return _exchange_page(request, actor, export_form=form)
    file_format = form.cleaned_data["file_format"]
    # Spooled to disk: a province's file is too large to hold in memory, and the response can
    # only start once the export (one transaction with its audit entry) has succeeded.
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    try:
        export = assessment_export(
            actor=actor,
            period=form.cleaned_data["period"],
            agency=form.cleaned_data["agency"],
            file_format=file_format,
            out=spool,
            run_id=form.cleaned_data["run"],
        )
    except RuleViolation as exc:
        spool.close()
        report_refusal(request, exc)
        return _exchange_page(request, actor, export_form=form)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=export.file_name,
        content_type=EXPORT_TYPES[file_format],
    )


@login_required
@require_POST
def payment_import(request: HttpRequest) -> HttpResponse:
    """Import a payment file from the tax bureau and show what it did. Sending the same file
    again (a reload, say) changes nothing and says so."""
    actor = actor_from_request(request)
    ensure_can(actor, Action.RUN_BATCH)
    upload = PaymentFileForm(request.POST, request.FILES)
    outcome = None
    if upload.is_valid():
        file = upload.cleaned_data["file"]
        try:
            if file.size > PAYMENT_FILE_MAX_BYTES:
                raise RuleViolation(
                    "BATCH-TOO-LARGE",
                    size=f"{file.size / 1048576:.1f} MB",
                    limit=f"{PAYMENT_FILE_MAX_BYTES / 1048576:.1f} MB",
                )
            result = payment_file_import(actor=actor, content=file.read(), file_name=file.name)
            outcome = ImportOutcome.of(result)
        except RuleViolation as exc:
            report_refusal(request, exc)
    return _exchange_page(request, actor, upload=upload, outcome=outcome)


# --- unmatched payments (未匹配到账) -------------------------------------------------------------


def _reasons(actor: Actor, payments: list[Payment]) -> dict[str, str]:
    """Why each payment has no bill, as the import decided it: a bill of that number in the
    actor's scope means the payer did not match, else there is no such bill."""
    numbers = {payment.bill_number for payment in payments}
    found = set(
        scope_filter(Bill.objects.filter(number__in=numbers), actor, "agency").values_list(
            "number", flat=True
        )
    )
    return {n: UNMATCHED_PAYER if n in found else UNMATCHED_NO_BILL for n in numbers}


@login_required
def unmatched(request: HttpRequest) -> HttpResponse:
    """Payments recorded without a bill, oldest first, each with a form to match it."""
    actor = actor_from_request(request)
    payments = payments_unmatched(actor)
    totals = payments.aggregate(count=Count("id"), amount=Sum("amount_fen"))
    page, offset = _page(int(totals["count"]), _page_number(request))
    listed = list(payments[offset : offset + LIST_PAGE])
    reasons = _reasons(actor, listed)
    rows = [
        (
            payment,
            UnmatchedRow.of(
                payment.reference,
                payment.bill_number,
                payment.amount_fen,
                payment.paid_on,
                reasons[payment.bill_number],
            ),
        )
        for payment in listed
    ]
    return render(
        request,
        "contributions/unmatched.html",
        {
            "rows": rows,
            "page": page,
            "query": "",
            "payment_count": totals["count"],
            "amount": format_yuan(int(totals["amount"] or 0)),
            "match_form": PaymentMatchForm(),
        },
    )


@login_required
@require_POST
def unmatched_match(request: HttpRequest, payment_id: int) -> HttpResponse:
    """Match one payment to a bill typed by its number (到账匹配); the bill is settled."""
    actor = actor_from_request(request)
    ensure_can(actor, Action.RUN_BATCH)
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        raise Http404("no such payment")
    form = PaymentMatchForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{payment.reference}: {error}")
    else:
        number = form.cleaned_data["bill_number"]
        # The service refuses a bill outside the actor's scope; it reads as unknown here.
        found = (
            scope_filter(Bill.objects.select_related("agency"), actor, "agency")
            .filter(number=number)
            .first()
        )
        if found is None:
            messages.error(
                request,
                _("Bill %(number)s was not found in your agency's scope.") % {"number": number},
            )
        else:
            try:
                payment_match(actor=actor, payment=payment, bill=found)
                found.refresh_from_db()
                messages.success(
                    request,
                    _("Payment %(reference)s now pays bill %(bill)s (%(status)s).")
                    % {
                        "reference": payment.reference,
                        "bill": found.number,
                        "status": found.get_payment_status_display(),
                    },
                )
            except RuleViolation as exc:
                report_refusal(request, exc)
    target = reverse("contributions:unmatched")
    page = request.POST.get("page", "")
    return redirect(f"{target}?page={page}" if page.isdigit() else target)


# --- reconciliation (对账) ---------------------------------------------------------------------


def _reconciliation_form(request: HttpRequest, actor: Actor) -> ReconciliationForm:
    """Bound to the query string, or to last month and the actor's agency when it has none,
    so the page opens on a list."""
    defaults = {
        "period": str(period_add(period_of(timezone.localdate()), -1)),
        "agency": _home_agency(actor),
        "category": "",
    }
    return ReconciliationForm(
        {key: request.GET.get(key, default) for key, default in defaults.items()},
        agencies=agencies_in_scope(actor),
    )


def _reconciliation_filter(form: ReconciliationForm) -> tuple[Agency, int, str | None]:
    return (
        form.cleaned_data["agency"],
        form.cleaned_data["period"],
        form.cleaned_data["category"] or None,
    )


@login_required
def reconciliation(request: HttpRequest) -> HttpResponse:
    """Employers' due, paid and refunded amounts for a period: counts and totals per category,
    and the employers, a page at a time."""
    actor = actor_from_request(request)
    ensure_fund_reader(actor)
    form = _reconciliation_form(request, actor)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        agency, period, category = _reconciliation_filter(form)
        number = _page_number(request)
        offset = (number - 1) * LIST_PAGE

        def report_at(offset: int) -> Reconciliation:
            return employer_reconciliation(
                actor, agency=agency, period=period, category=category, offset=offset,
                limit=LIST_PAGE,
            )  # fmt: skip

        report = report_at(offset)
        page, page_offset = _page(report.matching, number)
        if page_offset != offset:  # beyond the last page: show the last one
            report = report_at(page_offset)
        net = report.paid_fen - report.refunded_fen
        filters = {"period": period, "agency": agency.code}
        context |= {
            "report": report,
            "page": page,
            "query": _query(**filters, category=category),
            "filters": urlencode(filters),
            "category": category,
            "categories": [
                (choice.value, choice.label, report.counts.get(choice.value, 0))
                for choice in CATEGORY_ORDER
            ],
            "totals": {
                "employers": sum(report.counts.values()),
                "due": format_yuan(report.due_fen),
                "paid": format_yuan(report.paid_fen),
                "refunded": format_yuan(report.refunded_fen),
                "balance": format_yuan(report.due_fen - net),
            },
            "rows": [
                (
                    row,
                    {
                        "due": format_yuan(row.due_fen),
                        "paid": format_yuan(row.paid_fen),
                        "refunded": format_yuan(row.refunded_fen),
                        "balance": format_yuan(row.outstanding_fen),
                        "category": ReconciliationCategory(row.category).label,
                    },
                )
                for row in report.rows
            ],
            "year": period // 100,
        }
    return render(request, "contributions/reconciliation.html", context)


@login_required
def reconciliation_xlsx(request: HttpRequest) -> HttpResponse:
    """The whole list of the filter (every page) as Excel."""
    actor = actor_from_request(request)
    ensure_fund_reader(actor)
    form = _reconciliation_form(request, actor)
    if not form.is_valid():
        return HttpResponseBadRequest("filter")
    agency, period, category = _reconciliation_filter(form)
    head = employer_reconciliation(actor, agency=agency, period=period, category=category, limit=0)
    report = employer_reconciliation(
        actor, agency=agency, period=period, category=category, limit=head.matching
    )
    data = reconciliation_workbook(
        agency=agency,
        period=period,
        category=category,
        counts=report.counts,
        rows=report.rows,
        generated_at=timezone.now(),
    )
    suffix = f"-{category}" if category else ""
    return _xlsx(data, f"reconciliation-{agency.code}-{period}{suffix}.xlsx")


# --- arrears (欠费) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArrearRow:
    arrear: Arrear
    payer: str
    payer_code: str
    total: str
    paid: str
    outstanding: str
    late_fee: str

    @classmethod
    def of(cls, arrear: Arrear) -> ArrearRow:
        name, code = arrear_payer(arrear)
        return cls(
            arrear=arrear,
            payer=name,
            payer_code=code,
            total=format_yuan(arrear.bill.total_fen),
            paid=format_yuan(arrear.bill.paid_fen),
            outstanding=format_yuan(arrear.outstanding_fen),
            late_fee=format_yuan(arrear.late_fee_fen),
        )


def _arrears_form(request: HttpRequest, actor: Actor) -> ArrearsForm:
    defaults = {"agency": _home_agency(actor), "on": ""}
    return ArrearsForm(
        {key: request.GET.get(key, default) for key, default in defaults.items()},
        agencies=agencies_in_scope(actor),
    )


def _arrears_filter(form: ArrearsForm) -> tuple[Agency, date]:
    return form.cleaned_data["agency"], form.cleaned_data["on"] or timezone.localdate()


def _arrears_all(
    actor: Actor, agency: Agency, on: date, source: DatabaseParameters
) -> Iterator[Arrear]:
    """Every arrear of the filter, read a batch at a time with one parameter store."""
    offset = 0
    while True:
        batch = arrears_list(
            actor, agency=agency, on=on, offset=offset, limit=ARREARS_BATCH, source=source
        )
        yield from batch
        if len(batch) < ARREARS_BATCH:
            return
        offset += ARREARS_BATCH


@login_required
def arrears(request: HttpRequest) -> HttpResponse:
    """Bills past their due date and not fully paid, oldest first, with the days late and the
    late fee to the day asked for (today unless another is given)."""
    actor = actor_from_request(request)
    ensure_fund_reader(actor)
    form = _arrears_form(request, actor)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        agency, on = _arrears_filter(form)
        totals = arrears_totals(actor, agency=agency, on=on)
        page, offset = _page(totals["bills"], _page_number(request))
        source = DatabaseParameters()
        listed = arrears_list(
            actor, agency=agency, on=on, offset=offset, limit=LIST_PAGE, source=source
        )
        late_fee_total = None
        if totals["bills"] <= LATE_FEE_TOTAL_LIMIT:
            late_fee = sum(a.late_fee_fen for a in _arrears_all(actor, agency, on, source))
            late_fee_total = format_yuan(late_fee)
        filters = {"agency": agency.code, "on": on.isoformat()}
        context |= {
            "on": on,
            "page": page,
            "query": _query(**filters),
            "filters": urlencode(filters),
            "rows": [ArrearRow.of(arrear) for arrear in listed],
            "totals": {
                "bills": totals["bills"],
                "outstanding": format_yuan(totals["outstanding_fen"]),
                "late_fee": late_fee_total,
            },
            "late_fee_limit": LATE_FEE_TOTAL_LIMIT,
        }
    return render(request, "contributions/arrears.html", context)


@login_required
def arrears_xlsx(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    ensure_fund_reader(actor)
    form = _arrears_form(request, actor)
    if not form.is_valid():
        return HttpResponseBadRequest("filter")
    agency, on = _arrears_filter(form)
    data = arrears_workbook(
        agency=agency,
        on=on,
        arrears=_arrears_all(actor, agency, on, DatabaseParameters()),
        generated_at=timezone.now(),
    )
    return _xlsx(data, f"arrears-{agency.code}-{on:%Y%m%d}.xlsx")
