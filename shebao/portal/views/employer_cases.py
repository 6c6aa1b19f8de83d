"""Case progress (办件进度): every case whose applicant is the agent's employer, whatever the
channel, with its timeline as the employer sees it (the agency's steps as "the agency", never
a staff login). The applicant may add a material, withdraw an open case with a reason, or
resubmit a returned one: the only transitions an applicant may make."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.core.errors import RuleViolation
from shebao.core.feedback import refusal_shown
from shebao.portal.auth import agent_required, portal_actor
from shebao.portal.employer_forms import WithdrawForm
from shebao.portal.employer_selectors import (
    case_attachments,
    case_timeline,
    employer_case_get,
    employer_cases,
    requested_count,
    requested_rows,
)
from shebao.portal.views.employer_common import PAGE_SIZE, agent_and_employer
from shebao.services.forms import AttachmentForm
from shebao.services.models import Case, CaseStatus
from shebao.services.selectors import due_flag
from shebao.services.services import case_attach, case_transition
from shebao.services.transitions import TRANSITIONS

STATUS_FILTERS = ("open", *CaseStatus.values)


def _may(case: Case, action: str) -> bool:
    return case.status in TRANSITIONS[action].sources


@agent_required
def case_list(request: HttpRequest) -> HttpResponse:
    _agent, employer = agent_and_employer(request)
    status = request.GET.get("status", "")
    status = status if status in STATUS_FILTERS else ""
    page = Paginator(employer_cases(employer, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "portal/employer/cases.html",
        {
            "employer": employer,
            "page": page,
            "rows": [(case, due_flag(case)) for case in page.object_list],
            "status": status,
            "statuses": CaseStatus.choices,
            "query": f"status={status}&",
        },
    )


def _detail_context(request: HttpRequest, case: Case) -> dict[str, object]:
    return {
        "case": case,
        "item_name": case.item.display_name(get_language()),
        "due": due_flag(case),
        "timeline": case_timeline(case),
        "attachments": case_attachments(case),
        "requested": requested_rows(case, get_language() or ""),
        "requested_count": requested_count(case),
        "open": case.status not in (CaseStatus.APPROVED, CaseStatus.DONE, CaseStatus.WITHDRAWN),
        "may_withdraw": _may(case, "withdraw"),
        "may_resubmit": _may(case, "resubmit"),
        "withdraw_form": WithdrawForm(),
        "attachment_form": AttachmentForm(),
    }


@agent_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    _agent, employer = agent_and_employer(request)
    case = employer_case_get(employer, case_id)
    return render(request, "portal/employer/case_detail.html", _detail_context(request, case))


@agent_required
def case_submitted(request: HttpRequest, case_id: int) -> HttpResponse:
    """The receipt of a request filed online: its number, and what happens next."""
    _agent, employer = agent_and_employer(request)
    case = employer_case_get(employer, case_id)
    return render(
        request,
        "portal/employer/case_submitted.html",
        _detail_context(request, case) | {"employer": employer},
    )


def _transition(request: HttpRequest, case_id: int, action: str, reason: str) -> HttpResponse:
    _agent, employer = agent_and_employer(request)
    case = employer_case_get(employer, case_id)
    try:
        case = case_transition(actor=portal_actor(request), case=case, action=action, reason=reason)
    except RuleViolation as exc:
        messages.error(request, refusal_shown(exc))
    else:
        messages.success(
            request,
            _("Done: the case is now %(status)s.") % {"status": case.get_status_display()},
        )
    return redirect("portal:employer_case", case_id=case.pk)


@agent_required
@require_POST
def case_withdraw(request: HttpRequest, case_id: int) -> HttpResponse:
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _transition(request, case_id, "withdraw", reason)


@agent_required
@require_POST
def case_resubmit(request: HttpRequest, case_id: int) -> HttpResponse:
    return _transition(request, case_id, "resubmit", "")


@agent_required
@require_POST
def case_upload(request: HttpRequest, case_id: int) -> HttpResponse:
    _agent, employer = agent_and_employer(request)
    case = employer_case_get(employer, case_id)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(
            request, _("Please correct the form: %(errors)s") % {"errors": form.errors.as_text()}
        )
        return redirect("portal:employer_case", case_id=case.pk)
    try:
        case_attach(
            actor=portal_actor(request),
            case=case,
            upload=form.cleaned_data["file"],
            material=form.cleaned_data["material"],
        )
    except RuleViolation as exc:
        messages.error(request, refusal_shown(exc))
    else:
        messages.success(request, _("Material uploaded."))
    return redirect("portal:employer_case", case_id=case.pk)
