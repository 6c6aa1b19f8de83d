"""Forms of the collection counter pages: base declaration (typed or from Excel), the flexible
worker's base, back-payment and refund. Typed amounts are yuan, parsed to fen here; every
business check stays in the services."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shebao.contributions.forms import INPUT, SELECT
from shebao.contributions.services.bases import WageRow
from shebao.core.errors import RuleViolation
from shebao.core.money import parse_yuan
from shebao.core.periods import period_format, period_parse

AMOUNT = {**INPUT, "class": "form-control form-control-sm text-end", "inputmode": "decimal"}
YEARS_BACK = 5  # the declarable years, as the base services check them (BASE-YEAR)
# Above this many staff the typed form is not offered (one input each would pass Django's
# limit on posted fields); such employers declare with the workbook.
FORM_STAFF_LIMIT = 500


def refusal_text(exc: RuleViolation) -> str:
    return f"{exc.code}: {exc.message(get_language())}"


def declarable_years(today: date) -> list[int]:
    """Newest first: next year (declared ahead) back to five years ago."""
    return list(range(today.year + 1, today.year - YEARS_BACK - 1, -1))


def _yuan(text: str) -> int:
    try:
        return parse_yuan(text)
    except RuleViolation as exc:
        raise forms.ValidationError(refusal_text(exc)) from None


def _period(text: str) -> int:
    try:
        return period_parse(text)
    except RuleViolation as exc:
        raise forms.ValidationError(refusal_text(exc)) from None


class YearForm(forms.Form):
    """The year a page works on; carried by the query string and again by each form posted."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, widget=forms.Select(attrs=SELECT))

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(year, str(year)) for year in declarable_years(today)]


class BaseWagesForm(forms.Form):
    """One wage input per employee, keyed by the person's id so that full resident IDs never
    reach the page. A blank input leaves the employee out of this declaration."""

    def __init__(self, *args: Any, people: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = list(people)
        for person_id, _resident_id in self.people:
            self.fields[self.field_name(person_id)] = forms.CharField(
                required=False,
                max_length=20,
                widget=forms.TextInput(attrs={**AMOUNT, "autocomplete": "off"}),
            )

    @staticmethod
    def field_name(person_id: int) -> str:
        return f"wage_{person_id}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for number, (person_id, _resident_id) in enumerate(self.people, start=1):
            name = self.field_name(person_id)
            text = (cleaned.get(name) or "").strip()
            if not text:
                cleaned[name] = None
                continue
            try:
                wage_fen = parse_yuan(text)
                if wage_fen < 0:
                    raise RuleViolation("BASE-WAGE-NEGATIVE", row=number)
            except RuleViolation as exc:
                self.add_error(name, refusal_text(exc))
                continue
            cleaned[name] = wage_fen
        return cleaned

    def wage_rows(self) -> list[WageRow]:
        """The declared rows in the order of the page (valid form only)."""
        rows = []
        for person_id, resident_id in self.people:
            wage_fen = self.cleaned_data.get(self.field_name(person_id))
            if wage_fen is not None:
                rows.append(WageRow(resident_id, wage_fen))
        return rows


class BaseUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled declaration workbook (.xlsx)"),
        widget=forms.FileInput(attrs={**INPUT, "accept": ".xlsx"}),
    )


class FlexibleBaseForm(forms.Form):
    base = forms.CharField(
        label=_("Chosen monthly base (yuan)"),
        max_length=20,
        widget=forms.TextInput(attrs={**AMOUNT, "autofocus": True, "autocomplete": "off"}),
    )

    def clean_base(self) -> int:
        return _yuan(self.cleaned_data["base"])


class BackPaymentForm(forms.Form):
    resident_id = forms.CharField(
        label=_("Resident ID"),
        max_length=20,
        widget=forms.TextInput(attrs={**INPUT, "autofocus": True, "autocomplete": "off"}),
    )
    start = forms.CharField(
        label=_("From period"),
        max_length=12,
        widget=forms.TextInput(attrs={**INPUT, "placeholder": "2025-01"}),
    )
    end = forms.CharField(
        label=_("To period"),
        max_length=12,
        widget=forms.TextInput(attrs={**INPUT, "placeholder": "2025-06"}),
    )
    wage = forms.CharField(
        label=_("Average monthly wage then (yuan)"),
        help_text=_("Only for years without a verified base."),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={**AMOUNT, "autocomplete": "off"}),
    )

    def clean_start(self) -> int:
        return _period(self.cleaned_data["start"])

    def clean_end(self) -> int:
        return _period(self.cleaned_data["end"])

    def clean_wage(self) -> int | None:
        text = self.cleaned_data["wage"].strip()
        return _yuan(text) if text else None


class RefundForm(forms.Form):
    period = forms.TypedChoiceField(
        label=_("Period"), coerce=int, widget=forms.Select(attrs={**SELECT, "autofocus": True})
    )
    amount = forms.CharField(
        label=_("Amount to refund (yuan)"),
        max_length=20,
        widget=forms.TextInput(attrs={**AMOUNT, "autocomplete": "off"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.TextInput(attrs=INPUT))

    def __init__(self, *args: Any, overpaid: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        """``overpaid``: the periods with something overpaid and that amount, as yuan text."""
        super().__init__(*args, **kwargs)
        field = self.fields["period"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(p, f"{period_format(p)} · {yuan}") for p, yuan in overpaid]

    def clean_amount(self) -> int:
        return _yuan(self.cleaned_data["amount"])
