"""Batch staff additions and removals from Excel online, exactly as at the counter: the
template, the whole file checked first with a per-row error report, then the valid rows
submitted as one case. The checked file waits under a token kept in the agent's own session
and bound to the employer, so no other session, and no other employer, can confirm it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.core.errors import RuleViolation
from shebao.core.feedback import refusal_shown
from shebao.core.models import Channel
from shebao.portal.auth import agent_required, portal_actor
from shebao.portal.views.employer_common import XLSX, agent_and_employer, download, submitted
from shebao.registry.batch import BatchKind, BatchValidation, batch_template, error_report
from shebao.registry.batch_import import batch_submit, batch_validate
from shebao.registry.batch_staging import batch_stage, batch_staged, batch_unstage
from shebao.registry.forms import BatchUploadForm
from shebao.registry.models import Employer


def _validated(
    request: HttpRequest, employer: Employer, data: bytes, kind: BatchKind
) -> BatchValidation:
    """Every row of the file checked as this agent, as of today; nothing is written."""
    return batch_validate(
        actor=portal_actor(request),
        employer=employer,
        data=data,
        kind=kind,
        today=timezone.localdate(),
    )


@agent_required
def batch_upload(request: HttpRequest) -> HttpResponse:
    _agent, employer = agent_and_employer(request)
    form = BatchUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"employer": employer, "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        kind = form.cleaned_data["kind"]
        try:
            validation = _validated(request, employer, data, kind)
        except RuleViolation as exc:
            context["refusal"] = refusal_shown(exc)
        else:
            token = batch_stage(request.session, employer=employer, data=data, kind=kind)
            context |= {"validation": validation, "token": token, "kind": kind}
    return render(request, "portal/employer/batch.html", context)


def _staged(request: HttpRequest, token: str, employer: Employer) -> tuple[bytes, BatchKind]:
    staged = batch_staged(request.session, token=token, employer=employer)
    if staged is None:
        raise Http404("no such upload")
    return staged


@agent_required
@require_POST
def batch_confirm(request: HttpRequest, token: str) -> HttpResponse:
    _agent, employer = agent_and_employer(request)
    data, kind = _staged(request, token, employer)
    try:
        case, validation = batch_submit(
            actor=portal_actor(request),
            employer=employer,
            data=data,
            kind=kind,
            today=timezone.localdate(),
            channel=Channel.WEB,
        )
    except RuleViolation as exc:
        messages.error(request, refusal_shown(exc))
        return redirect("portal:employer_batch")
    batch_unstage(request.session, token=token)
    messages.info(
        request,
        _("%(valid)s valid rows submitted; %(bad)s rows with errors were left out.")
        % {"valid": len(validation.valid_rows), "bad": validation.rows_with_errors},
    )
    return submitted(case)


@agent_required
def batch_report(request: HttpRequest, token: str) -> HttpResponse:
    _agent, employer = agent_and_employer(request)
    data, kind = _staged(request, token, employer)
    try:
        validation = _validated(request, employer, data, kind)
    except RuleViolation as exc:  # a file that cannot be read at all has no row report
        messages.error(request, refusal_shown(exc))
        return redirect("portal:employer_batch")
    return download(error_report(validation), XLSX, f"errors-{employer.credit_code}.xlsx")


@agent_required
def batch_template_download(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in {"addition", "removal"}:
        raise Http404("unknown template")
    template = batch_template("addition" if kind == "addition" else "removal")
    return download(template, XLSX, f"shebao-{kind}-template.xlsx")
