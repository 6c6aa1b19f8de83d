"""The public catalogue, the counter workbench (柜员工作台) and case pages. Thin views."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shebao.core.actors import actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.feedback import report_refusal
from shebao.core.masking import mask_resident_id
from shebao.registry.models import Employer, Person
from shebao.registry.selectors import employers_in_scope, persons_in_scope, registry_search
from shebao.services.forms import AttachmentForm, CaseStartForm, TransitionForm
from shebao.services.models import Case, CaseChannel, CaseStatus, Category, Scheme, ServiceItem
from shebao.services.selectors import (
    allowed_transitions,
    case_get,
    cases_in_scope,
    due_flag,
    items_startable_by,
    my_running_cases,
    online_submissions,
    open_cases_of,
    review_queue,
)
from shebao.services.services import case_attach, case_create, case_transition
from shebao.services.transitions import TRANSITIONS

PAGE_SIZE = 50
EVENT_LABELS = {"create": gettext_lazy("Opened")} | {
    action: transition.label for action, transition in TRANSITIONS.items()
}


def catalogue(request: HttpRequest) -> HttpResponse:
    """The public catalogue: every item, its channels and whether shebao automates it yet."""
    items = ServiceItem.objects.filter(is_active=True).order_by("category", "code")
    category = request.GET.get("category", "")
    if category:
        items = items.filter(category=category)
    if request.GET.get("online") == "1":
        items = items.filter(fully_online=True)
    all_items = ServiceItem.objects.filter(is_active=True)
    return render(
        request,
        "services/catalogue.html",
        {
            "items": items,
            "categories": Category.choices,
            "schemes": dict(Scheme.choices),
            "category": category,
            "online": request.GET.get("online") == "1",
            "total": all_items.count(),
            "online_total": all_items.filter(fully_online=True).count(),
        },
    )


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    queue = list(review_queue(actor)[:PAGE_SIZE])
    running = list(my_running_cases(actor)[:PAGE_SIZE])
    online = online_submissions(actor, PAGE_SIZE)
    return render(
        request,
        "services/workbench.html",
        {
            "queue": [(case, due_flag(case)) for case in queue],
            "running": [(case, due_flag(case)) for case in running],
            "online": [(case, due_flag(case)) for case in online],
            "overdue_count": cases_in_scope(actor, overdue=True).count(),
        },
    )


@login_required
@require_POST
def workbench_search(request: HttpRequest) -> HttpResponse:
    """htmx partial: persons and employers matching the search, with their open cases.
    A POST, so that resident IDs never appear in URLs and access logs."""
    actor = actor_from_request(request)
    query = request.POST.get("q", "")
    persons, employers = registry_search(actor, query)
    cases = open_cases_of(
        actor, person_ids=[p.pk for p in persons], employer_ids=[e.pk for e in employers]
    )
    return render(
        request,
        "services/_search_results.html",
        {
            "persons": [(p, mask_resident_id(p.resident_id)) for p in persons],
            "employers": employers,
            "cases": [(case, due_flag(case)) for case in cases],
            "q": query,
        },
    )


def _applicant(request: HttpRequest) -> tuple[Person | None, Employer | None]:
    actor = actor_from_request(request)
    person_id = request.GET.get("person") or request.POST.get("person")
    employer_id = request.GET.get("employer") or request.POST.get("employer")
    if person_id:
        return get_object_or_404(persons_in_scope(actor), pk=person_id), None
    if employer_id:
        return None, get_object_or_404(employers_in_scope(actor), pk=employer_id)
    raise Http404("no applicant")


@login_required
def case_start(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    person, employer = _applicant(request)
    items = items_startable_by(actor, CaseChannel.COUNTER, "person" if person else "employer")
    form = CaseStartForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = case_create(
                actor=actor,
                item=data["item"],
                channel=CaseChannel.COUNTER,
                person=person,
                employer=employer,
                agent_kind=data["agent_kind"] or "",
                agent_name=data["agent_name"],
                agent_resident_id=data["agent_resident_id"],
                agent_relation=data["agent_relation"],
                data={"note": data["note"]} if data["note"] else {},
                accept_now=data["accept_now"],
            )
            messages.success(request, _("Case %(no)s opened.") % {"no": case.receipt_no})
            return redirect("services:case_detail", case_id=case.pk)
        except RuleViolation as exc:
            report_refusal(request, exc)
    return render(
        request,
        "services/case_start.html",
        {"form": form, "person": person, "employer": employer},
    )


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    filters: dict[str, str | bool] = {
        "status": request.GET.get("status", ""),
        "item_code": request.GET.get("item", "").strip().upper(),
        "channel": request.GET.get("channel", ""),
        "overdue": request.GET.get("overdue") == "1",
    }
    cases = cases_in_scope(
        actor,
        status=str(filters["status"]),
        item_code=str(filters["item_code"]),
        channel=str(filters["channel"]),
        overdue=bool(filters["overdue"]),
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: ("1" if v is True else v) for k, v in filters.items() if v}
    return render(
        request,
        "services/case_list.html",
        {
            "page": page,
            "rows": [(case, due_flag(case)) for case in page.object_list],
            "filters": filters,
            "statuses": CaseStatus.choices,
            "channels": CaseChannel.choices,
            "query": urlencode(query) + "&",
        },
    )


def case_data_template(case: Case) -> str | None:
    """An app's summary of what the case asks (``case_summaries/<item code>.html``), so the
    reviewer sees what they approve; None when the item has none."""
    try:
        return select_template([f"case_summaries/{case.item.code}.html"]).template.name
    except TemplateDoesNotExist:
        return None


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    case = case_get(actor, case_id)
    return render(
        request,
        "services/case_detail.html",
        {
            "case": case,
            "due": due_flag(case),
            "events": [
                (event, EVENT_LABELS.get(event.action, event.action)) for event in case.events.all()
            ],
            "attachments": case.attachments.all(),
            "records": case.records.select_related("content_type"),
            "transitions": allowed_transitions(actor, case),
            "attachment_form": AttachmentForm(),
            "data_template": case_data_template(case),
            "applicant_id": mask_resident_id(case.applicant_person.resident_id)
            if case.applicant_person
            else case.applicant.credit_code,  # type: ignore[union-attr]
        },
    )


@login_required
@require_POST
def case_transition_view(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    case = case_get(actor, case_id)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            case = case_transition(
                actor=actor,
                case=case,
                action=form.cleaned_data["action"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(
                request,
                _("Done: the case is now %(status)s.") % {"status": case.get_status_display()},
            )
        except RuleViolation as exc:
            report_refusal(request, exc)
    return redirect("services:case_detail", case_id=case.pk)


@login_required
@require_POST
def case_attachment_upload(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    case = case_get(actor, case_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            case_attach(
                actor=actor,
                case=case,
                upload=form.cleaned_data["file"],
                material=form.cleaned_data["material"],
            )
            messages.success(request, _("Material stored."))
        except RuleViolation as exc:
            report_refusal(request, exc)
    else:
        messages.error(request, _("Choose a file and name the material."))
    return redirect("services:case_detail", case_id=case.pk)


@login_required
def case_receipt(request: HttpRequest, case_id: int) -> HttpResponse:
    """The printable acceptance receipt (受理回执) with the receipt number."""
    actor = actor_from_request(request)
    case = case_get(actor, case_id)
    return render(request, "services/case_receipt.html", {"case": case})
