from __future__ import annotations

from collections.abc import Callable

import pytest

from shebao.core.actors import system_actor
from shebao.core.models import User
from shebao.core.services import api_token_issue


@pytest.fixture
def bearer(demo) -> Callable[..., dict[str, str]]:  # type: ignore[no-untyped-def]
    """Headers carrying a fresh token of a demo user, with the given scopes and limit."""

    def issue(username: str, scopes: str = "*", rate_limit: int | None = None) -> dict[str, str]:
        _row, token = api_token_issue(
            actor=system_actor("tests"),
            user=User.objects.get(username=username),
            scopes=scopes,
            rate_limit_per_minute=rate_limit,
        )
        return {"Authorization": f"Bearer {token}"}

    return issue
