"""Unemployment pages (失业保险金): the counter page of a registration and claim (preview first,
then the case), its outcome, the agency's list of unemployment benefits with the months paid,
and a clerk's stop. The rules stay in the service; a refusal shows its rule code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from shebao.benefits.models import Benefit, BenefitStatus, LineStatus, PayrollLine
from shebao.benefits.services.unemployment import (
    ITEM_CLAIM,
    SEPARATION_REASONS,
    UnemploymentAssessment,
    UnemploymentRequest,
    check_may_claim,
    claims_of,
    employers_of,
    open_claim_case,
    unemployment_assess,
    unemployment_claim_request,
)
from shebao.benefits.services.unemployment_stops import (
    ITEM_STOP,
    STOP_REASONS,
    unemployment_benefits_visible,
    unemployment_stop_request,
)
from shebao.contributions.forms import INPUT, SELECT
from shebao.contributions.forms_counter import refusal_text
from shebao.core.actors import actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.feedback import refusal_shown
from shebao.core.masking import mask_resident_id
from shebao.core.periods import period_parse
from shebao.core.permissions import OutOfScope
from shebao.registry.models import Employer, Person
from shebao.registry.selectors import person_get
from shebao.services.selectors import case_get

PAGE_SIZE = 50
_DATE = {**INPUT, "type": "date"}


def _label(pair: tuple[str, str]) -> str:
    zh, en = pair
    return en if (get_language() or "").startswith("en") else zh


class ClaimForm(forms.Form):
    separated_on = forms.DateField(
        label=gettext_lazy("Work ended on"), widget=forms.DateInput(attrs=_DATE)
    )
    separation_reason = forms.ChoiceField(
        label=gettext_lazy("Why the work ended"), widget=forms.Select(attrs=SELECT)
    )
    employer = forms.TypedChoiceField(
        label=gettext_lazy("Last employer"), coerce=int, widget=forms.Select(attrs=SELECT)
    )
    registered_on = forms.DateField(
        label=gettext_lazy("Registered unemployed on"), widget=forms.DateInput(attrs=_DATE)
    )
    bank_name = forms.CharField(
        label=gettext_lazy("Bank"), max_length=50, required=False, widget=forms.TextInput(INPUT)
    )
    bank_account = forms.CharField(
        label=gettext_lazy("Bank account"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, employers: list[Employer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reasons = self.fields["separation_reason"]
        assert isinstance(reasons, forms.ChoiceField)
        reasons.choices = [
            (code, _label((zh, en))) for code, (zh, en, _inv) in SEPARATION_REASONS.items()
        ]
        employer = self.fields["employer"]
        assert isinstance(employer, forms.ChoiceField)
        employer.choices = [(e.pk, f"{e.name} ({e.credit_code})") for e in employers]

    def request(self) -> UnemploymentRequest:
        data = self.cleaned_data
        return UnemploymentRequest(
            separated_on=data["separated_on"],
            separation_reason=data["separation_reason"],
            registered_on=data["registered_on"],
            employer_id=data["employer"],
            bank_name=data["bank_name"],
            bank_account=data["bank_account"],
        )


class StopForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), widget=forms.Select(attrs=SELECT))
    last_period = forms.CharField(
        label=gettext_lazy("Last month paid"),
        max_length=10,
        widget=forms.TextInput(attrs={**INPUT, "placeholder": "2026-12"}),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), max_length=200, required=False, widget=forms.TextInput(INPUT)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        assert isinstance(reason, forms.ChoiceField)
        reason.choices = [(code, _label(pair)) for code, pair in STOP_REASONS.items()]

    def clean_last_period(self) -> int:
        try:
            return period_parse(self.cleaned_data["last_period"])
        except RuleViolation as exc:
            raise forms.ValidationError(refusal_text(exc)) from None


def _person_context(person: Person) -> dict[str, Any]:
    return {
        "person": person,
        "masked_id": mask_resident_id(person.resident_id),
        "claims": claims_of(person),
        "pending": open_claim_case(person),
        "reasons": {code: _label((zh, en)) for code, (zh, en, _i) in SEPARATION_REASONS.items()},
    }


@login_required
def unemployment_claim(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    person = person_get(actor, person_id)
    form = ClaimForm(
        request.POST if request.method == "POST" else None, employers=employers_of(person)
    )
    blocked = ""
    try:
        check_may_claim(actor, person)
    except RuleViolation as exc:
        blocked = refusal_shown(exc)
    assessment: UnemploymentAssessment | None = None
    refusal = ""
    if request.method == "POST" and not blocked and form.is_valid():
        try:
            if request.POST.get("action") == "open":
                case = unemployment_claim_request(
                    actor=actor, person=person, request=form.request()
                )
                messages.success(request, _("Case %(no)s opened.") % {"no": case.receipt_no})
                return HttpResponseRedirect(
                    reverse(
                        "benefits:unemployment_outcome",
                        kwargs={"person_id": person.pk, "case_id": case.pk},
                    )
                )
            assessment = unemployment_assess(person=person, request=form.request())
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
    return render(
        request,
        "benefits/unemployment_claim.html",
        _person_context(person)
        | {
            "form": form,
            "blocked": blocked,
            "refusal": refusal,
            "preview": assessment.as_json() if assessment else None,
        },
    )


@login_required
def unemployment_outcome(request: HttpRequest, person_id: int, case_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    person = person_get(actor, person_id)
    case = case_get(actor, case_id)
    if case.item.code != ITEM_CLAIM or case.applicant_person_id != person.pk:
        raise Http404("not an unemployment claim of this person")
    return render(
        request, "benefits/unemployment_outcome.html", _person_context(person) | {"case": case}
    )


def _months_paid() -> Subquery:
    lines = (
        PayrollLine.objects.filter(benefit_id=OuterRef("pk"))
        .exclude(status=LineStatus.FAILED)
        .order_by()
        .values("benefit_id")
        .annotate(months=Count("period", distinct=True))
        .values("months")
    )
    return Subquery(lines, output_field=IntegerField())


@login_required
def unemployment_list(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    status = request.GET.get("status", "")
    benefits = (
        unemployment_benefits_visible(actor)
        .select_related("claim")
        .annotate(months_paid=Coalesce(_months_paid(), 0))
        .order_by("-start_period", "person__name", "pk")
    )
    if status in BenefitStatus.values:
        benefits = benefits.filter(status=status)
    page = Paginator(benefits, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(benefit, mask_resident_id(benefit.person.resident_id)) for benefit in page]
    return render(
        request,
        "benefits/unemployment_list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": BenefitStatus.choices,
            "stop_reasons": {code: _label(pair) for code, pair in STOP_REASONS.items()},
            "query": f"status={status}&",
        },
    )


@login_required
def unemployment_stop(request: HttpRequest, benefit_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    benefit: Benefit | None = unemployment_benefits_visible(actor).filter(pk=benefit_id).first()
    if benefit is None:
        raise OutOfScope()
    form = StopForm(request.POST if request.method == "POST" else None)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            case = unemployment_stop_request(
                actor=actor,
                benefit=benefit,
                reason=form.cleaned_data["reason"],
                last_period=form.cleaned_data["last_period"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Case %(no)s opened.") % {"no": case.receipt_no})
            return HttpResponseRedirect(reverse("services:case_detail", args=[case.pk]))
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
    return render(
        request,
        "benefits/unemployment_stop.html",
        {
            "benefit": benefit,
            "person": benefit.person,
            "masked_id": mask_resident_id(benefit.person.resident_id),
            "form": form,
            "refusal": refusal,
            "item": ITEM_STOP,
        },
    )


urlpatterns = [
    path("unemployment/", unemployment_list, name="unemployment_list"),
    path("unemployment/<int:benefit_id>/stop/", unemployment_stop, name="unemployment_stop"),
    path("persons/<int:person_id>/unemployment/", unemployment_claim, name="unemployment_claim"),
    path(
        "persons/<int:person_id>/unemployment/<int:case_id>/",
        unemployment_outcome,
        name="unemployment_outcome",
    ),
]
