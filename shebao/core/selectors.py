"""Reads of the core app, always narrowed to the actor's data scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet

from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.models import Action, Agency, AuditEntry, PermissionClaim, Staff
from shebao.core.permissions import OutOfScope, actor_scope_path, ensure_can, scope_filter


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


def staff_view_full(actor: Actor, username: str) -> Staff:
    """A full staff record with unmasked contact data; the viewing is audited (查询留痕)."""
    staff = staff_get(actor, username)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="staff.view",
            target=staff,
            target_agency=staff.agency,
        )
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
    """Audit entries made in, or about, the actor's subtree (auditors and heads only)."""
    ensure_can(actor, Action.AUDIT)
    queryset = AuditEntry.objects.all()
    prefix = actor_scope_path(actor)
    if prefix is None:
        return queryset.none()
    if prefix != "/":
        queryset = queryset.filter(
            Q(actor_agency_path__startswith=prefix) | Q(target_agency_path__startswith=prefix)
        )
    if action:
        queryset = queryset.filter(action__startswith=action)
    if username:
        queryset = queryset.filter(actor_username=username)
    if target_id:
        queryset = queryset.filter(target_id=target_id)
    return queryset.order_by("-id")
