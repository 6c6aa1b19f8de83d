"""The REST API at /api/v1/: each app contributes a router; OpenAPI at /api/v1/openapi.json."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import NinjaAPI
from ninja.security import django_auth

from shebao.accounts.api import router as accounts_router
from shebao.api.auth import TokenAuth
from shebao.benefits.api_death import router as death_router
from shebao.benefits.api_lifecycle import router as lifecycle_router
from shebao.benefits.api_pensions import router as pensions_router
from shebao.benefits.api_unemployment import router as unemployment_router
from shebao.benefits.api_work_injury import router as work_injury_router
from shebao.contributions.api import router as contributions_router
from shebao.core.api import router as core_router
from shebao.core.errors import RuleViolation
from shebao.core.permissions import OutOfScope, PermissionRefused
from shebao.documents.api import router as documents_router
from shebao.registry.api import router as registry_router
from shebao.rules.api import router as rules_router
from shebao.services.api import router as services_router

api = NinjaAPI(
    title="shebao API",
    version="1",
    description="Provincial social insurance administration (pension, unemployment, work injury).",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


@api.exception_handler(RuleViolation)
def rule_violation(request: HttpRequest, exc: RuleViolation) -> HttpResponse:
    status = 400
    if isinstance(exc, OutOfScope):
        status = 404
    elif isinstance(exc, PermissionRefused):
        status = 403
    body = exc.as_dict() | {"detail": exc.message(get_language())}
    return api.create_response(request, body, status=status)


api.add_router("/", core_router)
api.add_router("/", rules_router)
api.add_router("/", services_router)
api.add_router("/", registry_router)
api.add_router("/", contributions_router)
api.add_router("/", accounts_router)
api.add_router("/", pensions_router)
api.add_router("/", lifecycle_router)
api.add_router("/", death_router)
api.add_router("/", unemployment_router)
api.add_router("/", work_injury_router)
api.add_router("/", documents_router)
