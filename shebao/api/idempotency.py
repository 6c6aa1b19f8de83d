"""Idempotency keys on the API's POSTs: a client retrying after a timeout sends the same
``Idempotency-Key`` and gets the first result instead of a second case or payment.

The first request with a key is recorded as in progress before the view runs; a success
stores its response, a refusal or a fault forgets the key so that a corrected retry runs.
Keys are per client (token or staff user) and kept API_IDEMPOTENCY_HOURS.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from shebao.api.auth import token_of
from shebao.api.errors import error_response
from shebao.api.models import IdempotentRequest
from shebao.core.errors import RuleViolation, register_rule

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:\-]{1,100}$")

register_rule(
    "API-IDEMPOTENCY-KEY",
    "Idempotency-Key 须为 1 至 100 个字母、数字或 . _ : - 字符。",
    "Idempotency-Key must be 1 to 100 letters, digits or the characters . _ : -",
    "docs/api.md (idempotency)",
)
register_rule(
    "API-IDEMPOTENCY-MISMATCH",
    "该 Idempotency-Key 已用于另一个请求内容；重试须发送相同内容，新请求须用新键。",
    "This Idempotency-Key was used with another request; a retry must send the same body, "
    "a new request needs a new key.",
    "docs/api.md (idempotency)",
)
register_rule(
    "API-IDEMPOTENCY-IN-PROGRESS",
    "使用该 Idempotency-Key 的前一请求尚未完成；请稍后用同一键重试。",
    "The earlier request with this Idempotency-Key has not finished; retry later with the "
    "same key.",
    "docs/api.md (idempotency)",
)


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not KEY_PATTERN.match(key):
            return error_response(RuleViolation("API-IDEMPOTENCY-KEY"), 400)
        client = _client_of(request)
        if client is None:  # not authenticated: the API refuses it with 401
            return self.get_response(request)
        fingerprint = _fingerprint(request)
        record, first = _claim(client, key, fingerprint)
        if not first:
            return _answer_to_repeat(record, fingerprint)
        try:
            response = self.get_response(request)
        except BaseException:
            record.delete()
            raise
        if 200 <= response.status_code < 300 and not response.streaming:
            record.state = IdempotentRequest.State.DONE
            record.response_status = response.status_code
            record.response_type = response.get("Content-Type", "")
            record.response_body = response.content
            record.save(
                update_fields=["state", "response_status", "response_type", "response_body"]
            )
        else:
            record.delete()
        return response


def _client_of(request: HttpRequest) -> str | None:
    authorization = request.headers.get("Authorization", "")
    scheme, _, raw = authorization.partition(" ")
    if scheme.lower() == "bearer" and raw:
        token = token_of(raw.strip())
        return f"token:{token.pk}" if token else None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path(), request.content_type or ""):
        digest.update(part.encode("utf-8") + b"\n")
    digest.update(request.body)
    return digest.hexdigest()


def _claim(client: str, key: str, fingerprint: str) -> tuple[IdempotentRequest, bool]:
    """The key's record, and whether this request is the first to hold it."""
    expired = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    IdempotentRequest.objects.filter(client=client, key=key, created_at__lt=expired).delete()
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(
                client=client,
                key=key,
                fingerprint=fingerprint,
                state=IdempotentRequest.State.IN_PROGRESS,
            )
        return record, True
    except IntegrityError:
        return IdempotentRequest.objects.get(client=client, key=key), False


def _answer_to_repeat(record: IdempotentRequest, fingerprint: str) -> HttpResponse:
    if record.fingerprint != fingerprint:
        return error_response(RuleViolation("API-IDEMPOTENCY-MISMATCH"), 422)
    if record.state != IdempotentRequest.State.DONE or record.response_status is None:
        return error_response(RuleViolation("API-IDEMPOTENCY-IN-PROGRESS"), 409)
    response = HttpResponse(
        bytes(record.response_body),
        status=record.response_status,
        content_type=record.response_type or "application/json",
    )
    response[REPLAYED_HEADER] = "true"
    return response


def purge_expired(now: datetime | None = None) -> int:
    """Forget keys older than the retention; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
