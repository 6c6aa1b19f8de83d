from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

INPUT = {"class": "form-control form-control-sm"}


class ProposalForm(forms.Form):
    region = forms.RegexField(
        label=_("Region"),
        regex=r"^(CN|\d{6})$",
        max_length=6,
        help_text=_("CN for a national value, or a division code such as 420300."),
        widget=forms.TextInput(attrs=INPUT),
    )
    effective_from = forms.DateField(
        label=_("Effective from"),
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d"),
    )
    value = forms.CharField(
        label=_("Value"),
        max_length=4000,
        help_text=_(
            "Rates and money as decimals (0.16, 4498.00); tables as JSON; null if unpublished."
        ),
        widget=forms.TextInput(attrs=INPUT),
    )
    reference = forms.CharField(
        label=_("Legal reference"), max_length=300, widget=forms.TextInput(attrs=INPUT)
    )
    confidence = forms.ChoiceField(
        label=_("Confidence"),
        choices=[("verified", _("verified")), ("unverified", _("unverified"))],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={**INPUT, "rows": 2})
    )


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
