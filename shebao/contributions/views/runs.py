"""Batch-run pages (批量作业): the runs of the actor's agency subtree, starting a monthly
assessment, and a run's page whose progress bar follows the run live (htmx polling)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.contributions.forms import AssessmentStartForm
from shebao.contributions.jobs import KIND as ASSESSMENT
from shebao.contributions.selectors import bills_of_run, run_get, runs_in_scope
from shebao.contributions.services.assessments import assessment_run_create
from shebao.contributions.tasks import assessment_run_dispatch, run_resumable
from shebao.core.actors import Actor, actor_from_request
from shebao.core.batch import batch_job_label, batch_run_url
from shebao.core.errors import RuleViolation
from shebao.core.feedback import report_refusal
from shebao.core.models import Action, BatchRun, BatchStatus
from shebao.core.money import format_yuan
from shebao.core.periods import period_of
from shebao.core.permissions import PermissionRefused, actor_can, ensure_can
from shebao.core.selectors import agencies_in_scope

RUNS_PAGE = 25
BILLS_PAGE = 50
TOTAL_KEYS = ("employer_fen", "individual_fen", "total_fen", "account_credit_fen")


@dataclass(frozen=True)
class RunView:
    """A run with what its pages show, amounts already formatted as yuan."""

    run: BatchRun
    kind: str
    url: str
    bills: int
    yuan: dict[str, str]

    @classmethod
    def of(cls, run: BatchRun) -> RunView:
        totals = run.totals or {}
        return cls(
            run=run,
            kind=batch_job_label(run.kind),
            url=batch_run_url(run) or reverse("contributions:run_detail", args=[run.pk]),
            bills=int(totals.get("bills", 0)),
            yuan={key: format_yuan(int(totals.get(key, 0))) for key in TOTAL_KEYS},
        )


def _ensure_can_view(actor: Actor) -> None:
    """Fund officers run batches; agency heads and auditors follow them."""
    if not (actor_can(actor, Action.RUN_BATCH) or actor_can(actor, Action.AUDIT)):
        raise PermissionRefused(Action.RUN_BATCH, "*")


def _start_form(request: HttpRequest, actor: Actor) -> AssessmentStartForm:
    initial = {
        "period": str(period_of(timezone.localdate())),
        "agency": actor.agency.code if actor.agency else None,
    }
    return AssessmentStartForm(
        request.POST if request.method == "POST" else None,
        agencies=agencies_in_scope(actor),
        initial=initial,
    )


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    """The runs, newest first, and (POST) starting a monthly assessment."""
    actor = actor_from_request(request)
    _ensure_can_view(actor)
    form = _start_form(request, actor)
    if request.method == "POST":
        try:
            if form.is_valid():
                run = assessment_run_create(
                    actor=actor,
                    period=form.cleaned_data["period"],
                    agency=form.cleaned_data["agency"],
                )
                assessment_run_dispatch(run, actor=actor)
                messages.success(request, _("Run #%(run)s started.") % {"run": run.pk})
                return redirect("contributions:run_detail", run_id=run.pk)
        except RuleViolation as exc:
            report_refusal(request, exc)
    page = Paginator(runs_in_scope(actor), RUNS_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "contributions/run_list.html",
        {
            "page": page,
            "rows": [RunView.of(run) for run in page.object_list],
            "form": form,
            "can_start": actor_can(actor, Action.RUN_BATCH),
            "query": "",
        },
    )


def _resumable(run: BatchRun) -> bool:
    return run.kind == ASSESSMENT and run_resumable(run)


def _progress_context(actor: Actor, run: BatchRun) -> dict[str, Any]:
    return {
        "run": run,
        "view": RunView.of(run),
        "live": run.status in (BatchStatus.PENDING, BatchStatus.RUNNING),
        "resumable": _resumable(run),
        "can_run": actor_can(actor, Action.RUN_BATCH),
    }


@login_required
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    _ensure_can_view(actor)
    run = run_get(actor, run_id)
    own_page = batch_run_url(run)
    if own_page is not None:
        return redirect(own_page)
    bills = Paginator(bills_of_run(run), BILLS_PAGE).get_page(request.GET.get("page"))
    context = _progress_context(actor, run) | {
        "parameters": (run.params.get("rates") or {}).get("parameters", []),
        "chunk_rows": run.params.get("chunk_rows"),
        "page": bills,
        "bill_rows": [
            (bill, format_yuan(bill.total_fen), format_yuan(bill.paid_fen))
            for bill in bills.object_list
        ],
        "query": "",
    }
    return render(request, "contributions/run_detail.html", context)


@login_required
def run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The live part of the run page. Polled every second while the run is going; the answer
    for a finished run carries no trigger, so the polling stops, and asks the page to reload
    (``live=1``: the poller saw the run going) so that its bills appear."""
    actor = actor_from_request(request)
    _ensure_can_view(actor)
    run = run_get(actor, run_id)
    context = _progress_context(actor, run)
    response = render(request, "contributions/_run_progress.html", context)
    if request.GET.get("live") == "1" and not context["live"]:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def run_resume(request: HttpRequest, run_id: int) -> HttpResponse:
    """Resume a failed or stalled run at its first chunk not done."""
    actor = actor_from_request(request)
    ensure_can(actor, Action.RUN_BATCH)  # those who follow runs may not resume them
    run = run_get(actor, run_id)
    if not _resumable(run):
        messages.info(
            request, _("Run #%(run)s is not stopped; nothing to resume.") % {"run": run.pk}
        )
        return redirect("contributions:run_detail", run_id=run.pk)
    try:
        assessment_run_dispatch(run, actor=actor)
        messages.success(request, _("Run #%(run)s resumed.") % {"run": run.pk})
    except RuleViolation as exc:
        report_refusal(request, exc)
    return redirect("contributions:run_detail", run_id=run.pk)
