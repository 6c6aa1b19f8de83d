"""The dashboard's filters: an agency of the viewer's subtree and a range of months."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import Agency
from shebao.core.periods import months_between, period_add, period_format, period_of, period_parse
from shebao.reports.statements import FUNDS, INSURED, ReportPeriod

register_rule(
    "REPORT-PERIOD-RANGE",
    "统计期间的截止月不能早于起始月，且不超过{limit}个月（{start}至{end}）。",
    "The period range must not end before it starts and may span at most {limit} months "
    "({start} to {end}).",
)

MAX_MONTHS = 60
DEFAULT_MONTHS = 12
INPUT = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}


def rule_refusal(code: str, **params: object) -> forms.ValidationError:
    """A form error that carries its rule code, in the reader's language."""
    exc = RuleViolation(code, **params)
    return forms.ValidationError(f"{exc.code}: {exc.message(get_language())}")


def agency_choices(agencies: list[Agency]) -> list[tuple[str, str]]:
    """The agencies indented by their depth under the province."""
    return [
        (agency.code, f"{'· ' * (agency.path.count('/') - 2)}{agency.code} {agency.name}")
        for agency in agencies
    ]


def with_defaults(data: Any, initial: dict[str, str]) -> dict[str, Any]:
    """The query over the defaults: an empty query shows the defaults, so the first view
    needs no form submission."""
    return {**initial, **{key: value for key, value in data.items() if value}}


class StatisticsFilterForm(forms.Form):
    agency = forms.ChoiceField(label=_("Agency"), widget=forms.Select(attrs=SELECT))
    start = forms.CharField(label=_("From month"), widget=forms.TextInput(attrs=INPUT))
    end = forms.CharField(label=_("To month"), widget=forms.TextInput(attrs=INPUT))

    def __init__(self, data: Any, *, agencies: list[Agency], today: date) -> None:
        end = period_of(today)
        initial = {
            "agency": agencies[0].code if agencies else "",
            "start": period_format(period_add(end, 1 - DEFAULT_MONTHS)),
            "end": period_format(end),
        }
        super().__init__(with_defaults(data, initial))
        field = self.fields["agency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = agency_choices(agencies)

    def _period(self, name: str) -> int:
        text = self.cleaned_data[name]
        try:
            return period_parse(text)
        except RuleViolation:
            raise rule_refusal("PERIOD-FORMAT", value=text) from None

    def clean_start(self) -> int:
        return self._period("start")

    def clean_end(self) -> int:
        return self._period("end")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if (isinstance(start, int) and isinstance(end, int)) and (
            end < start or months_between(start, end) >= MAX_MONTHS
        ):
            raise rule_refusal(
                "REPORT-PERIOD-RANGE",
                start=period_format(start),
                end=period_format(end),
                limit=MAX_MONTHS,
            )
        return cleaned


register_rule(
    "REPORT-STATEMENT-MONTH",
    "报表月份不正确：{value}（应为 2000–2100 年间的年月，如 2026-11）",
    "Invalid report month: {value} (expected a month between 2000 and 2100, e.g. 2026-11)",
)
register_rule(
    "REPORT-STATEMENT-YEAR",
    "报表年度不正确：{value}（应为 2000–2100 之间的年份）",
    "Invalid report year: {value} (expected a year from 2000 to 2100)",
)

MIN_YEAR, MAX_YEAR = 2000, 2100
MONTHLY, ANNUAL = "monthly", "annual"


class StatementForm(forms.Form):
    agency = forms.ChoiceField(label=_("Agency"), widget=forms.Select(attrs=SELECT))
    report = forms.ChoiceField(
        label=_("Report"),
        choices=[
            (INSURED, _("Insured persons and contributions by scheme and agency")),
            (FUNDS, _("Fund income and expenditure by scheme")),
        ],
        widget=forms.Select(attrs=SELECT),
    )
    frequency = forms.ChoiceField(
        label=_("Frequency"),
        choices=[(MONTHLY, _("Monthly")), (ANNUAL, _("Annual"))],
        widget=forms.Select(attrs=SELECT),
    )
    month = forms.CharField(label=_("Month"), widget=forms.TextInput(attrs=INPUT))
    year = forms.CharField(label=_("Year"), widget=forms.TextInput(attrs=INPUT))

    def __init__(self, data: Any, *, agencies: list[Agency], today: date) -> None:
        initial = {
            "agency": agencies[0].code if agencies else "",
            "report": INSURED,
            "frequency": MONTHLY,
            # From the dashboard: its last month.
            "month": data.get("end") or period_format(period_of(today)),
            "year": str(today.year),
        }
        super().__init__(with_defaults(data, initial))
        field = self.fields["agency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = agency_choices(agencies)

    def clean_month(self) -> int | None:
        text = self.cleaned_data["month"]
        if self.data.get("frequency") == ANNUAL:
            return None  # not used: a stale month does not block the annual report
        try:
            period = period_parse(text)
        except RuleViolation:
            raise rule_refusal("REPORT-STATEMENT-MONTH", value=text) from None
        if not MIN_YEAR <= period // 100 <= MAX_YEAR:
            raise rule_refusal("REPORT-STATEMENT-MONTH", value=text)
        return period

    def clean_year(self) -> int | None:
        text = self.cleaned_data["year"].strip()
        if self.data.get("frequency") != ANNUAL:
            return None
        if not (text.isascii() and text.isdigit() and MIN_YEAR <= int(text) <= MAX_YEAR):
            raise rule_refusal("REPORT-STATEMENT-YEAR", value=text)
        return int(text)

    def report_period(self) -> ReportPeriod:
        if self.cleaned_data["frequency"] == ANNUAL:
            return ReportPeriod(self.cleaned_data["year"])
        month = self.cleaned_data["month"]
        return ReportPeriod(month // 100, month % 100)
