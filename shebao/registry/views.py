"""Counter pages of the registry. Each operation opens a case of its catalogue item and
leads the clerk to it; the change is applied when the case is approved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.core.actors import Actor, actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.feedback import report_refusal
from shebao.core.masking import mask_resident_id
from shebao.core.personal_data import FieldKind, personal_data
from shebao.registry import forms as registry_forms
from shebao.registry.batch import BatchKind, batch_template, error_report
from shebao.registry.batch_import import batch_submit, batch_validate
from shebao.registry.batch_staging import batch_stage, batch_staged, batch_unstage
from shebao.registry.models import Employer
from shebao.registry.selectors import (
    employer_get,
    employer_list,
    person_get,
    persons_in_scope,
    relations_of_employer,
    relations_of_person,
)
from shebao.registry.services import (
    AdditionSpec,
    RemovalSpec,
    employer_change_request,
    employer_deregister_request,
    employer_register,
    employer_transfer_request,
    flexible_enrolment_request,
    person_change_request,
    person_merge_request,
    staff_addition_request,
    staff_removal_request,
)
from shebao.services.models import OPEN_STATUSES, Case

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _opened(request: HttpRequest, case_id: int, receipt_no: str) -> HttpResponse:
    messages.success(request, _("Case %(no)s opened.") % {"no": receipt_no})
    return redirect("services:case_detail", case_id=case_id)


@login_required
def employers(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    search = request.GET.get("q", "").strip()
    page = Paginator(employer_list(actor, search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "registry/employer_list.html",
        {"page": page, "q": search, "query": f"q={search}&"},
    )


@login_required
def employer_new(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    form = registry_forms.EmployerRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and actor.agency is not None:
        try:
            case = employer_register(actor=actor, fields=form.cleaned_data, agency=actor.agency)
            return _opened(request, case.pk, case.receipt_no)
        except RuleViolation as exc:
            report_refusal(request, exc)
    return render(request, "registry/employer_new.html", {"form": form})


@login_required
def employer_detail(request: HttpRequest, employer_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    employer = employer_get(actor, employer_id)
    shown = personal_data(  # full values only on request, by role, and audited
        actor,
        employer,
        {
            "bank_account": (FieldKind.BANK_ACCOUNT, employer.bank_account),
            "contact_phone": (FieldKind.PHONE, employer.contact_phone),
        },
        full=request.GET.get("full") == "1",
        target_agency=employer.managing_agency,
    )
    page = Paginator(relations_of_employer(employer), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/employer_detail.html",
        {
            "employer": employer,
            "full": bool(shown.full),
            "can_reveal": shown.can_reveal,
            "bank_account": shown["bank_account"],
            "contact_phone": shown["contact_phone"],
            "page": page,
            "rows": [(r, mask_resident_id(r.person.resident_id)) for r in page.object_list],
            "changes": employer.changes.all()[:20],
            "open_cases": employer.cases.filter(status__in=OPEN_STATUSES).select_related("item"),
            "addition_form": registry_forms.AdditionForm(),
            "removal_form": registry_forms.RemovalForm(),
            "change_form": registry_forms.EmployerChangeForm(),
            "transfer_form": registry_forms.TransferForm(),
            "deregister_form": registry_forms.ReasonForm(),
            "query": "",
        },
    )


def _employer_action(actor: Actor, employer: Employer, action: str, data: Any) -> Any:
    """Run one request from the employer page; returns the case or the invalid form."""
    handlers: dict[str, tuple[type[Any], Callable[[dict[str, Any]], Any]]] = {
        "add": (
            registry_forms.AdditionForm,
            lambda d: staff_addition_request(
                actor=actor,
                employer=employer,
                specs=[
                    AdditionSpec(
                        resident_id=d["resident_id"],
                        name=d["name"],
                        start_period=d["start_period"],
                        reason=d["reason"],
                        schemes=tuple(d["schemes"]),
                        continuing=d["continuing"],
                    )
                ],
            ),
        ),
        "remove": (
            registry_forms.RemovalForm,
            lambda d: staff_removal_request(
                actor=actor,
                employer=employer,
                specs=[RemovalSpec(d["resident_id"], d["end_period"], d["reason"])],
            ),
        ),
        "change": (
            registry_forms.EmployerChangeForm,
            lambda d: employer_change_request(
                actor=actor, employer=employer, changes={d["field"]: d["value"]}
            ),
        ),
        "transfer": (
            registry_forms.TransferForm,
            lambda d: employer_transfer_request(
                actor=actor, employer=employer, to_agency=d["to_agency"]
            ),
        ),
        "deregister": (
            registry_forms.ReasonForm,
            lambda d: employer_deregister_request(
                actor=actor, employer=employer, reason=d["reason"]
            ),
        ),
    }
    if action not in handlers:
        raise Http404("unknown action")
    form_class, run = handlers[action]
    form = form_class(data)
    if not form.is_valid():
        return form
    return run(form.cleaned_data)


@login_required
@require_POST
def employer_action(request: HttpRequest, employer_id: int, action: str) -> HttpResponse:
    actor = actor_from_request(request)
    employer = employer_get(actor, employer_id)
    try:
        outcome = _employer_action(actor, employer, action, request.POST)
        if isinstance(outcome, Case):
            return _opened(request, outcome.pk, outcome.receipt_no)
        messages.error(
            request, _("Please correct the form: %(errors)s") % {"errors": outcome.errors.as_text()}
        )
    except RuleViolation as exc:
        report_refusal(request, exc)
    return redirect("registry:employer_detail", employer_id=employer.pk)


@login_required
def batch_upload(request: HttpRequest, employer_id: int) -> HttpResponse:
    """Upload an Excel file, see every error before anything is written."""
    actor = actor_from_request(request)
    employer = employer_get(actor, employer_id)
    form = registry_forms.BatchUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"employer": employer, "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        kind = form.cleaned_data["kind"]
        try:
            validation = batch_validate(
                actor=actor, employer=employer, data=data, kind=kind, today=timezone.localdate()
            )
        except RuleViolation as exc:
            report_refusal(request, exc)
            return render(request, "registry/batch_upload.html", context)
        token = batch_stage(request.session, employer=employer, data=data, kind=kind)
        context |= {"validation": validation, "token": token, "kind": kind}
    return render(request, "registry/batch_upload.html", context)


def _staged(request: HttpRequest, token: str, employer: Employer) -> tuple[bytes, BatchKind]:
    staged = batch_staged(request.session, token=token, employer=employer)
    if staged is None:
        raise Http404("no such upload")
    return staged


@login_required
@require_POST
def batch_confirm(request: HttpRequest, employer_id: int, token: str) -> HttpResponse:
    actor = actor_from_request(request)
    employer = employer_get(actor, employer_id)
    data, kind = _staged(request, token, employer)
    try:
        case, validation = batch_submit(
            actor=actor,
            employer=employer,
            data=data,
            kind=kind,
            today=timezone.localdate(),
        )
    except RuleViolation as exc:
        report_refusal(request, exc)
        return redirect("registry:batch_upload", employer_id=employer.pk)
    batch_unstage(request.session, token=token)
    messages.info(
        request,
        _("%(valid)s valid rows submitted; %(bad)s rows with errors were left out.")
        % {"valid": len(validation.valid_rows), "bad": validation.rows_with_errors},
    )
    return _opened(request, case.pk, case.receipt_no)


@login_required
def batch_report(request: HttpRequest, employer_id: int, token: str) -> HttpResponse:
    actor = actor_from_request(request)
    employer = employer_get(actor, employer_id)
    data, kind = _staged(request, token, employer)
    try:
        validation = batch_validate(
            actor=actor,
            employer=employer,
            data=data,
            kind=kind,
            today=timezone.localdate(),
        )
    except RuleViolation as exc:  # a file that cannot be read at all has no row report
        report_refusal(request, exc)
        return redirect("registry:batch_upload", employer_id=employer.pk)
    response = HttpResponse(error_report(validation), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="errors-{employer.credit_code}.xlsx"'
    return response


@login_required
def batch_template_download(request: HttpRequest, kind: str) -> HttpResponse:
    actor_from_request(request)  # staff only: the employer portal has its own template
    if kind not in {"addition", "removal"}:
        raise Http404("unknown template")
    response = HttpResponse(
        batch_template("addition" if kind == "addition" else "removal"), content_type=XLSX
    )
    response["Content-Disposition"] = f'attachment; filename="shebao-{kind}-template.xlsx"'
    return response


@login_required
def persons(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    search = request.GET.get("q", "").strip()
    queryset = persons_in_scope(actor).order_by("name")
    if search:
        queryset = (
            queryset.filter(resident_id=search.upper())
            if len(search) == 18
            else queryset.filter(name__startswith=search)
        )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(p, mask_resident_id(p.resident_id)) for p in page.object_list]
    return render(
        request,
        "registry/person_list.html",
        {"page": page, "rows": rows, "q": search, "query": f"q={search}&"},
    )


@login_required
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    person = person_get(actor, person_id)
    shown = personal_data(  # full values only on request, by role, and audited
        actor,
        person,
        {
            "resident_id": (FieldKind.RESIDENT_ID, person.resident_id),
            "phone": (FieldKind.PHONE, person.phone),
            "bank_account": (FieldKind.BANK_ACCOUNT, person.bank_account),
        },
        full=request.GET.get("full") == "1",
        target_agency=person.managing_agency,
    )
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "full": bool(shown.full),
            "can_reveal": shown.can_reveal,
            "resident_id": shown["resident_id"],
            "phone": shown["phone"],
            "bank_account": shown["bank_account"],
            "relations": relations_of_person(person),
            "changes": person.changes.all()[:20],
            "cases": person.cases.select_related("item").order_by("-created_at")[:20],
            "change_form": registry_forms.PersonChangeForm(),
            "flexible_form": registry_forms.FlexibleForm(),
            "merge_form": registry_forms.MergeForm(),
        },
    )


@login_required
@require_POST
def person_action(request: HttpRequest, person_id: int, action: str) -> HttpResponse:
    actor = actor_from_request(request)
    person = person_get(actor, person_id)
    forms_by_action = {
        "change": registry_forms.PersonChangeForm,
        "flexible": registry_forms.FlexibleForm,
        "merge": registry_forms.MergeForm,
    }
    if action not in forms_by_action:
        raise Http404("unknown action")
    form = forms_by_action[action](request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Please correct the form: %(errors)s") % {"errors": form.errors.as_text()}
        )
        return redirect("registry:person_detail", person_id=person.pk)
    data = form.cleaned_data
    try:
        if action == "change":
            case = person_change_request(
                actor=actor, person=person, changes={data["field"]: data["value"]}
            )
        elif action == "flexible":
            case = flexible_enrolment_request(
                actor=actor,
                person=person,
                start_period=data["start_period"],
                continuing=data["continuing"],
            )
        else:
            other = (
                persons_in_scope(actor)
                .filter(resident_id=data["other_resident_id"].upper())
                .first()
            )
            if other is None:
                raise RuleViolation("CASE-APPLICANT-UNKNOWN")
            case = person_merge_request(actor=actor, keep=person, merge=other)
        return _opened(request, case.pk, case.receipt_no)
    except RuleViolation as exc:
        report_refusal(request, exc)
    return redirect("registry:person_detail", person_id=person.pk)
