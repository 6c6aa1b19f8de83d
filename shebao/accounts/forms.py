"""Forms of the account counter pages: transfer out, transfer in and correction. Typed amounts
are yuan, parsed to fen here; every business rule stays in the services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shebao.contributions.forms import INPUT
from shebao.contributions.forms_counter import AMOUNT, refusal_text
from shebao.core.errors import RuleViolation
from shebao.core.money import parse_yuan


def _yuan(text: str) -> int:
    try:
        return parse_yuan(text)
    except RuleViolation as exc:
        raise forms.ValidationError(refusal_text(exc)) from None


class OtherSideForm(forms.Form):
    """The province and agency at the other end of a transfer."""

    other_region = forms.CharField(
        label=_("Other province"),
        max_length=40,
        widget=forms.TextInput(attrs={**INPUT, "autofocus": True, "placeholder": "广东省"}),
    )
    other_agency = forms.CharField(
        label=_("Other agency"),
        max_length=100,
        widget=forms.TextInput(attrs={**INPUT, "placeholder": "深圳市社会保险基金管理局"}),
    )


class TransferOutForm(OtherSideForm):
    pass


class TransferInForm(OtherSideForm):
    """What the other province's transfer letter says it sends."""

    account = forms.CharField(
        label=_("Individual account (yuan)"),
        max_length=20,
        widget=forms.TextInput(attrs={**AMOUNT, "autocomplete": "off"}),
    )
    pooled = forms.CharField(
        label=_("Pooled fund (yuan)"),
        max_length=20,
        widget=forms.TextInput(attrs={**AMOUNT, "autocomplete": "off"}),
    )
    months = forms.IntegerField(
        label=_("Contribution months"),
        min_value=0,
        max_value=12 * 60,
        widget=forms.NumberInput(attrs={**AMOUNT, "inputmode": "numeric"}),
    )

    def clean_account(self) -> int:
        return _yuan(self.cleaned_data["account"])

    def clean_pooled(self) -> int:
        return _yuan(self.cleaned_data["pooled"])


class CorrectionForm(forms.Form):
    """A reversal of one of the person's entries, or an adjustment amount; the reason always."""

    entry = forms.TypedChoiceField(
        label=_("Entry to reverse"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    amount = forms.CharField(
        label=_("Or an adjustment (yuan, negative to take off)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={**AMOUNT, "autocomplete": "off"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.TextInput(attrs=INPUT))

    def __init__(self, *args: Any, entry_ids: Sequence[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["entry"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(pk, str(pk)) for pk in entry_ids]

    def clean_amount(self) -> int | None:
        text = self.cleaned_data["amount"].strip()
        return _yuan(text) if text else None
