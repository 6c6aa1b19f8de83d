"""The statistical reports' pages (统计报表): a report of an agency subtree for a month or a
year, shown as a table in its fixed layout and downloaded as Excel (each download audited).
Thin: the scope is the selectors', the figures ``statements.py``'s."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shebao.core.actors import Actor, actor_from_request
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import Agency
from shebao.core.money import format_yuan
from shebao.core.periods import period_format, period_of, period_parse
from shebao.reports import selectors as s
from shebao.reports.figures import Filters
from shebao.reports.services import statistics_exported
from shebao.reports.statements import FUNDS, INSURED, ReportPeriod, Statement, statement_of
from shebao.reports.statements_excel import statement_workbook
from shebao.reports.views import XLSX

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
SELECT = {"class": "form-select form-select-sm"}
INPUT = {"class": "form-control form-control-sm"}


def _refusal(code: str, value: str) -> forms.ValidationError:
    exc = RuleViolation(code, value=value)
    return forms.ValidationError(f"{exc.code}: {exc.message(get_language())}")


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
        # An empty query means the defaults, so the first view needs no form submission.
        super().__init__({**initial, **{k: v for k, v in data.items() if v}})
        field = self.fields["agency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (agency.code, f"{'· ' * (agency.path.count('/') - 2)}{agency.code} {agency.name}")
            for agency in agencies
        ]

    def clean_month(self) -> int | None:
        text = self.cleaned_data["month"]
        if self.data.get("frequency") == ANNUAL:
            return None  # not used: a stale month does not block the annual report
        try:
            period = period_parse(text)
        except RuleViolation:
            raise _refusal("REPORT-STATEMENT-MONTH", text) from None
        if not MIN_YEAR <= period // 100 <= MAX_YEAR:
            raise _refusal("REPORT-STATEMENT-MONTH", text)
        return period

    def clean_year(self) -> int | None:
        text = self.cleaned_data["year"].strip()
        if self.data.get("frequency") != ANNUAL:
            return None
        if not (text.isascii() and text.isdigit() and MIN_YEAR <= int(text) <= MAX_YEAR):
            raise _refusal("REPORT-STATEMENT-YEAR", text)
        return int(text)

    def report_period(self) -> ReportPeriod:
        if self.cleaned_data["frequency"] == ANNUAL:
            return ReportPeriod(self.cleaned_data["year"])
        month = self.cleaned_data["month"]
        return ReportPeriod(month // 100, month % 100)


def _statement(request: HttpRequest, actor: Actor) -> tuple[StatementForm, Statement | None]:
    s.ensure_can_see_statistics(actor)
    form = StatementForm(request.GET, agencies=s.agencies_for(actor), today=timezone.localdate())
    if not form.is_valid():
        # A code not offered is either made up or out of scope: "not found" either way.
        if "agency" in form.errors:
            s.agency_for(actor, str(request.GET.get("agency", "")))
        return form, None
    agency = s.agency_for(actor, form.cleaned_data["agency"])
    return form, statement_of(form.cleaned_data["report"], agency, form.report_period())


def statement_table(statement: Statement) -> dict[str, Any]:
    """The report's table as the page shows it: counts with separators, yuan with two
    decimals."""
    return {
        "groups": [{"label": g.label, "span": len(g.columns)} for g in statement.groups],
        "labels": [column.label for column in statement.columns],
        "rows": [
            {
                "label": row.label,
                "total": row.is_total,
                "cells": [
                    format_yuan(value) if column.money else f"{value:,}"
                    for value, column in zip(row.values, statement.columns, strict=True)
                ],
            }
            for row in statement.rows
        ],
    }


@login_required
def statements(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    form, statement = _statement(request, actor)
    return render(
        request,
        "reports/statements.html",
        {
            "form": form,
            "statement": statement,
            "table": statement_table(statement) if statement is not None else None,
            "query": request.GET.urlencode(),
        },
        status=200 if statement is not None else 400,
    )


@login_required
def statement_excel(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    form, statement = _statement(request, actor)
    if statement is None:
        return render(request, "reports/statements.html", {"form": form}, status=400)
    periods = statement.period.periods
    statistics_exported(
        actor,
        Filters(statement.agency, periods[0], periods[-1], timezone.localdate()),
        [f"statement-{statement.kind}"],
    )
    content = statement_workbook(statement, generated_at=timezone.now())
    response = HttpResponse(content, content_type=XLSX)
    period = statement.period.year if statement.period.annual else periods[0]
    response["Content-Disposition"] = (
        f'attachment; filename="report-{statement.kind}-{statement.agency.code}-{period}.xlsx"'
    )
    return response
