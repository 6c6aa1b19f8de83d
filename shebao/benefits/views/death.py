"""Counter pages of a participant's death: registering the death of a person without a pension,
the death-benefit case (SBBN009: funeral subsidy, survivor payment, pension months owed to the
estate) and the inheritance of the account (SBBN008). Each shows what would be paid before the
clerk sends anything, then an outcome page with the receipt; a refusal shows its rule code and
writes nothing. Scope refusals answer 404, permission refusals 403."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.accounts.services.journal import balance_fen
from shebao.benefits.models import Death, Inheritance, Pension
from shebao.benefits.services.benefits import funeral_grant_of
from shebao.benefits.services.death import ITEM_DEATH_BENEFIT
from shebao.benefits.services.death_benefits import (
    DeathBenefitFigures,
    applicant_payee,
    death_benefit_assess,
    death_benefit_case_ensure,
    death_benefit_case_of,
    death_benefit_prepare,
    death_benefits_of,
    participant_death_register,
    paying_agency,
    unemployment_benefit_at_death,
    unemployment_death_assess,
)
from shebao.benefits.services.inheritance import (
    ITEM_INHERITANCE,
    heirs_check,
    inheritance_preview,
    inheritance_request,
    open_inheritance_case,
)
from shebao.contributions.forms import INPUT
from shebao.core.actors import Actor, actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.feedback import refusal_shown, report_refusal
from shebao.core.masking import mask_resident_id
from shebao.core.money import format_yuan
from shebao.core.periods import period_of
from shebao.core.permissions import ensure_in_scope
from shebao.registry.models import Person
from shebao.registry.selectors import person_get
from shebao.services.models import Case
from shebao.services.selectors import case_get

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

HEIR_ROWS = 4


def _person(actor: Actor, person_id: int) -> Person:
    """The person, in the actor's scope (a retiree paid by another agency: the pension's)."""
    person = person_get(actor, person_id)
    ensure_in_scope(actor, paying_agency(person))
    return person


def _context(person: Person) -> dict[str, Any]:
    return {
        "person": person,
        "masked_id": mask_resident_id(person.resident_id),
        "death": Death.objects.filter(person=person).first(),
        "pension": Pension.objects.filter(person=person).first(),
    }


def _case_of(actor: Actor, case_id: int, item_code: str, person: Person) -> Case:
    case = case_get(actor, case_id)
    if case.item.code != item_code or case.applicant_person_id != person.pk:
        raise Http404("not a case of this item and person")
    return case


# --- registering a working participant's death ------------------------------------------------


class DeathForm(forms.Form):
    died_on = forms.DateField(
        label=gettext_lazy("Date of death"),
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}),
    )
    reference = forms.CharField(
        label=gettext_lazy("Death certificate number"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs=INPUT),
    )


@login_required
def participant_death(request: HttpRequest, person_id: int) -> HttpResponse:
    """Register the death of a person without a pension (a retiree's goes through SBBC004)."""
    actor = actor_from_request(request)
    person = _person(actor, person_id)
    form = DeathForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            participant_death_register(
                actor=actor,
                person=person,
                died_on=form.cleaned_data["died_on"],
                reference=form.cleaned_data["reference"],
            )
            messages.success(
                request, _("Death registered; every benefit stops after the month of death.")
            )
            return HttpResponseRedirect(
                reverse("benefits:death_benefit_claim", kwargs={"person_id": person.pk})
            )
        except RuleViolation as exc:
            report_refusal(request, exc)
    return render(
        request, "benefits/death_benefit_register.html", _context(person) | {"form": form}
    )


# --- the death-benefit case (SBBN009) ----------------------------------------------------------


class ApplicantForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Applicant (relative)"),
        max_length=50,
        widget=forms.TextInput(attrs=INPUT),
    )
    resident_id = forms.CharField(
        label=gettext_lazy("Applicant's resident ID"),
        max_length=18,
        widget=forms.TextInput(attrs=INPUT),
    )
    relation = forms.CharField(
        label=gettext_lazy("Relation to the deceased"),
        max_length=20,
        widget=forms.TextInput(attrs=INPUT),
    )
    bank_name = forms.CharField(
        label=gettext_lazy("Bank"), max_length=50, widget=forms.TextInput(attrs=INPUT)
    )
    bank_account = forms.CharField(
        label=gettext_lazy("Bank account"), max_length=30, widget=forms.TextInput(attrs=INPUT)
    )
    deemed_months = forms.IntegerField(
        label=gettext_lazy("Deemed months (working participant, from the personnel file)"),
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs=INPUT),
    )


APPLICANT_FIELDS = ("name", "resident_id", "relation", "bank_name", "bank_account")


def _figures(person: Person, deemed_months: int | None) -> tuple[DeathBenefitFigures | None, str]:
    try:
        return death_benefit_assess(person=person, deemed_months=deemed_months), ""
    except RuleViolation as exc:
        return None, refusal_shown(exc)


def _unemployment_note(person: Person, death: Death | None) -> str:
    """Why the unemployment fund's variant (SBBN013) pays nothing, when the person drew it."""
    if death is None or unemployment_benefit_at_death(person, period_of(death.died_on)) is None:
        return ""
    try:
        unemployment_death_assess(person=person)
    except RuleViolation as exc:
        return refusal_shown(exc)
    return ""  # pragma: no cover - refuses until the amounts are configured


@login_required
def death_benefit_claim(request: HttpRequest, person_id: int) -> HttpResponse:
    """The SBBN009 case of a deceased person: the figures, the applicant, then review."""
    actor = actor_from_request(request)
    person = _person(actor, person_id)
    context = _context(person)
    case = death_benefit_case_of(person)
    form = ApplicantForm(request.POST if request.method == "POST" else None)
    deemed: int | None = None
    if request.method == "POST" and form.is_valid():
        deemed = form.cleaned_data["deemed_months"]
        if request.POST.get("action") == "send":
            try:
                case = death_benefit_case_ensure(actor=actor, person=person)
                payee = applicant_payee(
                    person=person,
                    **{k: form.cleaned_data[k] for k in APPLICANT_FIELDS},
                )
                case = death_benefit_prepare(
                    actor=actor, case=case, payee=payee, deemed_months=deemed
                )
                messages.success(
                    request, _("Case %(no)s sent for review.") % {"no": case.receipt_no}
                )
                return HttpResponseRedirect(
                    reverse(
                        "benefits:death_benefit_outcome",
                        kwargs={"person_id": person.pk, "case_id": case.pk},
                    )
                )
            except RuleViolation as exc:
                report_refusal(request, exc)
    figures, refusal = (None, "") if context["death"] is None else _figures(person, deemed)
    granted = funeral_grant_of(person)
    return render(
        request,
        "benefits/death_benefit_claim.html",
        context
        | {
            "form": form,
            "case": case,
            "figures": figures,
            "refusal": refusal,
            "funeral_granted": granted,
            "unemployment": _unemployment_note(person, context["death"]),
            "benefits": death_benefits_of(person),
        },
    )


@login_required
def death_benefit_outcome(request: HttpRequest, person_id: int, case_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    person = _person(actor, person_id)
    case = _case_of(actor, case_id, ITEM_DEATH_BENEFIT, person)
    return render(
        request,
        "benefits/death_benefit_outcome.html",
        _context(person)
        | {
            "case": case,
            "claim": case.data.get("claim"),
            "benefits": [b for b in death_benefits_of(person) if b.case_id == case.pk],
        },
    )


# --- inheritance (SBBN008) ----------------------------------------------------------------------


def _optional_text(label: StrOrPromise, max_length: int) -> forms.CharField:
    """An optional text column of the heirs' table: an empty row is skipped."""
    return forms.CharField(
        label=label, max_length=max_length, required=False, widget=forms.TextInput(attrs=INPUT)
    )


class HeirForm(forms.Form):
    name = _optional_text(gettext_lazy("Heir"), 50)
    resident_id = _optional_text(gettext_lazy("Resident ID"), 18)
    relation = _optional_text(gettext_lazy("Relation"), 20)
    share = _optional_text(gettext_lazy("Share (1/2, 1/3, 0.25)"), 20)
    bank_name = _optional_text(gettext_lazy("Bank"), 50)
    bank_account = _optional_text(gettext_lazy("Bank account"), 30)


HeirFormSet = forms.formset_factory(HeirForm, extra=HEIR_ROWS, max_num=HEIR_ROWS)


@login_required
def inheritance_claim(request: HttpRequest, person_id: int) -> HttpResponse:
    """The heirs and their shares, previewed to the fen, then the reviewed case."""
    actor = actor_from_request(request)
    person = _person(actor, person_id)
    formset = HeirFormSet(request.POST if request.method == "POST" else None, prefix="heir")
    preview: dict[str, Any] | None = None
    refusal = ""
    if request.method == "POST" and formset.is_valid():
        rows = [f.cleaned_data for f in formset.forms if f.cleaned_data]
        try:
            heirs = heirs_check(person, rows)
            if request.POST.get("action") == "open":
                case = inheritance_request(actor=actor, person=person, heirs=heirs)
                messages.success(request, _("Case %(no)s opened.") % {"no": case.receipt_no})
                return HttpResponseRedirect(
                    reverse(
                        "benefits:inheritance_outcome",
                        kwargs={"person_id": person.pk, "case_id": case.pk},
                    )
                )
            preview = inheritance_preview(person=person, heirs=heirs)
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
    return render(
        request,
        "benefits/inheritance_claim.html",
        _context(person)
        | {
            "formset": formset,
            "preview": preview,
            "refusal": refusal,
            "balance": format_yuan(balance_fen(person)),
            "pending": open_inheritance_case(person),
            "inheritance": Inheritance.objects.filter(person=person).first(),
            "today": timezone.localdate(),
        },
    )


@login_required
def inheritance_outcome(request: HttpRequest, person_id: int, case_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    person = _person(actor, person_id)
    case = _case_of(actor, case_id, ITEM_INHERITANCE, person)
    return render(
        request,
        "benefits/inheritance_outcome.html",
        _context(person)
        | {
            "case": case,
            "inheritance": Inheritance.objects.filter(person=person, case_id=case.pk).first(),
            "balance": format_yuan(balance_fen(person)),
        },
    )


urlpatterns = [
    path("persons/<int:person_id>/death/", participant_death, name="participant_death"),
    path("persons/<int:person_id>/death-benefit/", death_benefit_claim, name="death_benefit_claim"),
    path(
        "persons/<int:person_id>/death-benefit/<int:case_id>/",
        death_benefit_outcome,
        name="death_benefit_outcome",
    ),
    path("persons/<int:person_id>/inheritance/", inheritance_claim, name="inheritance_claim"),
    path(
        "persons/<int:person_id>/inheritance/<int:case_id>/",
        inheritance_outcome,
        name="inheritance_outcome",
    ),
]
