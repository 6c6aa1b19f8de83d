"""The counter page of a retirement application (退休申请): the clerk enters the group, the
item, the month and the deemed months; the preview shows eligibility, history, the pension and
its trace; only then the case is opened. A refusal shows its rule code and writes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from shebao.benefits.forms_retirement import RetirementForm
from shebao.benefits.services.retirement import (
    RETIREMENT_ITEMS,
    RetirementAssessment,
    check_may_apply,
    retirement_assess,
    retirement_request,
    shortfall_of,
)
from shebao.core.actors import actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.feedback import refusal_shown
from shebao.core.masking import mask_resident_id
from shebao.registry.selectors import person_get
from shebao.services.selectors import case_get


@login_required
def retirement_apply(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    person = person_get(actor, person_id)
    needs_bank = not (person.bank_name and person.bank_account)
    form = RetirementForm(request.POST if request.method == "POST" else None, needs_bank=needs_bank)
    blocked = ""
    try:
        check_may_apply(actor, person)
    except RuleViolation as exc:
        blocked = refusal_shown(exc)
    assessment: RetirementAssessment | None = None
    refusal = ""
    shortfall: dict[str, Any] | None = None
    if request.method == "POST" and not blocked and form.is_valid():
        try:
            if request.POST.get("action") == "open":
                case = retirement_request(
                    actor=actor,
                    person=person,
                    request=form.request(),
                    bank_name=form.cleaned_data["bank_name"],
                    bank_account=form.cleaned_data["bank_account"],
                )
                messages.success(request, _("Case %(no)s opened.") % {"no": case.receipt_no})
                return HttpResponseRedirect(
                    reverse(
                        "benefits:retirement_outcome",
                        kwargs={"person_id": person.pk, "case_id": case.pk},
                    )
                )
            assessment = retirement_assess(person=person, request=form.request())
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
            shortfall = shortfall_of(exc)
    return render(
        request,
        "benefits/retirement.html",
        {
            "person": person,
            "masked_id": mask_resident_id(person.resident_id),
            "form": form,
            "needs_bank": needs_bank,
            "blocked": blocked,
            "refusal": refusal,
            "shortfall": shortfall,
            "assessment": assessment,
            "preview": assessment.as_json() if assessment else None,
        },
    )


@login_required
def retirement_outcome(request: HttpRequest, person_id: int, case_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    person = person_get(actor, person_id)
    case = case_get(actor, case_id)
    if case.item.code not in RETIREMENT_ITEMS or case.applicant_person_id != person.pk:
        raise Http404("not a retirement case of this person")
    return render(
        request,
        "benefits/retirement_outcome.html",
        {"person": person, "masked_id": mask_resident_id(person.resident_id), "case": case},
    )


urlpatterns = [
    path("persons/<int:person_id>/retirement/", retirement_apply, name="retirement_apply"),
    path(
        "persons/<int:person_id>/retirement/<int:case_id>/",
        retirement_outcome,
        name="retirement_outcome",
    ),
]
