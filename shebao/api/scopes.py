"""Token scopes: what a system's token may do, always within its user's own permissions.

A scope is ``area:read`` or ``area:write`` (write includes read); ``*`` is everything the
user may do. The areas are the API's routers.
"""

from __future__ import annotations

from shebao.core.errors import RuleViolation, register_rule

AREAS = (
    "core",
    "rules",
    "services",
    "registry",
    "collection",
    "accounts",
    "benefits",
    "documents",
    "statistics",
    "hall",
)
ALL = "*"

register_rule(
    "API-TOKEN-SCOPE",
    "该令牌的授权范围不含“{needed}”。",
    "This token's scopes do not include '{needed}'.",
    "docs/api.md (token scopes)",
)
register_rule(
    "API-TOKEN-SCOPE-UNKNOWN",
    "未知的令牌授权范围“{scope}”；可用：*、{{领域}}:read、{{领域}}:write（领域：{areas}）。",
    "Unknown token scope '{scope}'; use *, <area>:read or <area>:write (areas: {areas}).",
    "docs/api.md (token scopes)",
)


class ScopeRefused(RuleViolation):
    """A token used beyond its scopes: 403, like a permission the user does not hold."""

    http_status = 403


def normalise_scopes(scopes: list[str] | tuple[str, ...] | str) -> str:
    """The scopes as stored: space-separated, checked, sorted, duplicates removed."""
    given = scopes.split() if isinstance(scopes, str) else list(scopes)
    if not given or ALL in given:
        return ALL
    for scope in given:
        area, _, access = scope.partition(":")
        if area not in AREAS or access not in {"read", "write"}:
            raise RuleViolation("API-TOKEN-SCOPE-UNKNOWN", scope=scope, areas=", ".join(AREAS))
    return " ".join(sorted(set(given)))


def allows(scopes: str, area: str, *, write: bool) -> bool:
    granted = set(scopes.split())
    if ALL in granted:
        return True
    return f"{area}:write" in granted or (not write and f"{area}:read" in granted)


def needed(area: str, *, write: bool) -> str:
    return f"{area}:{'write' if write else 'read'}"
