"""Forms of the fund officer's collection pages: the exchange with the tax bureau (assessment
export, payment file upload), matching a payment by hand, reconciliation and arrears. The
agency choices are the actor's agency subtree, so an agency outside it is refused like an
unknown one; every business check stays in the services and selectors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shebao.contributions.exchange import CSV, JSON
from shebao.contributions.forms import INPUT, SELECT, AgencyChoiceField
from shebao.contributions.selectors import ReconciliationCategory
from shebao.core.errors import RuleViolation
from shebao.core.models import Agency, BatchRun
from shebao.core.periods import period_parse


def _scoped_agency_field() -> AgencyChoiceField:
    return AgencyChoiceField(
        label=_("Agency (with its subordinate agencies)"),
        queryset=Agency.objects.none(),
        to_field_name="code",
        widget=forms.Select(attrs=SELECT),
    )


class _AgencyForm(forms.Form):
    """A form whose agency is one of ``agencies`` (the actor's subtree), by code."""

    agency = _scoped_agency_field()

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, AgencyChoiceField)
        field.queryset = agencies.order_by("path")


class _PeriodAgencyForm(_AgencyForm):
    period = forms.CharField(
        label=_("Period"),
        help_text=_("Month as YYYYMM or YYYY-MM, e.g. 202510."),
        max_length=12,
        widget=forms.TextInput(attrs={**INPUT, "placeholder": "202510"}),
    )

    field_order = ["period", "agency"]

    def clean_period(self) -> int:
        try:
            return period_parse(self.cleaned_data["period"])
        except RuleViolation as exc:
            raise forms.ValidationError(f"{exc.code}: {exc.message(get_language())}") from None


class AssessmentExportForm(_PeriodAgencyForm):
    """The assessment file for the tax bureau (核定数据导出): a period, an agency subtree,
    optionally the bills of one run only, as CSV or JSON."""

    run = forms.IntegerField(
        label=_("Run (optional)"),
        help_text=_("Only the bills of this run, e.g. a rerun's difference bills."),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs=INPUT),
    )
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[(CSV, "CSV"), (JSON, "JSON")],
        initial=CSV,
        widget=forms.Select(attrs=SELECT),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        run_id, period, agency = (cleaned.get(k) for k in ("run", "period", "agency"))
        if run_id is None or period is None or agency is None:
            return cleaned
        run = BatchRun.objects.select_related("agency").filter(pk=run_id).first()
        # The run must be of the period and cover the agency or lie inside it: a province run
        # issues the bills of a district too. Any other run reads as unknown.
        related = run is not None and (
            agency.path.startswith(run.agency.path) or run.agency.path.startswith(agency.path)
        )
        if run is None or not related or run.period != period:
            self.add_error(
                "run",
                _("No run #%(run)s of period %(period)s covers this agency.")
                % {"run": run_id, "period": period},
            )
        return cleaned


class PaymentFileForm(forms.Form):
    """A payment file from the tax bureau (缴费信息文件, CSV)."""

    file = forms.FileField(
        label=_("Payment file (CSV)"),
        widget=forms.FileInput(attrs={**INPUT, "accept": ".csv,text/csv"}),
    )


class PaymentMatchForm(forms.Form):
    """The bill an unmatched payment pays, typed by the fund officer (到账匹配)."""

    bill_number = forms.CharField(
        label=_("Bill number"),
        max_length=40,
        widget=forms.TextInput(attrs=INPUT),
    )


class ReconciliationForm(_PeriodAgencyForm):
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("All categories")), *ReconciliationCategory.choices],
        required=False,
        widget=forms.Select(attrs=SELECT),
    )


class ArrearsForm(_AgencyForm):
    on = forms.DateField(
        label=_("Late fee to"),
        help_text=_("Day the late fee is counted to (YYYY-MM-DD); today when left empty."),
        required=False,
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d"),
    )
