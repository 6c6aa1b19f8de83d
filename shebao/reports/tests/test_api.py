"""/api/v1/statistics: the dashboard's figures for other systems, equal to the selectors'
figures, under the same access and scope as the page."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shebao.core.models import Agency
from shebao.reports.figures import Filters
from shebao.reports.selectors import FIGURES, figure_of

QUERY = {"agency": "420300", "start": "202601", "end": "202612"}


@pytest.mark.parametrize("slug", list(FIGURES))
def test_each_figure_equals_the_dashboards(client, bearer, slug):
    response = client.get(
        f"/api/v1/statistics/figures/{slug}", QUERY, headers=bearer("head_shiyan")
    )
    assert response.status_code == 200, response.content
    body = response.json()
    expected = figure_of(
        slug, Filters(Agency.objects.get(code="420300"), 202601, 202612, timezone.localdate())
    )
    assert (body["agency"], body["start"], body["end"]) == ("420300", 202601, 202612)
    assert [c["key"] for c in body["columns"]] == [c.key for c in expected.columns]
    assert body["rows"] == [list(row) for row in expected.rows]
    assert body["totals"] == (list(expected.totals) if expected.totals is not None else None)


def test_the_list_names_every_figure(client, bearer):
    listed = client.get("/api/v1/statistics/figures", headers=bearer("fund_shiyan")).json()
    assert [f["slug"] for f in listed] == list(FIGURES)


def test_access_and_scope_follow_the_page(client, bearer):
    clerk = client.get("/api/v1/statistics/figures/insured", headers=bearer("clerk_maojian"))
    assert clerk.status_code == 403
    district = bearer("head_maojian")
    own = client.get("/api/v1/statistics/figures/insured", headers=district)
    assert own.status_code == 200
    assert own.json()["agency"] == "420302"
    city = client.get("/api/v1/statistics/figures/insured", {"agency": "420300"}, headers=district)
    assert city.status_code == 404
    unknown = client.get("/api/v1/statistics/figures/nothing", headers=district)
    assert unknown.status_code == 404


def test_a_bad_range_is_refused_with_its_rule(client, bearer):
    headers = bearer("head_shiyan")
    backwards = client.get(
        "/api/v1/statistics/figures/insured", {"start": "202612", "end": "202601"}, headers=headers
    )
    assert backwards.status_code == 400
    assert backwards.json()["code"] == "REPORT-PERIOD-RANGE"
    malformed = client.get(
        "/api/v1/statistics/figures/insured", {"end": "2026-13"}, headers=headers
    )
    assert malformed.status_code == 400
    assert malformed.json()["code"] == "PERIOD-FORMAT"


def test_a_token_needs_the_statistics_scope(client, bearer):
    headers = bearer("head_shiyan", scopes="collection:read")
    refused = client.get("/api/v1/statistics/figures/insured", headers=headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "API-TOKEN-SCOPE"
