"""Who calls the API: a system with a bearer token, or a staff member's browser session.

A token acts with exactly its user's permissions and data scope, narrowed by its scopes;
a session is accepted only for staff (a portal login never reaches the staff API).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from shebao.api import scopes
from shebao.core.models import ApiToken, User, UserKind
from shebao.core.services import api_token_hash

# last_used_at is written at most this often per token, to keep reads free of writes.
LAST_USED_RESOLUTION = timedelta(minutes=5)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def token_of(raw: str) -> ApiToken | None:
    return (
        ApiToken.objects.select_related("user")
        .filter(
            key_hash=api_token_hash(raw),
            revoked_at__isnull=True,
            user__is_active=True,
            user__kind=UserKind.STAFF,  # tokens are for staff and systems, never portal users
        )
        .first()
    )


class TokenAuth(HttpBearer):
    """Bearer tokens; ``area`` is the router the operation belongs to, checked against the
    token's scopes (a write needs ``area:write``)."""

    def __init__(self, area: str | None = None) -> None:
        super().__init__()
        self.area = area

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        row = token_of(token)
        if row is None:
            return None
        if self.area is not None:
            write = request.method not in SAFE_METHODS
            if not scopes.allows(row.scopes, self.area, write=write):
                raise scopes.ScopeRefused(
                    "API-TOKEN-SCOPE", needed=scopes.needed(self.area, write=write)
                )
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        request.api_token = row  # type: ignore[attr-defined]
        return row.user


class StaffSessionAuth(SessionAuth):
    """A signed-in staff member's session (CSRF-checked for writes, as in the staff pages)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return None
        if user.kind != UserKind.STAFF:
            # A citizen or employer agent is signed in, but the staff API is not theirs.
            raise PermissionDenied("staff only")
        return user


def auth_for(area: str) -> list[TokenAuth | StaffSessionAuth]:
    return [TokenAuth(area), StaffSessionAuth()]
