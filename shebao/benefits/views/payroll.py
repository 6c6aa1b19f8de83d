"""Payroll pages (待遇发放) for the fund officer: the runs and starting a month's run, a run's
page (live progress, totals by kind, bank files, returns, returned lines and their re-issue),
and the counter page of a retiree's new bank account (SBBC003)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shebao.benefits.models import LineKind, LineStatus, PayrollFile, PayrollLine, PayrollReturn
from shebao.benefits.selectors import payroll_run_get, payroll_runs_visible, pensions_visible
from shebao.benefits.services.payroll import (
    payroll_file_download,
    payroll_file_name,
    payroll_reissue,
    payroll_return_import,
    payroll_run_create,
    payroll_run_dispatch,
    pension_bank_change_request,
)
from shebao.contributions.forms import AssessmentStartForm
from shebao.contributions.tasks import run_resumable
from shebao.core.actors import Actor, actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.feedback import report_refusal
from shebao.core.masking import mask_bank_account
from shebao.core.models import Action, BatchRun, BatchStatus
from shebao.core.periods import period_of
from shebao.core.permissions import OutOfScope, PermissionRefused, actor_can, ensure_can
from shebao.core.selectors import agencies_in_scope

RUNS_PAGE = 25
LINES_SHOWN = 200
RETURN_MAX_BYTES = 50 * 1024 * 1024


class PayrollStartForm(AssessmentStartForm):
    """Run the payroll of a month for an agency and its subtree (the same two fields as an
    assessment run)."""


class ReturnUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Bank return file (CSV)"))


class BankAccountForm(forms.Form):
    bank_name = forms.CharField(
        label=gettext_lazy("Bank"),
        max_length=50,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    bank_account = forms.CharField(
        label=gettext_lazy("Bank account"),
        max_length=40,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )


# --- reads ---------------------------------------------------------------------------------------


def _ensure_fund(actor: Actor) -> None:
    """Fund officers run the payroll; agency heads and auditors follow it."""
    if not (actor_can(actor, Action.RUN_BATCH) or actor_can(actor, Action.AUDIT)):
        raise PermissionRefused(Action.RUN_BATCH, "*")


def _by_kind(run: BatchRun) -> list[dict[str, Any]]:
    rows = (
        PayrollLine.objects.filter(run_id=run.pk)
        .values("kind", "status")
        .annotate(lines=Count("id"), amount=Sum("amount_fen"))
        .order_by("kind", "status")
    )
    return [
        row
        | {
            "kind_label": LineKind(row["kind"]).label,
            "status_label": LineStatus(row["status"]).label,
        }
        for row in rows
    ]


# --- pages ---------------------------------------------------------------------------------------


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    """The payroll runs, newest first, and (POST) running the payroll of a month."""
    actor = actor_from_request(request)
    _ensure_fund(actor)
    form = PayrollStartForm(
        request.POST if request.method == "POST" else None,
        agencies=agencies_in_scope(actor),
        initial={
            "period": str(period_of(timezone.localdate())),
            "agency": actor.agency.code if actor.agency else None,
        },
    )
    if request.method == "POST":
        try:
            if form.is_valid():
                run = payroll_run_create(
                    actor=actor,
                    period=form.cleaned_data["period"],
                    agency=form.cleaned_data["agency"],
                )
                payroll_run_dispatch(run, actor=actor)
                messages.success(request, _("Payroll run #%(run)s started.") % {"run": run.pk})
                return redirect("benefits:payroll_run", run_id=run.pk)
        except RuleViolation as exc:
            report_refusal(request, exc)
    page = Paginator(payroll_runs_visible(actor), RUNS_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "benefits/payroll_runs.html",
        {"page": page, "form": form, "can_start": actor_can(actor, Action.RUN_BATCH)},
    )


def _progress_context(actor: Actor, run: BatchRun) -> dict[str, Any]:
    return {
        "run": run,
        "live": run.status in (BatchStatus.PENDING, BatchStatus.RUNNING),
        "resumable": run_resumable(run),
        "can_run": actor_can(actor, Action.RUN_BATCH),
    }


@login_required
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    _ensure_fund(actor)
    run = payroll_run_get(actor, run_id)
    lines = PayrollLine.objects.filter(run_id=run.pk).select_related("person")
    returned = lines.filter(status=LineStatus.FAILED).select_related("reissue").order_by("id")
    context = _progress_context(actor, run) | {
        "by_kind": _by_kind(run),
        "files": [
            (f, payroll_file_name(f, run.period))
            for f in PayrollFile.objects.filter(run=run).exclude(sha256="").order_by("seq")
        ],
        "returns": PayrollReturn.objects.filter(run=run),
        "returned": [
            (line, mask_bank_account(line.bank_account)) for line in returned[:LINES_SHOWN]
        ],
        "returned_count": returned.count(),
        "back_pay": lines.filter(kind=LineKind.BACK_PAY).order_by("pension_id", "period")[
            :LINES_SHOWN
        ],
        "upload": ReturnUploadForm(),
    }
    return render(request, "benefits/payroll_run.html", context)


@login_required
def run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The live part of the run page, polled while the run goes; reloads the page when done."""
    actor = actor_from_request(request)
    _ensure_fund(actor)
    run = payroll_run_get(actor, run_id)
    context = _progress_context(actor, run)
    response = render(request, "benefits/payroll_progress.html", context)
    if request.GET.get("live") == "1" and not context["live"]:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def run_resume(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    ensure_can(actor, Action.RUN_BATCH)  # those who follow the payroll may not act on it
    run = payroll_run_get(actor, run_id)
    if not run_resumable(run):
        messages.info(
            request, _("Run #%(run)s is not stopped; nothing to resume.") % {"run": run.pk}
        )
    else:
        try:
            payroll_run_dispatch(run, actor=actor)
            messages.success(request, _("Run #%(run)s resumed.") % {"run": run.pk})
        except RuleViolation as exc:
            report_refusal(request, exc)
    return redirect("benefits:payroll_run", run_id=run.pk)


@login_required
def file_download(request: HttpRequest, file_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    _ensure_fund(actor)
    payroll_file = PayrollFile.objects.filter(pk=file_id).first()
    if payroll_file is None:
        raise OutOfScope()
    run = payroll_run_get(actor, payroll_file.run_id)
    try:
        content = payroll_file_download(actor=actor, payroll_file=payroll_file)
    except RuleViolation as exc:
        report_refusal(request, exc)
        return redirect("benefits:payroll_run", run_id=run.pk)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    name = payroll_file_name(payroll_file, run.period)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def return_upload(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    ensure_can(actor, Action.RUN_BATCH)  # those who follow the payroll may not act on it
    run = payroll_run_get(actor, run_id)
    form = ReturnUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the bank's return file."))
        return redirect("benefits:payroll_run", run_id=run.pk)
    upload = form.cleaned_data["file"]
    if upload.size > RETURN_MAX_BYTES:
        messages.error(request, _("The file is too large."))
        return redirect("benefits:payroll_run", run_id=run.pk)
    try:
        imported = payroll_return_import(
            actor=actor, run=run, file_name=upload.name, content=upload.read()
        )
        messages.success(
            request,
            _("Return imported: %(paid)s paid, %(failed)s returned.")
            % {"paid": imported.paid, "failed": imported.failed},
        )
    except RuleViolation as exc:
        report_refusal(request, exc)
    return redirect("benefits:payroll_run", run_id=run.pk)


@login_required
@require_POST
def reissue(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    ensure_can(actor, Action.RUN_BATCH)  # those who follow the payroll may not act on it
    run = payroll_run_get(actor, run_id)
    try:
        files = payroll_reissue(actor=actor, run=run)
        if files:
            lines = sum(f.line_count for f in files)
            messages.success(
                request,
                _("%(lines)s returned payments re-issued in %(files)s file(s).")
                % {"lines": lines, "files": len(files)},
            )
        else:
            messages.info(
                request,
                _("Nothing to re-issue: no returned payment has a corrected account yet."),
            )
    except RuleViolation as exc:
        report_refusal(request, exc)
    return redirect("benefits:payroll_run", run_id=run.pk)


@login_required
def bank_account(request: HttpRequest, pension_id: int) -> HttpResponse:
    """The counter page of a new bank account: the request opens a case that a second person
    approves; the account changes (and a pension suspended by the bank resumes) then."""
    actor = actor_from_request(request)
    pension = pensions_visible(actor).filter(pk=pension_id).first()
    if pension is None:
        raise OutOfScope()
    form = BankAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            case = pension_bank_change_request(
                actor=actor,
                pension=pension,
                bank_name=form.cleaned_data["bank_name"],
                bank_account=form.cleaned_data["bank_account"],
            )
            messages.success(
                request,
                _("Case %(receipt)s opened; the account changes when it is approved.")
                % {"receipt": case.receipt_no},
            )
            return redirect("services:case_detail", case_id=case.pk)
        except RuleViolation as exc:
            report_refusal(request, exc)
    return render(
        request,
        "benefits/payroll_bank_account.html",
        {
            "pension": pension,
            "form": form,
            "account_on_record": mask_bank_account(pension.bank_account),
        },
    )


urlpatterns = [
    path("payroll/", run_list, name="payroll_runs"),
    path("payroll/<int:run_id>/", run_detail, name="payroll_run"),
    path("payroll/<int:run_id>/progress/", run_progress, name="payroll_progress"),
    path("payroll/<int:run_id>/resume/", run_resume, name="payroll_resume"),
    path("payroll/<int:run_id>/returns/", return_upload, name="payroll_return_upload"),
    path("payroll/<int:run_id>/reissue/", reissue, name="payroll_reissue"),
    path("payroll/files/<int:file_id>/", file_download, name="payroll_file"),
    path("payroll/bank-account/<int:pension_id>/", bank_account, name="payroll_bank_account"),
]
