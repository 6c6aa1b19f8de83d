from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from shebao.core.models import Agency
from shebao.registry.rules import ADDITION_REASONS, REMOVAL_REASONS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

INPUT = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}
PERIOD_HELP = _("Month as YYYY-MM, e.g. 2025-07.")


def text(label: StrOrPromise, *, required: bool = True) -> forms.CharField:
    return forms.CharField(label=label, required=required, widget=forms.TextInput(attrs=INPUT))


class PeriodField(forms.RegexField):
    def __init__(self, label: StrOrPromise) -> None:
        super().__init__(
            regex=r"^\d{4}-?(0[1-9]|1[0-2])$",
            label=label,
            help_text=PERIOD_HELP,
            widget=forms.TextInput(attrs={**INPUT, "placeholder": "2025-07"}),
        )

    def clean(self, value: object) -> int:
        cleaned = str(super().clean(value)).replace("-", "")
        return int(cleaned)


class EmployerRegistrationForm(forms.Form):
    credit_code = text(_("Credit code"))
    name = text(_("Name"))
    legal_representative = text(_("Legal representative"), required=False)
    address = text(_("Address"), required=False)
    industry = text(_("Industry"), required=False)
    risk_class = forms.IntegerField(
        label=_("Work-injury risk class"), min_value=1, max_value=8, required=False,
        widget=forms.NumberInput(attrs=INPUT),
    )  # fmt: skip
    floating_tier = forms.TypedChoiceField(
        label=_("Floating tier (%)"),
        choices=[("", "—"), (50, "50"), (80, "80"), (100, "100"), (120, "120"), (150, "150")],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    bank_name = text(_("Bank"), required=False)
    bank_account = text(_("Bank account"), required=False)
    contact_name = text(_("Contact"), required=False)
    contact_phone = text(_("Contact phone"), required=False)


class AdditionForm(forms.Form):
    resident_id = text(_("Resident ID"))
    name = text(_("Name"))
    start_period = PeriodField(_("Start period"))
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[(code, zh) for code, (zh, _en) in ADDITION_REASONS.items() if code != "flexible"],
        widget=forms.Select(attrs=SELECT),
    )
    schemes = forms.MultipleChoiceField(
        label=_("Schemes"),
        choices=[("pension", _("Pension")), ("unemployment", _("Unemployment")),
                 ("work_injury", _("Work injury"))],
        initial=["pension", "unemployment", "work_injury"],
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    continuing = forms.BooleanField(
        label=_("Continuing past retirement to reach the minimum years"), required=False
    )


class RemovalForm(forms.Form):
    resident_id = text(_("Resident ID"))
    end_period = PeriodField(_("End period"))
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[(code, zh) for code, (zh, _en) in REMOVAL_REASONS.items()],
        widget=forms.Select(attrs=SELECT),
    )


class TransferForm(forms.Form):
    to_agency = forms.ModelChoiceField(
        label=_("New managing agency"),
        queryset=Agency.objects.filter(level="district"),
        to_field_name="code",
        widget=forms.Select(attrs=SELECT),
    )


class ReasonForm(forms.Form):
    reason = text(_("Reason"))


class EmployerChangeForm(forms.Form):
    field = forms.ChoiceField(
        label=_("Field"),
        choices=[
            ("name", _("Name")), ("legal_representative", _("Legal representative")),
            ("address", _("Address")), ("industry", _("Industry")),
            ("bank_name", _("Bank")), ("bank_account", _("Bank account")),
            ("contact_name", _("Contact")), ("contact_phone", _("Contact phone")),
            ("status", _("Status (active / suspended)")),
        ],
        widget=forms.Select(attrs=SELECT),
    )  # fmt: skip
    value = text(_("New value"))


class PersonChangeForm(forms.Form):
    field = forms.ChoiceField(
        label=_("Field"),
        choices=[
            ("phone", _("Phone")), ("address", _("Address")), ("ethnicity", _("Ethnicity")),
            ("hukou_type", _("Household registration (urban / rural)")),
            ("bank_name", _("Bank")), ("bank_account", _("Bank account")),
        ],
        widget=forms.Select(attrs=SELECT),
    )  # fmt: skip
    value = text(_("New value"))


class FlexibleForm(forms.Form):
    start_period = PeriodField(_("Start period"))
    continuing = forms.BooleanField(
        label=_("Continuing past retirement to reach the minimum years"), required=False
    )


class MergeForm(forms.Form):
    other_resident_id = text(_("Resident ID of the duplicate record"))


class BatchUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("addition", _("Staff additions")), ("removal", _("Staff removals"))],
        widget=forms.Select(attrs=SELECT),
    )
    file = forms.FileField(label=_("Excel file (.xlsx)"), widget=forms.FileInput(attrs=INPUT))
