"""Counter pages of the pension accounts (个人账户柜面): transfer out of the province with its
price, transfer in as the other province's letter states it, and account corrections. Each
page shows what the request would do before its case is opened, then leads to an outcome page
with the receipt; a refusal shows its rule code and writes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.accounts.forms import CorrectionForm, TransferInForm, TransferOutForm
from shebao.accounts.models import AccountEntry, Transfer
from shebao.accounts.services.corrections import (
    ITEM_CORRECTION,
    correction_plan,
    correction_request,
)
from shebao.accounts.services.journal import balance_fen
from shebao.accounts.services.transfers import (
    ITEM_TRANSFER,
    open_transfer_case,
    pension_relation_active,
    transfer_in_request,
    transfer_out_price,
    transfer_out_request,
)
from shebao.contributions.forms_counter import refusal_text
from shebao.core.actors import Actor, actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.feedback import report_refusal
from shebao.core.masking import mask_resident_id
from shebao.core.money import format_yuan
from shebao.core.periods import period_format, period_of
from shebao.registry.models import Person
from shebao.registry.selectors import person_get
from shebao.services.models import OPEN_STATUSES, Case
from shebao.services.selectors import case_get

# A correction page lists the newest entries; older ones are corrected by an adjustment.
ENTRY_LIMIT = 120


def _opened(request: HttpRequest, case: Case, outcome: str, person: Person) -> HttpResponse:
    """Tell the receipt number and lead to the outcome page (reloading it opens nothing)."""
    messages.success(request, _("Case %(no)s opened.") % {"no": case.receipt_no})
    return HttpResponseRedirect(
        reverse(outcome, kwargs={"person_id": person.pk, "case_id": case.pk})
    )


def _case_of(actor: Actor, case_id: int, item_code: str, person: Person) -> Case:
    """The case behind an outcome page: in scope, of this item and of this person."""
    case = case_get(actor, case_id)
    if case.item.code != item_code or case.applicant_person_id != person.pk:
        raise Http404("not a case of this item and person")
    return case


def _person_context(person: Person) -> dict[str, Any]:
    return {
        "person": person,
        "masked_id": mask_resident_id(person.resident_id),
        "balance": format_yuan(balance_fen(person)),
    }


def _wants_preview(request: HttpRequest) -> bool:
    return request.POST.get("action") == "preview"


# --- transfer out (转出) ----------------------------------------------------------------------


@login_required
def transfer_out(request: HttpRequest, person_id: int) -> HttpResponse:
    """The price for this month, then the other side; the case opens with that price."""
    actor = actor_from_request(request)
    person = person_get(actor, person_id)
    form = TransferOutForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = transfer_out_request(
                actor=actor,
                person=person,
                other_region=form.cleaned_data["other_region"],
                other_agency=form.cleaned_data["other_agency"],
            )
            case = case_get(actor, transfer.case_id)
            return _opened(request, case, "accounts:transfer_out_outcome", person)
        except RuleViolation as exc:
            report_refusal(request, exc)
    relation = pension_relation_active(person)
    period = period_of(timezone.localdate())
    price = None
    refusal = ""
    if relation is None:
        refusal = refusal_text(RuleViolation("TRF-NO-PENSION-RELATION"))
    else:
        try:
            price = transfer_out_price(person=person, period=period)
        except RuleViolation as exc:
            refusal = refusal_text(exc)
    return render(
        request,
        "accounts/transfer_out.html",
        {
            **_person_context(person),
            "form": form,
            "relation": relation,
            "month": period_format(period),
            "price": price,
            "refusal": refusal,
            "pending": open_transfer_case(person),
        },
    )


@login_required
def transfer_out_outcome(request: HttpRequest, person_id: int, case_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    person = person_get(actor, person_id)
    case = _case_of(actor, case_id, ITEM_TRANSFER, person)
    transfer = Transfer.objects.filter(case_id=case.pk, direction="out").first()
    if transfer is None:
        raise Http404("no transfer out for this case")
    return render(
        request,
        "accounts/transfer_out_outcome.html",
        {
            **_person_context(person),
            "case": case,
            "transfer": transfer,
            "period": period_format(transfer.period),
        },
    )


# --- transfer in (转入) -----------------------------------------------------------------------


@login_required
def transfer_in(request: HttpRequest, person_id: int) -> HttpResponse:
    """The amounts of the transfer letter, previewed against the account, then the case."""
    actor = actor_from_request(request)
    person = person_get(actor, person_id)
    form = TransferInForm(request.POST if request.method == "POST" else None)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _wants_preview(request):
            balance = balance_fen(person)
            preview = {
                "account": format_yuan(data["account"]),
                "pooled": format_yuan(data["pooled"]),
                "months": data["months"],
                "after": format_yuan(balance + data["account"]),
            }
        else:
            try:
                transfer = transfer_in_request(
                    actor=actor,
                    person=person,
                    other_region=data["other_region"],
                    other_agency=data["other_agency"],
                    account_fen=data["account"],
                    pooled_fen=data["pooled"],
                    months=data["months"],
                )
                case = case_get(actor, transfer.case_id)
                return _opened(request, case, "accounts:transfer_in_outcome", person)
            except RuleViolation as exc:
                report_refusal(request, exc)
    return render(
        request,
        "accounts/transfer_in.html",
        {
            **_person_context(person),
            "form": form,
            "preview": preview,
            "relation": pension_relation_active(person),
            "pending": open_transfer_case(person),
        },
    )


@login_required
def transfer_in_outcome(request: HttpRequest, person_id: int, case_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    person = person_get(actor, person_id)
    case = _case_of(actor, case_id, ITEM_TRANSFER, person)
    transfer = Transfer.objects.filter(case_id=case.pk, direction="in").first()
    if transfer is None:
        raise Http404("no transfer in for this case")
    return render(
        request,
        "accounts/transfer_in_outcome.html",
        {
            **_person_context(person),
            "case": case,
            "transfer": transfer,
            "period": period_format(transfer.period),
        },
    )


# --- correction (缴费记录更正) -----------------------------------------------------------------


def _entry_rows(person: Person) -> list[dict[str, Any]]:
    """The newest entries, each saying whether it may still be reversed."""
    entries = list(
        AccountEntry.objects.filter(person=person).order_by("-year", "-month", "-id")[:ENTRY_LIMIT]
    )
    reversed_ids = set(
        AccountEntry.objects.filter(person=person, reverses__isnull=False).values_list(
            "reverses_id", flat=True
        )
    )
    return [
        {
            "entry": entry,
            "when": f"{entry.year}-{entry.month:02d}",
            "amount": format_yuan(entry.amount_fen),
            "reversed": entry.pk in reversed_ids,
            "reversible": entry.reverses_id is None and entry.pk not in reversed_ids,
        }
        for entry in entries
    ]


@login_required
def correction(request: HttpRequest, person_id: int) -> HttpResponse:
    """Pick an entry to reverse or type an adjustment, with the reason; preview, then open."""
    actor = actor_from_request(request)
    person = person_get(actor, person_id)
    rows = _entry_rows(person)
    form = CorrectionForm(
        request.POST if request.method == "POST" else None,
        entry_ids=[row["entry"].pk for row in rows if row["reversible"]],
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = next((r["entry"] for r in rows if r["entry"].pk == data["entry"]), None)
        try:
            if _wants_preview(request):
                plan = correction_plan(
                    person=person, reason=data["reason"], entry=chosen, amount_fen=data["amount"]
                )
                preview = {
                    "amount": format_yuan(plan.amount_fen),
                    "before": format_yuan(plan.balance_before_fen),
                    "after": format_yuan(plan.balance_after_fen),
                    "reverses": chosen,
                }
            else:
                case = correction_request(
                    actor=actor,
                    person=person,
                    reason=data["reason"],
                    entry=chosen,
                    amount_fen=data["amount"],
                )
                return _opened(request, case, "accounts:correction_outcome", person)
        except RuleViolation as exc:
            report_refusal(request, exc)
    return render(
        request,
        "accounts/correction.html",
        {
            **_person_context(person),
            "form": form,
            "rows": rows,
            "chosen": form.data.get("entry", "") if form.is_bound else "",
            "preview": preview,
            "limit": ENTRY_LIMIT,
            "pending": Case.objects.filter(
                item__code=ITEM_CORRECTION, applicant_person=person, status__in=OPEN_STATUSES
            ).order_by("pk"),
        },
    )


@login_required
def correction_outcome(request: HttpRequest, person_id: int, case_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    person = person_get(actor, person_id)
    case = _case_of(actor, case_id, ITEM_CORRECTION, person)
    return render(
        request,
        "accounts/correction_outcome.html",
        {**_person_context(person), "case": case},
    )
