"""Bearer tokens for staff and systems: the token acts with exactly its user's permissions."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from shebao.core.models import ApiToken, User, UserKind
from shebao.core.services import api_token_hash

# last_used_at is written at most this often per token, to keep reads free of writes.
LAST_USED_RESOLUTION = timedelta(minutes=5)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        row = (
            ApiToken.objects.select_related("user")
            .filter(
                key_hash=api_token_hash(token),
                revoked_at__isnull=True,
                user__is_active=True,
                user__kind=UserKind.STAFF,  # tokens are for staff and systems, never portal users
            )
            .first()
        )
        if row is None:
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user
