"""The statistics for other systems: each dashboard figure as rows of raw values (counts,
money in integer fen, rates as fractions), under the same access and scope as the page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from shebao.api.schemas import ErrorOut
from shebao.core.actors import actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.models import Channel
from shebao.core.periods import months_between, period_add, period_format, period_of, period_parse
from shebao.reports import selectors as s
from shebao.reports.figures import Filters
from shebao.reports.forms import DEFAULT_MONTHS, MAX_MONTHS

router = Router(tags=["statistics"])


class FigureQuery(Schema):
    agency: str = ""  # default: the caller's own agency
    start: str = ""  # YYYYMM; default: twelve months up to this month
    end: str = ""


class ColumnOut(Schema):
    key: str
    label: str
    kind: str


class FigureOut(Schema):
    slug: str
    title: str
    agency: str
    start: int
    end: int
    refreshed_at: datetime | None
    columns: list[ColumnOut]
    rows: list[list[str | int | float | None]]
    totals: list[str | int | float | None] | None
    note: str


class FigureListOut(Schema):
    slug: str
    path: str


def _filters(request: HttpRequest, query: FigureQuery) -> Filters:
    actor = actor_from_request(request, Channel.API)
    s.ensure_can_see_statistics(actor)
    today = timezone.localdate()
    end = period_parse(query.end) if query.end else period_of(today)
    start = period_parse(query.start) if query.start else period_add(end, 1 - DEFAULT_MONTHS)
    if end < start or months_between(start, end) >= MAX_MONTHS:
        raise RuleViolation(
            "REPORT-PERIOD-RANGE",
            start=period_format(start),
            end=period_format(end),
            limit=MAX_MONTHS,
        )
    agencies = s.agencies_for(actor)
    code = query.agency or (agencies[0].code if agencies else "")
    return Filters(s.agency_for(actor, code), start, end, today)


@router.get(
    "/statistics/figures",
    response={200: list[FigureListOut], 403: ErrorOut},
    summary="The dashboard's figures",
)
def figure_list(request: HttpRequest) -> Any:
    s.ensure_can_see_statistics(actor_from_request(request, Channel.API))
    return [{"slug": slug, "path": f"/api/v1/statistics/figures/{slug}"} for slug in s.FIGURES]


@router.get(
    "/statistics/figures/{slug}",
    response={200: FigureOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="One figure of an agency's subtree over a range of months (at most 60)",
)
def figure_detail(request: HttpRequest, slug: str, query: Query[FigureQuery]) -> Any:
    filters = _filters(request, query)
    figure = s.figure_of(slug, filters)
    return {
        "slug": figure.slug,
        "title": str(figure.title),
        "agency": filters.agency.code,
        "start": filters.start,
        "end": filters.end,
        "refreshed_at": s.refreshed_at(filters),
        "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in figure.columns],
        "rows": [list(row) for row in figure.rows],
        "totals": list(figure.totals) if figure.totals is not None else None,
        "note": str(figure.note),
    }
