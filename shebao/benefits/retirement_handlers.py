"""Retirement applications approved: the pension is opened (SBBN001 normal, SBBN004 flexible
early)."""

from __future__ import annotations

from shebao.benefits.services.retirement import (
    ITEM_FLEXIBLE_EARLY,
    ITEM_NORMAL,
    apply_retirement,
)
from shebao.core.actors import Actor
from shebao.services.handlers import register_handler
from shebao.services.models import Case


@register_handler(ITEM_NORMAL)
@register_handler(ITEM_FLEXIBLE_EARLY)
def retirement_approved(case: Case, actor: Actor) -> None:
    apply_retirement(case, actor)
