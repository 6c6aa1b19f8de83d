"""The staff menu's optional entries: shown to those who hold an action the pages check."""

from __future__ import annotations

from django.http import HttpRequest

from shebao.core.actors import Actor
from shebao.core.models import Role, User, UserKind


def staff_actions(request: HttpRequest) -> set[str] | None:
    """The actions the signed-in staff member's roles grant (a claim of any item scope
    counts, as ``actor_can`` without an item does); None for anyone not staff. The roles a
    view already loaded with its actor answer without a query; otherwise one query reads them."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated or user.kind != UserKind.STAFF:
        return None
    actor = getattr(request, "shebao_actor", None)
    if isinstance(actor, Actor):
        staff = actor.staff
        claims = staff.claims.all() if staff is not None else []
        return {action for claim in claims for action in claim.role.actions}
    return {
        action
        for role_actions in Role.objects.filter(
            claims__staff__user=user, claims__staff__user__is_active=True
        ).values_list("actions", flat=True)
        for action in role_actions
    }
