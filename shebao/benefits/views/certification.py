"""Lifecycle pages of a pension: the counter certification (SBQL001), the counter request to
end a pension on death (SBBC004), the printable notices, and the fund officer's pages — the
monthly certification sweep, the death-data comparison import and the overpayments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shebao.benefits.certification import KIND as SWEEP
from shebao.benefits.models import OverpaymentStatus, Pension, PensionNotice
from shebao.benefits.selectors import pensions_visible
from shebao.benefits.services.certification import (
    certification_at_counter,
    certification_due,
    certification_sweep_create,
    certification_sweep_execute,
)
from shebao.benefits.services.death import (
    comparison_import,
    death_request,
    overpayment_get,
    overpayment_recover,
    overpayments_visible,
)
from shebao.core.actors import Actor, actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.feedback import report_refusal
from shebao.core.masking import mask_resident_id
from shebao.core.models import Action, Agency, BatchRun
from shebao.core.money import format_yuan, parse_yuan
from shebao.core.periods import period_add, period_of
from shebao.core.permissions import (
    OutOfScope,
    PermissionRefused,
    actor_can,
    ensure_can,
    scope_filter,
)
from shebao.core.selectors import agencies_in_scope

PAGE = 50


def _dates(form: forms.Form) -> None:
    for field in form.fields.values():
        field.widget.attrs["class"] = "form-control form-control-sm"


class DateForm(forms.Form):
    day = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _dates(self)


class DeathForm(DateForm):
    reference = forms.CharField(
        label=gettext_lazy("Death certificate number"), max_length=100, required=False
    )


class SweepForm(forms.Form):
    period = forms.IntegerField(label=gettext_lazy("Payroll month (YYYYMM)"))
    as_of = forms.DateField(
        label=gettext_lazy("Overdue on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Agency subtree"), queryset=Agency.objects.none(), to_field_name="code"
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        _dates(self)


class ComparisonForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Comparison file (CSV)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _dates(self)


class RecoveryForm(DateForm):
    amount = forms.CharField(label=gettext_lazy("Amount recovered (yuan)"), max_length=20)


def _pension(actor: Actor, pension_id: int) -> Pension:
    pension = pensions_visible(actor).filter(pk=pension_id).first()
    if pension is None:
        raise OutOfScope()
    return pension


def _pension_context(pension: Pension) -> dict[str, Any]:
    return {
        "pension": pension,
        "person": pension.person,
        "masked_id": mask_resident_id(pension.person.resident_id),
        "due": certification_due(pension),
    }


def _ensure_fund(actor: Actor) -> None:
    if not (actor_can(actor, Action.RUN_BATCH) or actor_can(actor, Action.AUDIT)):
        raise PermissionRefused(Action.RUN_BATCH, "*")


# --- counter -----------------------------------------------------------------------------------


@login_required
def pension_certify(request: HttpRequest, pension_id: int) -> HttpResponse:
    """Certify the retiree at the counter (in person, ID checked): done on the spot."""
    actor = actor_from_request(request)
    pension = _pension(actor, pension_id)
    form = DateForm(
        request.POST if request.method == "POST" else None,
        initial={"day": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = certification_at_counter(
                actor=actor, pension=pension, certified_on=form.cleaned_data["day"]
            )
            messages.success(request, _("Certified; case %(no)s done.") % {"no": case.receipt_no})
            return redirect("benefits:pension_detail", pension_id=pension.pk)
        except RuleViolation as exc:
            report_refusal(request, exc)
    return render(
        request, "benefits/certification_counter.html", _pension_context(pension) | {"form": form}
    )


@login_required
def pension_death(request: HttpRequest, pension_id: int) -> HttpResponse:
    """Report a retiree's death at the counter: opens SBBC004; the approval stops the pension."""
    actor = actor_from_request(request)
    pension = _pension(actor, pension_id)
    form = DeathForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            case = death_request(
                actor=actor,
                pension=pension,
                died_on=form.cleaned_data["day"],
                reference=form.cleaned_data["reference"],
            )
            messages.success(request, _("Case %(no)s opened.") % {"no": case.receipt_no})
            return redirect("services:case_detail", case.pk)
        except RuleViolation as exc:
            report_refusal(request, exc)
    return render(
        request, "benefits/death_request.html", _pension_context(pension) | {"form": form}
    )


@login_required
def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    """A printable notice to the retiree (suspension, resumption, stop, overpayment,
    adjustment)."""
    actor = actor_from_request(request)
    notice = (
        scope_filter(
            PensionNotice.objects.select_related("pension__person", "pension__agency"),
            actor,
            "pension__agency",
        )
        .filter(pk=notice_id)
        .first()
    )
    if notice is None:
        raise OutOfScope()
    pension = notice.pension
    return render(
        request,
        "benefits/notice.html",
        _pension_context(pension) | {"notice": notice, "details": notice.details},
    )


# --- fund officer ------------------------------------------------------------------------------


@login_required
def certification_sweeps(request: HttpRequest) -> HttpResponse:
    """The sweeps, newest first, and (POST) running one for a payroll month."""
    actor = actor_from_request(request)
    _ensure_fund(actor)
    today = timezone.localdate()
    form = SweepForm(
        request.POST if request.method == "POST" else None,
        agencies=agencies_in_scope(actor),
        initial={
            "period": period_of(today) if today.day < 20 else period_add(period_of(today), 1),
            "as_of": today,
            "agency": actor.agency.code if actor.agency else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = certification_sweep_create(
                actor=actor,
                agency=form.cleaned_data["agency"],
                period=form.cleaned_data["period"],
                as_of=form.cleaned_data["as_of"],
            )
            run = certification_sweep_execute(run, actor=actor)
            messages.success(
                request,
                _("Sweep #%(run)s: %(count)s pensions suspended.")
                % {"run": run.pk, "count": run.totals.get("suspended", 0)},
            )
            return redirect("benefits:certification_sweeps")
        except RuleViolation as exc:
            report_refusal(request, exc)
    runs = scope_filter(
        BatchRun.objects.filter(kind=SWEEP).select_related("agency"), actor, "agency"
    )
    page = Paginator(runs.order_by("-created_at", "-id"), PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "benefits/certification_sweeps.html",
        {"form": form, "page": page, "can_run": actor_can(actor, Action.RUN_BATCH), "query": ""},
    )


@login_required
def certification_comparison(request: HttpRequest) -> HttpResponse:
    """Import a death-data comparison file: all rows or none."""
    actor = actor_from_request(request)
    _ensure_fund(actor)
    form = ComparisonForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = comparison_import(actor=actor, content=upload.read(), file_name=upload.name)
            messages.success(request, _("Comparison file imported."))
        except RuleViolation as exc:
            report_refusal(request, exc)
    return render(
        request, "benefits/certification_comparison.html", {"form": form, "report": report}
    )


@login_required
def overpayment_list(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    _ensure_fund(actor)
    status = request.GET.get("status", OverpaymentStatus.OPEN)
    overpayments = overpayments_visible(actor)
    if status in OverpaymentStatus.values:
        overpayments = overpayments.filter(status=status)
    page = Paginator(overpayments.order_by("-created_at", "-id"), PAGE).get_page(
        request.GET.get("page")
    )
    rows = [
        (
            item,
            mask_resident_id(item.pension.person.resident_id),
            item.amount_fen - item.recovered_fen,
        )
        for item in page.object_list
    ]
    return render(
        request,
        "benefits/death_overpayments.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": OverpaymentStatus.choices,
            "form": RecoveryForm(initial={"day": timezone.localdate()}),
            "can_record": actor_can(actor, Action.RUN_BATCH),
            "query": f"status={status}&",
        },
    )


@login_required
@require_POST
def overpayment_recovery(request: HttpRequest, overpayment_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    overpayment = overpayment_get(actor, overpayment_id)  # out of scope: not found
    ensure_can(actor, Action.RUN_BATCH)  # refused before the form is read
    form = RecoveryForm(request.POST)
    try:
        if not form.is_valid():
            outstanding = overpayment.amount_fen - overpayment.recovered_fen
            raise RuleViolation("OVERPAY-RECOVERY-AMOUNT", outstanding=format_yuan(outstanding))
        overpayment_recover(
            actor=actor,
            overpayment=overpayment,
            amount_fen=parse_yuan(form.cleaned_data["amount"]),
            recovered_on=form.cleaned_data["day"],
        )
        messages.success(request, _("Recovery recorded."))
    except RuleViolation as exc:
        report_refusal(request, exc)
    return redirect("benefits:overpayment_list")


urlpatterns: list[URLPattern] = [
    path("pensions/<int:pension_id>/certify/", pension_certify, name="pension_certify"),
    path("pensions/<int:pension_id>/death/", pension_death, name="pension_death"),
    path("notices/<int:notice_id>/", notice_detail, name="notice_detail"),
    path("certification/sweeps/", certification_sweeps, name="certification_sweeps"),
    path("certification/comparison/", certification_comparison, name="certification_comparison"),
    path("overpayments/", overpayment_list, name="overpayment_list"),
    path(
        "overpayments/<int:overpayment_id>/recovery/",
        overpayment_recovery,
        name="overpayment_recovery",
    ),
]
