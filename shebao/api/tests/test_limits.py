"""Per-client rate limits: a token's own limit or the default, counted per minute."""

from __future__ import annotations

import pytest
import time_machine
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


@time_machine.travel("2026-12-07 10:00:05+08:00", tick=False)
def test_a_token_over_its_limit_gets_429_with_retry_after(client, bearer, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 100
    headers = bearer("clerk_maojian", rate_limit=3)
    statuses = [client.get("/api/v1/me", headers=headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.json()["code"] == "API-RATE-LIMIT"
    assert refused["Retry-After"] == "55"
    assert "55" in refused.json()["message_zh"]


def test_the_limit_is_per_client_and_the_window_resets(client, bearer, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    with time_machine.travel("2026-12-07 10:00:10+08:00", tick=False) as clock:
        first = bearer("clerk_maojian")
        other = bearer("clerk_maojian")
        assert [client.get("/api/v1/me", headers=first).status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]
        assert client.get("/api/v1/me", headers=other).status_code == 200
        clock.move_to("2026-12-07 10:01:01+08:00")
        assert client.get("/api/v1/me", headers=first).status_code == 200


@time_machine.travel("2026-12-07 10:00:10+08:00", tick=False)
def test_anonymous_callers_are_limited_by_address(client, demo, settings):
    settings.API_ANONYMOUS_RATE_LIMIT_PER_MINUTE = 2
    statuses = [client.get("/api/v1/service-items").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


@time_machine.travel("2026-12-07 10:00:10+08:00", tick=False)
def test_zero_means_unlimited(client, bearer, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 0
    headers = bearer("clerk_maojian")
    assert {client.get("/api/v1/me", headers=headers).status_code for _ in range(20)} == {200}
