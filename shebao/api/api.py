"""The REST API at /api/v1/: each app contributes a router; OpenAPI at /api/v1/openapi.json.

Every router's operations accept a bearer token (checked against the token's scopes for that
router's area) or a staff session; every request counts against its client's rate limit;
every refusal has the same shape (shebao.api.errors).
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI, Router

from shebao.accounts.api import router as accounts_router
from shebao.api.auth import auth_for
from shebao.api.errors import install_error_handlers
from shebao.api.openapi import add_shared_responses
from shebao.api.throttle import ClientRateThrottle
from shebao.benefits.api_death import router as death_router
from shebao.benefits.api_lifecycle import router as lifecycle_router
from shebao.benefits.api_pensions import router as pensions_router
from shebao.benefits.api_unemployment import router as unemployment_router
from shebao.benefits.api_work_injury import router as work_injury_router
from shebao.contributions.api import router as contributions_router
from shebao.core.api import router as core_router
from shebao.documents.api import router as documents_router
from shebao.hall.api import router as hall_router
from shebao.registry.api import router as registry_router
from shebao.reports.api import router as statistics_router
from shebao.rules.api import router as rules_router
from shebao.services.api import router as services_router


class ShebaoAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        return add_shared_responses(super().get_openapi_schema(**kwargs))


api = ShebaoAPI(
    title="shebao API",
    version="1",
    description=(
        "Provincial social insurance administration (pension, unemployment, work injury). "
        "Authentication, scopes, rate limits, idempotency keys and the error format: "
        "docs/api.md."
    ),
    throttle=[ClientRateThrottle()],
    urls_namespace="api",
)
install_error_handlers(api)

# (router, area): the area is what a token's scopes name (shebao.api.scopes.AREAS).
ROUTERS: list[tuple[Router, str]] = [
    (core_router, "core"),
    (rules_router, "rules"),
    (services_router, "services"),
    (registry_router, "registry"),
    (contributions_router, "collection"),
    (accounts_router, "accounts"),
    (pensions_router, "benefits"),
    (lifecycle_router, "benefits"),
    (death_router, "benefits"),
    (unemployment_router, "benefits"),
    (work_injury_router, "benefits"),
    (documents_router, "documents"),
    (statistics_router, "statistics"),
    (hall_router, "hall"),
]
for router, area in ROUTERS:
    api.add_router("/", router, auth=auth_for(area))
