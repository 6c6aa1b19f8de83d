"""One error format for the whole API: a rule code, both messages and the message in the
request's language, whatever refused the request — a service rule, the schema, the
authentication, the rate limit, an unknown path or a server fault."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import get_language
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from shebao.core.errors import RuleViolation, register_rule
from shebao.core.permissions import OutOfScope, PermissionRefused

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"

register_rule(
    "API-VALIDATION",
    "请求内容不符合接口定义，请按错误明细更正。",
    "The request does not match the API's schema; correct the fields listed in errors.",
    "OpenAPI schema at /api/v1/openapi.json",
)
register_rule(
    "API-UNAUTHENTICATED",
    "请先认证：使用 Bearer 令牌或工作人员登录会话。",
    "Authenticate first: a bearer token or a staff session.",
    "docs/api.md",
)
register_rule(
    "API-FORBIDDEN",
    "您无权使用该接口。",
    "You may not use this endpoint.",
    "docs/api.md",
)
register_rule(
    "API-NOT-FOUND",
    "没有该接口或记录。",
    "No such endpoint or record.",
    "docs/api.md",
)
register_rule(
    "API-METHOD",
    "该接口不支持此请求方法。",
    "This endpoint does not accept this request method.",
    "docs/api.md",
)
register_rule(
    "API-RATE-LIMIT",
    "请求过于频繁，请在 {wait} 秒后重试。",
    "Too many requests; retry in {wait} seconds.",
    "per-client rate limit (docs/api.md)",
)
register_rule(
    "API-NUL-CHARACTER",
    "请求中含有空字符（U+0000），不能保存，请删除后重试。",
    "The request contains a NUL character (U+0000), which cannot be stored; remove it.",
    "docs/api.md (errors)",
)
register_rule(
    "API-SERVER-ERROR",
    "服务器内部错误，已记录，请稍后重试或联系运维。",
    "Internal server error; it has been logged. Retry later or contact operations.",
    "docs/api.md",
)


def error_body(violation: RuleViolation, **extra: Any) -> dict[str, Any]:
    return violation.as_dict() | {"detail": violation.message(get_language())} | extra


def error_response(violation: RuleViolation, status: int, **extra: Any) -> JsonResponse:
    """The API's error as a plain Django response, for code outside the ninja operations."""
    response = JsonResponse(error_body(violation, **extra), status=status)
    response["Content-Language"] = get_language() or "zh-hans"
    return response


def rule_status(exc: RuleViolation) -> int:
    if isinstance(exc, OutOfScope):
        return 404
    if isinstance(exc, PermissionRefused):
        return 403
    return getattr(exc, "http_status", 400)


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default handlers so that every refusal has the same shape."""

    def respond(request: HttpRequest, violation: RuleViolation, status: int, **extra: Any) -> Any:
        return api.create_response(request, error_body(violation, **extra), status=status)

    def on_rule(request: HttpRequest, exc: RuleViolation) -> HttpResponse:
        return respond(request, exc, rule_status(exc))

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [_plain_error(error) for error in exc.errors]
        return respond(request, RuleViolation("API-VALIDATION"), 422, errors=errors)

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, RuleViolation("API-UNAUTHENTICATED"), 401)

    def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        wait = int(exc.wait or 60)
        response = respond(request, RuleViolation("API-RATE-LIMIT", wait=wait), 429)
        response["Retry-After"] = str(wait)
        return response

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(request, RuleViolation(_code_of_status(exc.status_code)), exc.status_code)

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, RuleViolation("API-NOT-FOUND"), 404)

    def on_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, RuleViolation("API-FORBIDDEN"), 403)

    def on_fault(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API request failed: %s %s", request.method, request.path)
        return respond(request, RuleViolation("API-SERVER-ERROR"), 500)

    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (Exception, on_fault),
        (PermissionDenied, on_denied),
        (Http404, on_not_found),
        (HttpError, on_http_error),
        (Throttled, on_throttled),
        (AuthenticationError, on_authentication),
        (ValidationError, on_validation),
        (RuleViolation, on_rule),
    ]
    for exception, handler in handlers:
        api.add_exception_handler(exception, handler)


def _code_of_status(status: int) -> str:
    return {401: "API-UNAUTHENTICATED", 403: "API-FORBIDDEN", 404: "API-NOT-FOUND"}.get(
        status, "API-METHOD" if status == 405 else "API-VALIDATION"
    )


def _plain_error(error: dict[str, Any]) -> dict[str, Any]:
    """A validation error with only JSON-safe values: where, what and why."""
    return {
        "loc": [str(part) for part in error.get("loc", ())],
        "type": str(error.get("type", "")),
        "msg": str(error.get("msg", "")),
    }


class ApiErrorMiddleware:
    """Requests under /api/ that never reach an operation (an unknown path, a method the path
    does not take, a fault outside a handler) get the same JSON error as the rest."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX) and _carries_nul(request):
            return error_response(RuleViolation("API-NUL-CHARACTER"), 422)
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or _is_json(response):
            return response
        if response.status_code == 404:
            return error_response(RuleViolation("API-NOT-FOUND"), 404)
        if response.status_code == 403:
            return error_response(RuleViolation("API-FORBIDDEN"), 403)
        if response.status_code == 405:
            replaced = error_response(RuleViolation("API-METHOD"), 405)
            if response.has_header("Allow"):
                replaced["Allow"] = response["Allow"]
            return replaced
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # "Not found" and "denied" are answers, not faults: Django turns them into 404 and 403,
        # which __call__ then gives the API's shape.
        if not request.path.startswith(API_PREFIX) or isinstance(
            exception, Http404 | PermissionDenied
        ):
            return None
        logger.exception("API request failed: %s %s", request.method, request.path)
        return error_response(RuleViolation("API-SERVER-ERROR"), 500)


def _carries_nul(request: HttpRequest) -> bool:
    """A NUL anywhere in the path, the query or a JSON body. PostgreSQL text cannot hold it,
    so it is refused before any handler runs, on SQLite too. (A JSON string spelling the six
    characters backslash-u-0000 literally is refused as well: no field of ours needs them.)"""
    if "\x00" in request.path or "\x00" in unquote(request.META.get("QUERY_STRING", "")):
        return True
    if request.method in {"POST", "PUT", "PATCH"} and request.content_type == "application/json":
        body = request.body
        return b"\x00" in body or b"\\u0000" in body
    return False


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")
