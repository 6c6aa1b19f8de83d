"""Yearly adjustment pages (养老金调整): the runs of the actor's subtree with the form that
computes one, a run's totals and per-retiree lines with the approval, and the Excel export."""

from __future__ import annotations

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

from shebao.benefits.adjustment import parameters_listed, split_verified
from shebao.benefits.services.adjustment import (
    adjustment_decide,
    adjustment_run_create,
    adjustment_run_execute,
    adjustment_run_get,
    adjustment_runs_visible,
    adjustment_workbook,
    decision_of,
    line_rows,
    lines_of,
    run_summary,
)
from shebao.core.actors import Actor, actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.feedback import report_refusal
from shebao.core.models import Action, Agency
from shebao.core.permissions import PermissionRefused, actor_can
from shebao.core.selectors import agencies_in_scope

RUNS_PAGE = 25
LINES_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AdjustmentStartForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2016, max_value=2100)
    effective_period = forms.IntegerField(
        label=gettext_lazy("Effective month (YYYYMM)"),
        required=False,
        help_text=gettext_lazy("January of the year when left empty."),
    )
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Agency subtree"), queryset=Agency.objects.none(), to_field_name="code"
    )

    def __init__(self, *args: object, agencies: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control form-control-sm"


def _ensure_can_view(actor: Actor) -> None:
    """Fund officers compute runs; agency heads and reviewers approve them."""
    if not (actor_can(actor, Action.RUN_BATCH) or actor_can(actor, Action.APPROVE)):
        raise PermissionRefused(Action.RUN_BATCH, "*")


@login_required
def adjustment_runs(request: HttpRequest) -> HttpResponse:
    """The adjustment runs, newest first, and (POST) computing a new one."""
    actor = actor_from_request(request)
    _ensure_can_view(actor)
    form = AdjustmentStartForm(
        request.POST if request.method == "POST" else None,
        agencies=agencies_in_scope(actor),
        initial={
            "year": timezone.localdate().year,
            "agency": actor.agency.code if actor.agency else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = adjustment_run_create(
                actor=actor,
                year=form.cleaned_data["year"],
                agency=form.cleaned_data["agency"],
                effective_period=form.cleaned_data["effective_period"],
            )
            adjustment_run_execute(run, actor=actor)
            messages.success(request, _("Adjustment run #%(run)s computed.") % {"run": run.pk})
            return redirect("benefits:adjustment_run", run_id=run.pk)
        except RuleViolation as exc:
            report_refusal(request, exc)
    page = Paginator(adjustment_runs_visible(actor), RUNS_PAGE).get_page(request.GET.get("page"))
    rows = [(run, decision_of(run), run_summary(run)) for run in page.object_list]
    return render(
        request,
        "benefits/adjustment_runs.html",
        {
            "page": page,
            "rows": rows,
            "form": form,
            "can_start": actor_can(actor, Action.RUN_BATCH),
            "query": "",
        },
    )


@login_required
def adjustment_run(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    _ensure_can_view(actor)
    run = adjustment_run_get(actor, run_id)
    page = Paginator(lines_of(run), LINES_PAGE).get_page(request.GET.get("page"))
    decision = decision_of(run)
    return render(
        request,
        "benefits/adjustment_run.html",
        {
            "run": run,
            "summary": run_summary(run),
            "decision": decision,
            "split_verified": split_verified(run),
            "parameters": parameters_listed(run),
            "page": page,
            "rows": line_rows(list(page.object_list)),
            "can_decide": (
                decision is not None
                and decision.status == "awaiting"
                and actor_can(actor, Action.APPROVE)
                and (actor.user is None or actor.user.pk != run.created_by_id)
            ),
            "query": "",
        },
    )


@login_required
@require_POST
def adjustment_decision(request: HttpRequest, run_id: int) -> HttpResponse:
    """Approve (apply) or reject a run; a refusal is shown on the run page."""
    actor = actor_from_request(request)
    run = adjustment_run_get(actor, run_id)
    approve = request.POST.get("decision") == "approve"
    try:
        adjustment_decide(
            actor=actor, run=run, approve=approve, note=request.POST.get("note", "")[:200]
        )
        if approve:
            messages.success(
                request, _("Adjustment run #%(run)s approved and applied.") % {"run": run.pk}
            )
        else:
            messages.info(request, _("Adjustment run #%(run)s rejected.") % {"run": run.pk})
    except RuleViolation as exc:
        report_refusal(request, exc)
    return redirect("benefits:adjustment_run", run_id=run.pk)


@login_required
def adjustment_export(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    _ensure_can_view(actor)
    run = adjustment_run_get(actor, run_id)
    response = HttpResponse(adjustment_workbook(run), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="adjustment-{run.pk}.xlsx"'
    return response


urlpatterns: list[URLPattern] = [
    path("adjustments/", adjustment_runs, name="adjustment_runs"),
    path("adjustments/<int:run_id>/", adjustment_run, name="adjustment_run"),
    path("adjustments/<int:run_id>/decision/", adjustment_decision, name="adjustment_decision"),
    path("adjustments/<int:run_id>/export.xlsx", adjustment_export, name="adjustment_export"),
]
