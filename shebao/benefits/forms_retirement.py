"""The counter form of a retirement application (退休申请); the rules stay in the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shebao.benefits.models import PensionGroup
from shebao.benefits.services.retirement import (
    ITEM_FLEXIBLE_EARLY,
    ITEM_NORMAL,
    RetirementRequest,
)
from shebao.contributions.forms import INPUT, SELECT
from shebao.contributions.forms_counter import refusal_text
from shebao.core.errors import RuleViolation
from shebao.core.periods import period_parse


class RetirementForm(forms.Form):
    group = forms.ChoiceField(
        label=_("Group (women)"),
        choices=[
            (PensionGroup.FEMALE_50, PensionGroup.FEMALE_50.label),
            (PensionGroup.FEMALE_55, PensionGroup.FEMALE_55.label),
        ],
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    item = forms.ChoiceField(
        label=_("Application"),
        choices=[
            (ITEM_NORMAL, _("Normal retirement (statutory month, later by agreement)")),
            (ITEM_FLEXIBLE_EARLY, _("Flexible early retirement")),
        ],
        widget=forms.Select(attrs=SELECT),
    )
    retirement_month = forms.CharField(
        label=_("Retirement month (empty: the statutory month)"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={**INPUT, "placeholder": "2026-12"}),
    )
    deemed_months = forms.IntegerField(
        label=_("Deemed months before 1996 (personnel file)"),
        min_value=0,
        max_value=12 * 40,
        initial=0,
        widget=forms.NumberInput(attrs={**INPUT, "inputmode": "numeric"}),
    )
    agreement = forms.BooleanField(
        label=_("Later month agreed with the employer (agreement on file)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    bank_name = forms.CharField(
        label=_("Bank"), max_length=50, required=False, widget=forms.TextInput(attrs=INPUT)
    )
    bank_account = forms.CharField(
        label=_("Bank account"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, needs_bank: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs_bank = needs_bank

    def clean_retirement_month(self) -> int | None:
        text = self.cleaned_data["retirement_month"].strip()
        if not text:
            return None
        try:
            return period_parse(text)
        except RuleViolation as exc:
            raise forms.ValidationError(refusal_text(exc)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.needs_bank and not (data.get("bank_name") and data.get("bank_account")):
            raise forms.ValidationError(
                _("The person has no bank account on record: give the bank and the account.")
            )
        return data

    def request(self) -> RetirementRequest:
        data = self.cleaned_data
        return RetirementRequest(
            group=data["group"] or "",
            item_code=data["item"],
            retirement_month=data["retirement_month"],
            deemed_months=data["deemed_months"],
            agreement=data["agreement"],
        )
