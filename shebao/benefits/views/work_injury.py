"""Work-injury pages for staff (工伤保险待遇): the injuries of the actor's agency subtree, one
injury with its assessments, benefits, medical claims and cases, and the counter pages of the
five items — each previews the figures first and opens a reviewed case only then. A refusal
shows its rule code and writes nothing; out-of-scope records answer 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.benefits.forms_work_injury import (
    AssessmentForm,
    BankFields,
    ClaimantForm,
    DisabilityForm,
    InjuryForm,
    MedicalItemFormSet,
    SurvivorFormSet,
    filled,
)
from shebao.benefits.models import Benefit, Injury
from shebao.benefits.services.work_injury import (
    injuries_visible,
    injury_assess,
    injury_cases,
    injury_get,
    injury_request,
    own_wage_calculation,
)
from shebao.benefits.services.work_injury_assessment import assessment_request
from shebao.benefits.services.work_injury_benefits import disability_assess, disability_request
from shebao.benefits.services.work_injury_death import death_assess, death_request
from shebao.benefits.services.work_injury_medical import medical_assess, medical_request
from shebao.core.actors import actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.feedback import refusal_shown
from shebao.core.masking import mask_resident_id
from shebao.registry.models import Employer, InsuredRelation, Scheme
from shebao.registry.selectors import person_get
from shebao.services.models import Case

PAGE_SIZE = 50


def _opened(request: HttpRequest, case: Case, injury: Injury | None) -> HttpResponseRedirect:
    messages.success(
        request,
        _("Case %(no)s opened: a second person reviews and approves it.") % {"no": case.receipt_no},
    )
    if injury is None:
        return HttpResponseRedirect(reverse("services:case_detail", args=[case.pk]))
    return HttpResponseRedirect(reverse("benefits:injury_detail", args=[injury.pk]))


def _injury_context(injury: Injury) -> dict[str, Any]:
    return {"injury": injury, "masked_id": mask_resident_id(injury.person.resident_id)}


@login_required
def injury_list(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    search = request.GET.get("q", "").strip()
    injuries = injuries_visible(actor).order_by("-decided_on", "-id")
    if search:
        injuries = (
            injuries.filter(person__resident_id=search.upper())
            if len(search) == 18
            else injuries.filter(person__name__startswith=search)
            | injuries.filter(decision_no=search)
        )
    page = Paginator(injuries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(injury, mask_resident_id(injury.person.resident_id)) for injury in page]
    return render(
        request,
        "benefits/injury_list.html",
        {"page": page, "rows": rows, "q": search, "query": f"q={search}&"},
    )


@login_required
def injury_detail(request: HttpRequest, injury_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    injury = injury_get(actor, injury_id)
    benefits = list(
        Benefit.objects.filter(person=injury.person, source=f"injury:{injury.pk}").order_by("pk")
    )
    for benefit in benefits:
        benefit.masked_payee = mask_resident_id(benefit.payee_resident_id)  # type: ignore[attr-defined]
    return render(
        request,
        "benefits/injury_detail.html",
        _injury_context(injury)
        | {
            "own_wage": own_wage_calculation(injury),
            "assessments": list(injury.assessments.order_by("-concluded_on", "-id")),
            "benefits": benefits,
            "claims": list(injury.medical_claims.select_related("benefit").order_by("-id")),
            "cases": list(injury_cases(injury)),
        },
    )


def _employers_of(person_id: int) -> list[Employer]:
    """The employers that insure (or insured) the person for work injury."""
    ids = InsuredRelation.objects.filter(
        person_id=person_id, scheme=Scheme.WORK_INJURY, employer__isnull=False
    ).values("employer_id")
    return list(Employer.objects.filter(pk__in=ids).order_by("name"))


@login_required
def injury_record(request: HttpRequest, person_id: int) -> HttpResponse:
    """SBRG017: the clerk copies the recognition decision; the preview shows the own wage."""
    actor = actor_from_request(request)
    person = person_get(actor, person_id)
    form = InjuryForm(
        request.POST if request.method == "POST" else None, employers=_employers_of(person.pk)
    )
    preview: dict[str, Any] | None = None
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("action") == "open":
                case = injury_request(actor=actor, person=person, record=form.record())
                return _opened(request, case, None)
            preview = injury_assess(actor=actor, person=person, record=form.record()).as_json()
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
    return render(
        request,
        "benefits/injury_record.html",
        {
            "person": person,
            "masked_id": mask_resident_id(person.resident_id),
            "form": form,
            "preview": preview,
            "refusal": refusal,
        },
    )


@login_required
def injury_assessment(request: HttpRequest, injury_id: int) -> HttpResponse:
    """SBRG018: the assessment conclusion; nothing to compute, the case records it."""
    actor = actor_from_request(request)
    injury = injury_get(actor, injury_id)
    form = AssessmentForm(request.POST if request.method == "POST" else None)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            case = assessment_request(actor=actor, injury=injury, record=form.record())
            return _opened(request, case, injury)
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
    return render(
        request,
        "benefits/injury_assessment.html",
        _injury_context(injury) | {"form": form, "refusal": refusal},
    )


@login_required
def injury_disability(request: HttpRequest, injury_id: int) -> HttpResponse:
    """SBBN032: the benefits of an assessed level, previewed with their trace."""
    actor = actor_from_request(request)
    injury = injury_get(actor, injury_id)
    assessments = list(injury.assessments.order_by("-concluded_on", "-id"))
    form = DisabilityForm(
        request.POST if request.method == "POST" else None, assessments=assessments
    )
    preview: dict[str, Any] | None = None
    refusal = ""
    if request.method == "POST" and form.is_valid():
        assessment = next(a for a in assessments if str(a.pk) == form.cleaned_data["assessment"])
        data = form.cleaned_data
        try:
            if request.POST.get("action") == "open":
                case = disability_request(
                    actor=actor,
                    injury=injury,
                    assessment=assessment,
                    suitable_work=data["suitable_work"],
                    bank_name=data["bank_name"],
                    bank_account=data["bank_account"],
                )
                return _opened(request, case, injury)
            preview = disability_assess(
                injury=injury, assessment=assessment, suitable_work=data["suitable_work"]
            ).as_json()
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
    return render(
        request,
        "benefits/injury_disability.html",
        _injury_context(injury)
        | {"form": form, "preview": preview, "refusal": refusal, "has_assessment": assessments},
    )


@login_required
def injury_medical(request: HttpRequest, injury_id: int) -> HttpResponse:
    """SBBN027: the items of the bill; the preview shows what the limits allow."""
    actor = actor_from_request(request)
    injury = injury_get(actor, injury_id)
    posted = request.POST if request.method == "POST" else None
    formset = MedicalItemFormSet(posted, prefix="item")
    bank_form = BankFields(posted)
    preview: dict[str, Any] | None = None
    refusal = ""
    if posted is not None and formset.is_valid() and bank_form.is_valid():
        items = [form.item() for form in filled(formset)]
        try:
            if request.POST.get("action") == "open":
                case = medical_request(
                    actor=actor,
                    injury=injury,
                    items=items,
                    bank_name=bank_form.cleaned_data["bank_name"],
                    bank_account=bank_form.cleaned_data["bank_account"],
                )
                return _opened(request, case, injury)
            preview = medical_assess(injury=injury, items=items, on=timezone.localdate())
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
    return render(
        request,
        "benefits/injury_medical.html",
        _injury_context(injury)
        | {"formset": formset, "bank_form": bank_form, "preview": preview, "refusal": refusal},
    )


@login_required
def injury_death(request: HttpRequest, injury_id: int) -> HttpResponse:
    """SBBN033: the relative who claims and the dependants; the preview shows the grants and
    the survivor pensions with the cap."""
    actor = actor_from_request(request)
    injury = injury_get(actor, injury_id)
    posted = request.POST if request.method == "POST" else None
    claimant_form = ClaimantForm(posted, prefix="claimant")
    formset = SurvivorFormSet(posted, prefix="survivor")
    preview: dict[str, Any] | None = None
    refusal = ""
    if posted is not None and claimant_form.is_valid() and formset.is_valid():
        claimant = claimant_form.claimant()
        survivors = [form.survivor() for form in filled(formset)]
        try:
            if request.POST.get("action") == "open":
                case = death_request(
                    actor=actor, injury=injury, claimant=claimant, survivors=survivors
                )
                return _opened(request, case, injury)
            preview = death_assess(injury=injury, claimant=claimant, survivors=survivors)
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
    return render(
        request,
        "benefits/injury_death.html",
        _injury_context(injury)
        | {
            "claimant_form": claimant_form,
            "formset": formset,
            "preview": preview,
            "refusal": refusal,
        },
    )


urlpatterns = [
    path("injuries/", injury_list, name="injury_list"),
    path("injuries/<int:injury_id>/", injury_detail, name="injury_detail"),
    path("persons/<int:person_id>/injury/", injury_record, name="injury_record"),
    path("injuries/<int:injury_id>/assessment/", injury_assessment, name="injury_assessment"),
    path("injuries/<int:injury_id>/disability/", injury_disability, name="injury_disability"),
    path("injuries/<int:injury_id>/medical/", injury_medical, name="injury_medical"),
    path("injuries/<int:injury_id>/death/", injury_death, name="injury_death"),
]
