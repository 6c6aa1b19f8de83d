"""Forms of the citizen portal's applications and of the kiosk's pages."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shebao.benefits.models import PensionGroup
from shebao.benefits.services.unemployment import SEPARATION_REASONS
from shebao.hall.models import PriorityReason, VisitReason

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE = {"class": "form-control", "type": "date"}


class RetirementApplicationForm(forms.Form):
    """What a person can say online; the deemed years and the personnel file are the clerk's."""

    group = forms.ChoiceField(
        label=_("Retirement group (women: as in your personnel file)"),
        choices=[
            (PensionGroup.FEMALE_50.value, PensionGroup.FEMALE_50.label),
            (PensionGroup.FEMALE_55.value, PensionGroup.FEMALE_55.label),
        ],
        required=False,
        widget=forms.Select(SELECT),
    )
    retirement_month = forms.IntegerField(
        label=_("Retirement month (YYYYMM; empty: the statutory month)"),
        required=False,
        min_value=190001,
        max_value=299912,
        widget=forms.NumberInput(TEXT),
    )
    bank_name = forms.CharField(
        label=_("Bank (empty: the account on record)"),
        required=False,
        max_length=50,
        widget=forms.TextInput(TEXT),
    )
    bank_account = forms.CharField(
        label=_("Bank account number"), required=False, max_length=40, widget=forms.TextInput(TEXT)
    )
    confirm = forms.BooleanField(
        label=_("I confirm that what I entered is true."),
        widget=forms.CheckboxInput({"class": "form-check-input"}),
    )


class UnemploymentClaimForm(forms.Form):
    separated_on = forms.DateField(label=_("Last day of employment"), widget=forms.DateInput(DATE))
    separation_reason = forms.ChoiceField(
        label=_("Why the employment ended"),
        choices=[(code, zh) for code, (zh, _en, _inv) in SEPARATION_REASONS.items()],
        widget=forms.Select(SELECT),
    )
    employer_id = forms.TypedChoiceField(
        label=_("Last employer"), coerce=int, required=False, widget=forms.Select(SELECT)
    )
    bank_name = forms.CharField(
        label=_("Bank (empty: the account on record)"),
        required=False,
        max_length=50,
        widget=forms.TextInput(TEXT),
    )
    bank_account = forms.CharField(
        label=_("Bank account number"), required=False, max_length=40, widget=forms.TextInput(TEXT)
    )

    def __init__(self, *args: object, employers: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["employer_id"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "—"), *employers]

    def clean_separated_on(self) -> object:
        day = self.cleaned_data["separated_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The day cannot be in the future."))
        return day


class CaseReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300, required=False, widget=forms.TextInput(TEXT)
    )


class AppointmentForm(forms.Form):
    slot = forms.CharField(widget=forms.HiddenInput)  # "YYYY-MM-DD HH:MM"


class HomeVisitForm(forms.Form):
    address = forms.CharField(label=_("Address"), max_length=200, widget=forms.TextInput(TEXT))
    phone = forms.CharField(label=_("Contact phone"), max_length=20, widget=forms.TextInput(TEXT))
    reason = forms.ChoiceField(
        label=_("Why a home visit"), choices=VisitReason.choices, widget=forms.Select(SELECT)
    )
    needed_items = forms.MultipleChoiceField(
        label=_("What you need"),
        required=False,
        choices=[
            ("SBQL001", _("Retiree qualification certification")),
            ("SBCT002", _("Contribution certificate")),
            ("SBBN001", _("Retirement application")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_date = forms.DateField(
        label=_("Preferred date"), required=False, widget=forms.DateInput(DATE)
    )
    note = forms.CharField(
        label=_("Note"), max_length=300, required=False, widget=forms.Textarea(TEXT | {"rows": 2})
    )


class KioskTicketForm(forms.Form):
    category = forms.ChoiceField(choices=[("A", "A"), ("G", "G")])
    priority_reason = forms.ChoiceField(choices=PriorityReason.choices, required=False)


class KioskCheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Booking code (8 digits)"),
        min_length=8,
        max_length=8,
        widget=forms.TextInput(
            {
                "class": "form-control kiosk-input",
                "inputmode": "none",
                "autocomplete": "off",
                "maxlength": "8",
            }
        ),
    )

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).strip()
        if not code.isdigit():
            raise forms.ValidationError(_("The booking code has 8 digits."))
        return code
