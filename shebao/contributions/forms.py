from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shebao.core.errors import RuleViolation
from shebao.core.models import Agency
from shebao.core.periods import period_parse

INPUT = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}


def agency_label(agency: Agency) -> str:
    english = (get_language() or "").startswith("en")
    return f"{agency.code} {agency.name_en if english else agency.name}"


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return agency_label(obj)


class AssessmentStartForm(forms.Form):
    """Start the monthly assessment (月度核定) of a period for an agency and its subtree."""

    period = forms.CharField(
        label=_("Period"),
        help_text=_("Month as YYYYMM or YYYY-MM, e.g. 202510."),
        max_length=12,
        widget=forms.TextInput(attrs={**INPUT, "placeholder": "202510"}),
    )
    agency = AgencyChoiceField(
        label=_("Agency (with its subordinate agencies)"),
        queryset=Agency.objects.none(),
        to_field_name="code",
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, AgencyChoiceField)
        field.queryset = agencies.order_by("path")

    def clean_period(self) -> int:
        try:
            return period_parse(self.cleaned_data["period"])
        except RuleViolation as exc:
            raise forms.ValidationError(f"{exc.code}: {exc.message(get_language())}") from None


class BillYearForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Year"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("All years")), *((y, str(y)) for y in years)]
