"""Reads of the core app, always narrowed to the actor's data scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from shebao.core.actors import Actor
from shebao.core.audit_log import AuditFilters, audit_search
from shebao.core.models import Agency, AuditEntry, PermissionClaim, Staff
from shebao.core.permissions import OutOfScope, scope_filter


def agencies_in_scope(actor: Actor) -> QuerySet[Agency]:
    return scope_filter(Agency.objects.select_related("parent"), actor, "")


def staff_in_scope(actor: Actor, *, search: str = "", agency_code: str = "") -> QuerySet[Staff]:
    queryset = scope_filter(
        Staff.objects.select_related("user", "agency").prefetch_related("claims__role"),
        actor,
        "agency",
    )
    if search:
        queryset = queryset.filter(
            Q(user__username__icontains=search) | Q(user__full_name__icontains=search)
        )
    if agency_code:
        queryset = queryset.filter(agency__code=agency_code)
    return queryset


def staff_get(actor: Actor, username: str) -> Staff:
    """One staff member in the actor's scope; anything else is reported as absent."""
    staff = staff_in_scope(actor).filter(user__username=username).first()
    if staff is None:
        raise OutOfScope()
    return staff


@dataclass(frozen=True)
class PermissionLine:
    role_code: str
    role_name: str
    role_name_en: str
    actions: tuple[str, ...]
    item_scope: str


def staff_permissions(staff: Staff) -> list[PermissionLine]:
    claims: list[PermissionClaim] = list(staff.claims.all())
    return [
        PermissionLine(
            role_code=claim.role.code,
            role_name=claim.role.name,
            role_name_en=claim.role.name_en,
            actions=tuple(claim.role.actions),
            item_scope=claim.item_scope,
        )
        for claim in sorted(claims, key=lambda c: (c.role.code, c.item_scope))
    ]


def audit_entries_in_scope(
    actor: Actor, *, action: str = "", username: str = "", target_id: str = ""
) -> QuerySet[AuditEntry]:
    """Audit entries made in, or about, the actor's subtree (auditors and heads only); the
    full set of filters is shebao.core.audit_log.audit_search."""
    return audit_search(actor, AuditFilters(action=action, username=username, target_id=target_id))
