"""Staff pages: parameters in force, a history per parameter, proposals and approvals, and
the rule catalogue. Thin: the checks live in the services."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.core.actors import actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.feedback import report_refusal
from shebao.core.models import Action
from shebao.core.permissions import actor_can, ensure_can
from shebao.rules.forms import DecisionForm, ProposalForm
from shebao.rules.models import Parameter, ParameterValue
from shebao.rules.selectors import (
    parameter_history,
    proposals_pending,
    rule_catalogue,
    values_in_force,
)
from shebao.rules.services import parameter_value_decide, parameter_value_propose
from shebao.rules.store import value_from_json


def _today() -> date:
    return timezone.localdate()


@login_required
def parameter_list(request: HttpRequest) -> HttpResponse:
    actor_from_request(request)  # staff only: a portal login never reads the staff pages
    prefix = request.GET.get("q", "").strip()
    region = request.GET.get("region", "").strip()
    try:
        on = date.fromisoformat(request.GET.get("on", "")) if request.GET.get("on") else _today()
    except ValueError:
        on = _today()
    rows = values_in_force(on=on, key_prefix=prefix, region=region)
    context = {
        "rows": rows,
        "q": prefix,
        "region": region,
        "on": on,
        "pending": proposals_pending().count(),
        "query": urlencode({"q": prefix, "region": region, "on": on.isoformat()}),
    }
    return render(request, "rules/parameter_list.html", context)


@login_required
def parameter_detail(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_from_request(request)
    parameter = get_object_or_404(Parameter, key=key)
    history = [
        (row, value_from_json(parameter.unit, row.value)) for row in parameter_history(parameter)
    ]
    return render(
        request,
        "rules/parameter_detail.html",
        {
            "parameter": parameter,
            "history": history,
            "can_configure": actor_can(actor, Action.CONFIGURE),
            "form": ProposalForm(initial={"effective_from": _today(), "confidence": "unverified"}),
            "decision_form": DecisionForm(),
        },
    )


@login_required
@require_POST
def parameter_propose(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_from_request(request)
    ensure_can(actor, Action.CONFIGURE)  # refused before the form is read
    parameter = get_object_or_404(Parameter, key=key)
    form = ProposalForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Please correct the form: %(errors)s") % {"errors": form.errors.as_text()}
        )
        return redirect("rules:parameter_detail", key=key)
    try:
        parameter_value_propose(
            actor=actor,
            parameter=parameter,
            region=form.cleaned_data["region"],
            effective_from=form.cleaned_data["effective_from"],
            value_text=form.cleaned_data["value"],
            reference=form.cleaned_data["reference"],
            confidence=form.cleaned_data["confidence"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Proposal recorded; another person must approve it."))
    except RuleViolation as exc:
        report_refusal(request, exc)
    return redirect("rules:parameter_detail", key=key)


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    rows = [(row, value_from_json(row.parameter.unit, row.value)) for row in proposals_pending()]
    return render(
        request,
        "rules/proposal_list.html",
        {"rows": rows, "can_configure": actor_can(actor, Action.CONFIGURE), "form": DecisionForm()},
    )


@login_required
@require_POST
def proposal_decide(request: HttpRequest, value_id: int, verdict: str) -> HttpResponse:
    actor = actor_from_request(request)
    if verdict not in {"approve", "reject"}:
        raise Http404("unknown verdict")
    proposal = get_object_or_404(ParameterValue.objects.select_related("parameter"), pk=value_id)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        parameter_value_decide(
            actor=actor, proposal=proposal, approve=verdict == "approve", note=note
        )
        messages.success(
            request,
            _("Approved: the value is in force.") if verdict == "approve" else _("Rejected."),
        )
    except RuleViolation as exc:
        report_refusal(request, exc)
    if request.POST.get("back") == "parameter":
        return redirect("rules:parameter_detail", key=proposal.parameter.key)
    return redirect("rules:proposal_list")


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    actor_from_request(request)  # staff only, as above
    kind = request.GET.get("kind", "")
    prefix = request.GET.get("q", "").strip().upper()
    rules = rule_catalogue(
        kind=kind if kind in {"validation", "calculation"} else "", prefix=prefix
    )
    return render(request, "rules/rule_list.html", {"rules": rules, "kind": kind, "q": prefix})
