from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from shebao.core.models import User, UserKind


def portal_context(request: HttpRequest) -> dict[str, Any]:
    """Who is signed in to the portal, for its header; nothing (and no query) for staff."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated or user.kind == UserKind.STAFF:
        return {}
    from shebao.portal.auth import employer_agent_of

    if user.kind == UserKind.EMPLOYER_AGENT:
        agent = employer_agent_of(request)
        label = f"{agent.name} · {agent.employer.name}" if agent else user.full_name
    else:
        label = user.full_name
    return {"portal_kind": user.kind, "portal_user_label": label}
