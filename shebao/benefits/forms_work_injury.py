"""The counter forms of the work-injury items; the rules stay in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shebao.benefits.models import Dependence, WorkAbilityAssessment
from shebao.benefits.services.work_injury import InjuryRecord
from shebao.benefits.services.work_injury_assessment import AssessmentRecord
from shebao.benefits.services.work_injury_death import Claimant, Survivor
from shebao.benefits.services.work_injury_medical import MedicalCategory, MedicalItem
from shebao.contributions.forms import INPUT, SELECT
from shebao.contributions.forms_counter import refusal_text
from shebao.core.errors import RuleViolation
from shebao.core.money import parse_yuan
from shebao.registry.models import Employer

DATE = {**INPUT, "type": "date"}
CHECK = {"class": "form-check-input"}


def _yuan(text: str) -> int:
    try:
        return parse_yuan(text)
    except RuleViolation as exc:
        raise forms.ValidationError(refusal_text(exc)) from None


class BankFields(forms.Form):
    bank_name = forms.CharField(
        label=_("Bank"), max_length=50, required=False, widget=forms.TextInput(attrs=INPUT)
    )
    bank_account = forms.CharField(
        label=_("Bank account"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off"}),
    )


class InjuryForm(forms.Form):
    decision_no = forms.CharField(
        label=_("Decision number"), max_length=60, widget=forms.TextInput(attrs=INPUT)
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=forms.DateInput(attrs=DATE))
    injured_on = forms.DateField(label=_("Injured on"), widget=forms.DateInput(attrs=DATE))
    employer = forms.ChoiceField(label=_("Employer"), widget=forms.Select(attrs=SELECT))
    description = forms.CharField(
        label=_("What happened"),
        max_length=1000,
        widget=forms.Textarea(attrs={**INPUT, "rows": 2}),
    )
    fatal = forms.BooleanField(
        label=_("Death at work"), required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )
    died_on = forms.DateField(
        label=_("Date of death"), required=False, widget=forms.DateInput(attrs=DATE)
    )

    def __init__(self, *args: Any, employers: list[Employer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["employer"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(e.pk, f"{e.name} ({e.credit_code})") for e in employers]

    def record(self) -> InjuryRecord:
        data = self.cleaned_data
        return InjuryRecord(
            decision_no=data["decision_no"],
            decided_on=data["decided_on"],
            injured_on=data["injured_on"],
            employer_id=int(data["employer"]),
            description=data["description"],
            fatal=data["fatal"],
            died_on=data["died_on"],
        )


class AssessmentForm(forms.Form):
    conclusion_no = forms.CharField(
        label=_("Conclusion number"), max_length=60, widget=forms.TextInput(attrs=INPUT)
    )
    concluded_on = forms.DateField(label=_("Concluded on"), widget=forms.DateInput(attrs=DATE))
    level = forms.TypedChoiceField(
        label=_("Disability level"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 11)],
        widget=forms.Select(attrs=SELECT),
    )
    dependence = forms.ChoiceField(
        label=_("Dependence on care"),
        choices=Dependence.choices,
        widget=forms.Select(attrs=SELECT),
    )

    def record(self) -> AssessmentRecord:
        data = self.cleaned_data
        return AssessmentRecord(
            conclusion_no=data["conclusion_no"],
            concluded_on=data["concluded_on"],
            level=data["level"],
            dependence=data["dependence"],
        )


class DisabilityForm(BankFields):
    assessment = forms.ChoiceField(
        label=_("Work-ability assessment"), widget=forms.Select(attrs=SELECT)
    )
    suitable_work = forms.BooleanField(
        label=_("Levels 5–6: the employer offers suitable work (no allowance)"),
        required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
    )

    def __init__(self, *args: Any, assessments: list[WorkAbilityAssessment], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["assessment"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (a.pk, f"{a.conclusion_no} · {a.concluded_on:%Y-%m-%d} · {a.level}")
            for a in assessments
        ]


class MedicalItemForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[
            ("", "—"),
            (MedicalCategory.IN_CATALOGUE, _("In the work-injury catalogues")),
            (MedicalCategory.OUTSIDE_CATALOGUE, _("Outside the catalogues")),
            (MedicalCategory.HOSPITAL_FOOD, _("Hospital food subsidy")),
        ],
        widget=forms.Select(attrs=SELECT),
    )
    description = forms.CharField(
        label=_("Item"), max_length=100, required=False, widget=forms.TextInput(attrs=INPUT)
    )
    amount = forms.CharField(
        label=_("Amount (yuan)"), max_length=20, widget=forms.TextInput(attrs=INPUT)
    )
    days = forms.IntegerField(
        label=_("Days in hospital"),
        min_value=0,
        max_value=3660,
        required=False,
        widget=forms.NumberInput(attrs=INPUT),
    )

    def clean_amount(self) -> int:
        return _yuan(self.cleaned_data["amount"])

    def item(self) -> MedicalItem:
        data = self.cleaned_data
        return MedicalItem(data["category"], data["description"], data["amount"], data["days"] or 0)


MedicalItemFormSet = forms.formset_factory(MedicalItemForm, extra=4, max_num=30)


class ClaimantForm(BankFields):
    name = forms.CharField(label=_("Name"), max_length=50, widget=forms.TextInput(attrs=INPUT))
    resident_id = forms.CharField(
        label=_("Resident ID"), max_length=18, widget=forms.TextInput(attrs=INPUT)
    )
    relation = forms.CharField(
        label=_("Relation to the deceased"), max_length=20, widget=forms.TextInput(attrs=INPUT)
    )

    def claimant(self) -> Claimant:
        data = self.cleaned_data
        return Claimant(
            data["name"],
            data["resident_id"],
            data["relation"],
            data["bank_name"],
            data["bank_account"],
        )


class SurvivorForm(BankFields):
    name = forms.CharField(label=_("Name"), max_length=50, widget=forms.TextInput(attrs=INPUT))
    resident_id = forms.CharField(
        label=_("Resident ID"), max_length=18, widget=forms.TextInput(attrs=INPUT)
    )
    relation = forms.ChoiceField(
        label=_("Relation"),
        choices=[
            ("", "—"),
            ("spouse", _("Spouse")),
            ("child", _("Child")),
            ("parent", _("Parent")),
            ("other", _("Other dependant")),
        ],
        widget=forms.Select(attrs=SELECT),
    )
    orphan = forms.BooleanField(
        label=_("Orphan"), required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )
    lone_elderly = forms.BooleanField(
        label=_("Lone elderly"), required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )

    def survivor(self) -> Survivor:
        data = self.cleaned_data
        return Survivor(
            data["name"],
            data["resident_id"],
            data["relation"],
            data["orphan"],
            data["lone_elderly"],
            data["bank_name"],
            data["bank_account"],
        )


SurvivorFormSet = forms.formset_factory(SurvivorForm, extra=3, max_num=12)


def filled(formset: forms.BaseFormSet[Any]) -> list[Any]:
    """The rows the clerk filled in (an untouched extra row is left out)."""
    return [form for form in formset.forms if form.has_changed() and form.is_valid()]
