"""Item handlers: the business effect of a case, applied when it is approved (or completed,
for items without review), inside the same transaction as the transition.

Apps register a handler for each item they implement; the catalogue shows those items as
automated. A handler that refuses (a RuleViolation) refuses the approval: nothing is applied.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shebao.core.actors import Actor
    from shebao.services.models import Case

Handler = Callable[["Case", "Actor"], None]

HANDLERS: dict[str, Handler] = {}


def register_handler(item_code: str) -> Callable[[Handler], Handler]:
    def decorate(handler: Handler) -> Handler:
        if item_code in HANDLERS and HANDLERS[item_code] is not handler:
            raise ValueError(f"item {item_code} has two handlers")
        HANDLERS[item_code] = handler
        return handler

    return decorate


def handler_for(item_code: str) -> Handler | None:
    return HANDLERS.get(item_code)


def handler_name(item_code: str) -> str:
    handler = HANDLERS.get(item_code)
    return f"{handler.__module__}.{handler.__qualname__}" if handler else ""
