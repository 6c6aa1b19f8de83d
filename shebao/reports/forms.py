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

register_rule(
    "REPORT-PERIOD-RANGE",
    "统计期间的截止月不能早于起始月，且不超过{limit}个月（{start}至{end}）。",
    "The period range must not end before it starts and may span at most {limit} months "
    "({start} to {end}).",
)

MAX_MONTHS = 60
DEFAULT_MONTHS = 12
INPUT = {"class": "form-control form-control-sm"}


class StatisticsFilterForm(forms.Form):
    agency = forms.ChoiceField(
        label=_("Agency"), widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )
    start = forms.CharField(label=_("From month"), widget=forms.TextInput(attrs=INPUT))
    end = forms.CharField(label=_("To month"), widget=forms.TextInput(attrs=INPUT))

    def __init__(self, data: Any, *, agencies: list[Agency], today: date) -> None:
        end = period_of(today)
        initial = {
            "agency": agencies[0].code if agencies else "",
            "start": period_format(period_add(end, 1 - DEFAULT_MONTHS)),
            "end": period_format(end),
        }
        # An empty query means the defaults, so the first view needs no form submission.
        super().__init__({**initial, **{k: v for k, v in data.items() if v}})
        field = self.fields["agency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (agency.code, f"{'· ' * (agency.path.count('/') - 2)}{agency.code} {agency.name}")
            for agency in agencies
        ]

    def _period(self, name: str) -> int:
        try:
            return period_parse(self.cleaned_data[name])
        except RuleViolation as exc:
            raise forms.ValidationError(f"{exc.code}: {exc.message(get_language())}") from None

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
            exc = RuleViolation(
                "REPORT-PERIOD-RANGE",
                start=period_format(start),
                end=period_format(end),
                limit=MAX_MONTHS,
            )
            raise forms.ValidationError(f"{exc.code}: {exc.message(get_language())}")
        return cleaned
