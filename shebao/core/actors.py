"""Who is acting, from where: passed to every service so that scope, permission and audit agree."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from shebao.core.models import Agency, Channel, Staff, User

if TYPE_CHECKING:
    from collections.abc import Iterable


@dataclass(frozen=True)
class Actor:
    """The person or process behind a change. ``user`` is None for system processes."""

    user: User | None
    channel: str
    client_ip: str | None = None
    system_label: str = ""

    def __post_init__(self) -> None:
        # An actor with neither a user nor a system label would pass as a system process
        # with the whole province in scope: refuse to build one.
        if self.user is None and not self.system_label:
            raise ValueError("an actor needs a user or a system label")

    @cached_property
    def staff(self) -> Staff | None:
        if self.user is None or not self.user.is_authenticated:
            return None
        return (
            Staff.objects.select_related("agency")
            .prefetch_related("claims__role")
            .filter(user=self.user, user__is_active=True)
            .first()
        )

    @property
    def is_system(self) -> bool:
        return self.user is None

    @property
    def username(self) -> str:
        if self.user is None:
            return f"system:{self.system_label or 'shebao'}"
        return self.user.get_username()

    @property
    def agency(self) -> Agency | None:
        return self.staff.agency if self.staff else None

    def role_codes(self) -> list[str]:
        if self.staff is None:
            return []
        return sorted({claim.role.code for claim in self.staff.claims.all()})


def staff_actor(
    username: str, channel: str = Channel.COUNTER, client_ip: str | None = None
) -> Actor:
    """A named staff member acting (demo data, commands and tests; views use the request)."""
    user = User.objects.get(username=username, staff__isnull=False)
    return Actor(user=user, channel=channel, client_ip=client_ip)


def system_actor(label: str) -> Actor:
    """A batch job or management command acting with the whole province in scope."""
    return Actor(user=None, channel=Channel.SYSTEM, system_label=label)


def client_ip_of(request: HttpRequest, trusted_proxies: int) -> str | None:
    """The client address: REMOTE_ADDR, or the hop ``trusted_proxies`` from the right of
    X-Forwarded-For when that many proxies we run sit in front (anything further left is
    whatever the client claimed)."""
    if trusted_proxies > 0:
        hops: Iterable[str] = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        chain = [hop.strip() for hop in hops if hop.strip()]
        if len(chain) >= trusted_proxies:
            return chain[-trusted_proxies]
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


def actor_from_request(request: HttpRequest, channel: str = Channel.COUNTER) -> Actor:
    cached = getattr(request, "shebao_actor", None)
    if isinstance(cached, Actor) and cached.channel == channel:
        return cached
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied("login required")
    actor = Actor(
        user=user,
        channel=channel,
        client_ip=getattr(request, "client_ip", None),
    )
    request.shebao_actor = actor  # type: ignore[attr-defined]
    return actor
