"""Who is acting, from where: passed to every service so that scope, permission and audit agree."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from shebao.core.models import Agency, Channel, Staff, User, UserKind

if TYPE_CHECKING:
    from collections.abc import Iterable


class PrincipalKind:
    CITIZEN = "citizen"
    EMPLOYER_AGENT = "employer_agent"


@dataclass(frozen=True)
class Principal:
    """Whom a portal or kiosk user acts for: their own person record (a citizen) or the
    employer they are an agent of. Such a user holds no staff role and no agency scope: they
    may act only for this one record."""

    kind: str
    person_id: int | None = None
    employer_id: int | None = None

    def represents(self, record: object) -> bool:
        """Whether ``record`` (a person or an employer) is the one this principal acts for."""
        label = getattr(getattr(record, "_meta", None), "label_lower", "")
        record_id = getattr(record, "pk", None)
        if label == "registry.person":
            return self.kind == PrincipalKind.CITIZEN and record_id == self.person_id
        if label == "registry.employer":
            return self.kind == PrincipalKind.EMPLOYER_AGENT and record_id == self.employer_id
        return False


@dataclass(frozen=True)
class Actor:
    """The person or process behind a change. ``user`` is None for system processes;
    ``principal`` is set for portal and kiosk users (who are never staff); a kiosk visitor
    has a principal and the kiosk's label but no login of their own."""

    user: User | None
    channel: str
    client_ip: str | None = None
    system_label: str = ""
    principal: Principal | None = None

    def __post_init__(self) -> None:
        # An actor with neither a user nor a system label would pass as a system process
        # with the whole province in scope: refuse to build one.
        if self.user is None and not self.system_label:
            raise ValueError("an actor needs a user or a system label")

    @cached_property
    def staff(self) -> Staff | None:
        if self.user is None or not self.user.is_authenticated or self.principal is not None:
            return None
        return (
            Staff.objects.select_related("agency")
            .prefetch_related("claims__role")
            .filter(user=self.user, user__is_active=True)
            .first()
        )

    @property
    def is_system(self) -> bool:
        # A kiosk visitor has no login (the kiosk checked their identity) but is never a
        # system process: a principal narrows the actor to one record.
        return self.user is None and self.principal is None

    @property
    def is_portal(self) -> bool:
        return self.principal is not None

    @property
    def username(self) -> str:
        if self.user is None and self.principal is not None:
            return f"{self.system_label}:person-{self.principal.person_id}"
        if self.user is None:
            return f"system:{self.system_label or 'shebao'}"
        return self.user.get_username()

    @property
    def agency(self) -> Agency | None:
        return self.staff.agency if self.staff else None

    def role_codes(self) -> list[str]:
        if self.principal is not None:
            return [self.principal.kind]
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
    if user.kind != UserKind.STAFF:
        # A portal login never acts through the staff pages or the staff API.
        raise PermissionDenied("staff only")
    actor = Actor(
        user=user,
        channel=channel,
        client_ip=getattr(request, "client_ip", None),
    )
    request.shebao_actor = actor  # type: ignore[attr-defined]
    return actor
