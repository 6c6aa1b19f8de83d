"""Forms of the hall's staff pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shebao.core.models import Staff
from shebao.hall.models import Category, PriorityReason, VisitReason

CONTROL = {"class": "form-control"}
SELECT = {"class": "form-select"}


class ReceptionForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[
            (Category.GENERAL, Category.GENERAL.label),
            (Category.GREEN, Category.GREEN.label),
        ],
        widget=forms.Select(SELECT),
    )
    priority_reason = forms.ChoiceField(
        label=_("Green-channel reason"),
        choices=[("", "—"), *PriorityReason.choices],
        required=False,
        widget=forms.Select(SELECT),
    )
    resident_id = forms.CharField(
        label=_("Resident ID (optional)"),
        max_length=18,
        required=False,
        widget=forms.TextInput(CONTROL | {"autocomplete": "off"}),
    )


class HomeVisitForm(forms.Form):
    address = forms.CharField(label=_("Address"), max_length=200, widget=forms.TextInput(CONTROL))
    phone = forms.CharField(
        label=_("Contact phone"), max_length=20, widget=forms.TextInput(CONTROL)
    )
    reason = forms.ChoiceField(
        label=_("Reason"), choices=VisitReason.choices, widget=forms.Select(SELECT)
    )
    needed_items = forms.CharField(
        label=_("Items needed (codes, e.g. SBQL001)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(CONTROL),
    )
    preferred_date = forms.DateField(
        label=_("Preferred date"),
        required=False,
        widget=forms.DateInput(CONTROL | {"type": "date"}),
    )
    note = forms.CharField(
        label=_("Note"), max_length=300, required=False, widget=forms.TextInput(CONTROL)
    )

    def clean_needed_items(self) -> list[str]:
        text = self.cleaned_data.get("needed_items", "")
        return [code.strip().upper() for code in text.replace("，", ",").split(",") if code.strip()]


class ScheduleForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(CONTROL | {"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(CONTROL | {"type": "time"}))
    staff = forms.ModelChoiceField(
        label=_("Visiting staff"), queryset=Staff.objects.none(), widget=forms.Select(SELECT)
    )

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff  # type: ignore[attr-defined]
