"""Permission claims and data scope, enforced in selectors and services (never only in templates).

A staff member may act on a record only when its managing agency is their own agency or one of
its descendants; out-of-scope records are reported as absent (404), not as forbidden, so that a
clerk cannot probe what exists elsewhere.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from shebao.core.actors import Actor
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import Agency, PermissionClaim, Staff

register_rule(
    "CORE-SCOPE",
    "该记录不在您所属经办机构的管辖范围内。",
    "This record is outside the jurisdiction of your agency.",
    "社会保险经办条例 art. 4; provincial data-scope policy",
)
register_rule(
    "CORE-PERMISSION",
    "您没有“{action}”权限（事项：{item}）。请先认领该业务权限。",
    "You do not hold the '{action}' permission (service item: {item}). Claim it first.",
    "业务权限认领",
)

ModelT = TypeVar("ModelT", bound=models.Model)


class OutOfScope(RuleViolation):
    def __init__(self) -> None:
        super().__init__("CORE-SCOPE")


class PermissionRefused(RuleViolation):
    def __init__(self, action: str, item: str) -> None:
        super().__init__("CORE-PERMISSION", action=action, item=item)


def claim_covers(claim: PermissionClaim, *, item_code: str | None, category: str | None) -> bool:
    """Whether a claim's item scope covers the item (or, with no item, any item at all)."""
    scope = claim.item_scope
    if scope == "*" or (item_code is None and category is None):
        return True
    if item_code is not None and scope == f"item:{item_code}":
        return True
    return category is not None and scope == f"category:{category}"


def staff_can(
    staff: Staff, action: str, *, item_code: str | None = None, category: str | None = None
) -> bool:
    if not staff.user.is_active:
        return False
    return any(
        action in claim.role.actions and claim_covers(claim, item_code=item_code, category=category)
        for claim in staff.claims.all()
    )


def actor_can(
    actor: Actor, action: str, *, item_code: str | None = None, category: str | None = None
) -> bool:
    if actor.is_system:
        return True
    return actor.staff is not None and staff_can(
        actor.staff, action, item_code=item_code, category=category
    )


def ensure_can(
    actor: Actor, action: str, *, item_code: str | None = None, category: str | None = None
) -> None:
    if not actor_can(actor, action, item_code=item_code, category=category):
        raise PermissionRefused(action, item_code or category or "*")


def actor_scope_path(actor: Actor) -> str | None:
    """The agency path prefix the actor may see; "/" for system processes, None for nobody."""
    if actor.is_system:
        return "/"
    agency = actor.agency
    return agency.path if agency is not None else None


def in_scope(actor: Actor, agency: Agency) -> bool:
    prefix = actor_scope_path(actor)
    return prefix is not None and agency.path.startswith(prefix)


def ensure_in_scope(actor: Actor, agency: Agency) -> None:
    if not in_scope(actor, agency):
        raise OutOfScope()


def acts_for(actor: Actor, record: models.Model) -> bool:
    """Whether the actor may act for this person or employer: staff and system processes
    within their agency scope (the record's managing agency), a portal or kiosk user only for
    their own record."""
    if actor.principal is not None:
        return actor.principal.represents(record)
    agency = getattr(record, "managing_agency", None)
    return isinstance(agency, Agency) and in_scope(actor, agency)


def ensure_acts_for(actor: Actor, record: models.Model) -> None:
    """``acts_for`` or "not found": a portal user asking for another's record learns nothing."""
    if not acts_for(actor, record):
        raise OutOfScope()


def scope_filter(
    queryset: models.QuerySet[ModelT], actor: Actor, agency_field: str
) -> models.QuerySet[ModelT]:
    """Narrow a queryset to records whose ``agency_field`` lies in the actor's subtree.

    ``agency_field`` is the lookup path to an Agency (``"agency"``, ``"staff__agency"``);
    for the Agency model itself pass ``""``.
    """
    prefix = actor_scope_path(actor)
    if prefix is None:
        return queryset.none()
    if prefix == "/":
        return queryset
    lookup = f"{agency_field}__path__startswith" if agency_field else "path__startswith"
    return queryset.filter(**{lookup: prefix})
