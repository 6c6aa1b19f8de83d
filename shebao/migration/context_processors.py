from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from shebao.core.actors import Actor
from shebao.core.models import Role, User, UserKind
from shebao.migration.selectors import REPORT_ACTIONS, WORKLIST_ACTIONS


def migration_menu(request: HttpRequest) -> dict[str, Any]:
    """Whether the staff menu shows the migration pages: to those who read the reports or the
    worklist (the actions the pages check with ``actor_can``; a claim of any item scope
    counts, as it does there). The roles a view already loaded with its actor answer without
    a query; otherwise one query reads them. Nothing for portal users."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated or user.kind != UserKind.STAFF:
        return {}
    actor = getattr(request, "shebao_actor", None)
    if isinstance(actor, Actor):
        staff = actor.staff
        claims = staff.claims.all() if staff is not None else []
        actions = {action for claim in claims for action in claim.role.actions}
    else:
        actions = {
            action
            for role_actions in Role.objects.filter(
                claims__staff__user=user, claims__staff__user__is_active=True
            ).values_list("actions", flat=True)
            for action in role_actions
        }
    reports = any(action in actions for action in REPORT_ACTIONS)
    worklist = any(action in actions for action in WORKLIST_ACTIONS)
    if not (reports or worklist):
        return {}
    return {"migration_menu": {"reports": reports, "worklist": worklist}}
