"""The fixed-layout statistical reports (统计报表): being built."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def statements(request: HttpRequest) -> HttpResponse:
    raise Http404
