"""The statistics pages: the dashboard of one agency subtree and range of months, each
figure's Excel sheet, and the whole dashboard as one workbook. Thin: the scope and the
figures are the selectors'."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shebao.core.actors import Actor, actor_from_request
from shebao.core.models import Agency
from shebao.reports import selectors as s
from shebao.reports.excel import figures_workbook
from shebao.reports.figures import Filters, cell_display
from shebao.reports.forms import StatisticsFilterForm
from shebao.reports.services import statistics_exported

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def agency_chosen(request: HttpRequest, actor: Actor, form: Form) -> Agency | None:
    """The filter form's agency, or None while the form is invalid. A code not offered is
    either made up or out of the viewer's scope: "not found" either way."""
    if not form.is_valid():
        if "agency" in form.errors:
            s.agency_for(actor, str(request.GET.get("agency", "")))
        return None
    return s.agency_for(actor, form.cleaned_data["agency"])


def _filters(request: HttpRequest, actor: Actor) -> tuple[StatisticsFilterForm, Filters | None]:
    s.ensure_can_see_statistics(actor)
    today = timezone.localdate()
    form = StatisticsFilterForm(request.GET, agencies=s.agencies_for(actor), today=today)
    agency = agency_chosen(request, actor, form)
    if agency is None:
        return form, None
    return form, Filters(agency, form.cleaned_data["start"], form.cleaned_data["end"], today)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    form, filters = _filters(request, actor)
    figures = s.figures_of(filters) if filters is not None else []
    tables = [
        {
            "figure": figure,
            "header": [str(column.label) for column in figure.columns],
            "rows": [figure.cells(row, cell_display) for row in figure.rows],
            "totals": (
                figure.cells(figure.totals, cell_display) if figure.totals is not None else None
            ),
            "chart": figure.chart_data(),
            "chart_id": f"chart-data-{figure.slug}",
        }
        for figure in figures
    ]
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "tables": tables,
            "query": request.GET.urlencode(),
            "refreshed_at": s.refreshed_at(filters) if filters is not None else None,
        },
    )


def _workbook_response(actor: Actor, filters: Filters, slugs: list[str], name: str) -> HttpResponse:
    figures = [s.figure_of(slug, filters) for slug in slugs]
    statistics_exported(
        actor, agency=filters.agency, start=filters.start, end=filters.end, figures=slugs
    )
    content = figures_workbook(figures, filters, generated_at=timezone.now())
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="statistics-{name}-{filters.agency.code}-'
        f'{filters.start}-{filters.end}.xlsx"'
    )
    return response


@login_required
def figure_excel(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_from_request(request)
    form, filters = _filters(request, actor)
    if filters is None:
        return render(request, "reports/dashboard.html", {"form": form, "tables": []}, status=400)
    if slug not in s.FIGURES:  # "not found" before anything is audited
        raise Http404
    return _workbook_response(actor, filters, [slug], slug)


@login_required
def dashboard_excel(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    form, filters = _filters(request, actor)
    if filters is None:
        return render(request, "reports/dashboard.html", {"form": form, "tables": []}, status=400)
    return _workbook_response(actor, filters, list(s.FIGURES), "dashboard")
