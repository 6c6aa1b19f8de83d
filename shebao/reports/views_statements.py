"""The statistical reports' pages (统计报表): a report of an agency subtree for a month or a
year, shown as a table in its fixed layout and downloaded as Excel (each download audited).
Thin: the scope is the selectors', the figures ``statements.py``'s."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shebao.core.actors import Actor, actor_from_request
from shebao.core.money import format_yuan
from shebao.reports import selectors as s
from shebao.reports.forms import StatementForm
from shebao.reports.services import statistics_exported
from shebao.reports.statements import Statement, statement_of
from shebao.reports.statements_excel import statement_workbook
from shebao.reports.views import XLSX, agency_chosen


def _statement(request: HttpRequest, actor: Actor) -> tuple[StatementForm, Statement | None]:
    s.ensure_can_see_statistics(actor)
    form = StatementForm(request.GET, agencies=s.agencies_for(actor), today=timezone.localdate())
    agency = agency_chosen(request, actor, form)
    if agency is None:
        return form, None
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
        agency=statement.agency,
        start=periods[0],
        end=periods[-1],
        figures=[f"statement-{statement.kind}"],
    )
    content = statement_workbook(statement, generated_at=timezone.now())
    response = HttpResponse(content, content_type=XLSX)
    period = statement.period.year if statement.period.annual else periods[0]
    response["Content-Disposition"] = (
        f'attachment; filename="report-{statement.kind}-{statement.agency.code}-{period}.xlsx"'
    )
    return response
