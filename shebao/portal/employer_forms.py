"""Forms of the employer portal. The staff addition and removal forms are the counter's with
the fields an employer fills in online; every business rule stays in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shebao.core.errors import RuleViolation
from shebao.registry.batch.cells import parse_phone
from shebao.registry.batch.columns import ETHNIC_GROUPS
from shebao.registry.forms import INPUT, SELECT, AdditionForm, RemovalForm
from shebao.registry.models import HukouType


def _refusal(exc: RuleViolation) -> forms.ValidationError:
    return forms.ValidationError(f"{exc.code}: {exc.message(get_language())}")


class StaffAdditionForm(AdditionForm):
    """人员增加: the counter's fields plus the contact details the register keeps."""

    phone = forms.CharField(
        label=_("Mobile phone"), required=False, max_length=20, widget=forms.TextInput(INPUT)
    )
    ethnicity = forms.ChoiceField(
        label=_("Ethnicity"),
        required=False,
        choices=[("", "—"), *((name, name) for name in ETHNIC_GROUPS)],
        widget=forms.Select(attrs=SELECT),
    )
    hukou_type = forms.ChoiceField(
        label=_("Household registration"),
        required=False,
        choices=[("", "—"), *HukouType.choices],
        widget=forms.Select(attrs=SELECT),
    )

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return ""
        try:
            return parse_phone(phone)
        except RuleViolation as exc:
            raise _refusal(exc) from None


class StaffRemovalForm(RemovalForm):
    """人员减少 of a person picked from the staff list: the resident ID comes from the record."""

    resident_id = None  # type: ignore[assignment]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        max_length=300,
        widget=forms.TextInput(attrs=INPUT),
    )


class AgentAddForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50, widget=forms.TextInput(attrs=INPUT))
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(attrs={**INPUT, "inputmode": "tel"}),
    )
    is_admin = forms.BooleanField(label=_("Also manages the agents"), required=False)


class AgentOpenForm(forms.Form):
    """A clerk opens an administrator agent for the employer."""

    name = forms.CharField(label=_("Name"), max_length=50, widget=forms.TextInput(attrs=INPUT))
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(attrs={**INPUT, "inputmode": "tel"}),
    )
