"""Per-client rate limits: a fixed one-minute window counted in the shared cache.

A token's own limit, or API_RATE_LIMIT_PER_MINUTE; staff sessions count per user under
API_SESSION_RATE_LIMIT_PER_MINUTE. 0 means unlimited. With several processes the cache must
be shared (CACHE_URL, e.g. Redis), or each process counts on its own.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

WINDOW_SECONDS = 60


class ClientRateThrottle(BaseThrottle):
    def allow_request(self, request: HttpRequest) -> bool:
        client, limit = _client_and_limit(request)
        if client is None or limit <= 0:
            return True
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        self._wait = WINDOW_SECONDS - int(now % WINDOW_SECONDS)
        key = f"shebao:api-rate:{client}:{window}"
        # add() then incr() is atomic per step on Redis and locmem; a key that expired between
        # the two starts a new count.
        if cache.add(key, 1, timeout=WINDOW_SECONDS + 1):
            return True
        try:
            count = cache.incr(key)
        except ValueError:
            cache.add(key, 1, timeout=WINDOW_SECONDS + 1)
            return True
        return count <= limit

    def wait(self) -> float | None:
        return float(getattr(self, "_wait", WINDOW_SECONDS))


def _client_and_limit(request: HttpRequest) -> tuple[str | None, int]:
    token = getattr(request, "api_token", None)
    if token is not None:
        limit = token.rate_limit_per_minute
        if limit is None:
            limit = settings.API_RATE_LIMIT_PER_MINUTE
        return f"token:{token.pk}", limit
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}", settings.API_SESSION_RATE_LIMIT_PER_MINUTE
    return f"ip:{getattr(request, 'client_ip', None) or request.META.get('REMOTE_ADDR')}", (
        settings.API_ANONYMOUS_RATE_LIMIT_PER_MINUTE
    )
