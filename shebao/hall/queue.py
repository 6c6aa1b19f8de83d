"""The queue's rules as pure functions: which waiting ticket a window calls next, how many
are ahead of a ticket, and the estimated wait. No database here; the services apply the same
order in SQL and the tests hold the two to each other.

Order (叫号顺序): a ticket transferred to a window is that window's first and only that window
calls it; then the green channel (G: the elderly, disabled, pregnant), then appointments (B),
then general tickets (A); first come, first served within a category.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

CATEGORY_ORDER = ("G", "B", "A")
CATEGORY_RANK = {category: rank for rank, category in enumerate(CATEGORY_ORDER)}


@dataclass(frozen=True)
class Waiting:
    """What the order needs to know of a waiting ticket."""

    id: int
    category: str
    queued_at: datetime
    target_window_id: int | None = None


def callable_by(ticket: Waiting, window_id: int, categories: Iterable[str]) -> bool:
    if ticket.target_window_id is not None:
        return ticket.target_window_id == window_id
    return ticket.category in set(categories)


def queue_key(ticket: Waiting, window_id: int | None = None) -> tuple[int, int, datetime, int]:
    transferred_here = window_id is not None and ticket.target_window_id == window_id
    return (
        0 if transferred_here else 1,
        CATEGORY_RANK[ticket.category],
        ticket.queued_at,
        ticket.id,
    )


def call_order(
    tickets: Iterable[Waiting], window_id: int, categories: Iterable[str]
) -> list[Waiting]:
    """The waiting tickets this window may call, in the order it calls them."""
    wanted = list(categories)
    mine = [t for t in tickets if callable_by(t, window_id, wanted)]
    return sorted(mine, key=lambda t: queue_key(t, window_id))


def ahead_of(ticket: Waiting, waiting: Sequence[Waiting]) -> int:
    """How many waiting tickets the hall serves before this one (transfers aside)."""
    mine = queue_key(ticket)[1:]
    return sum(1 for other in waiting if other.id != ticket.id and queue_key(other)[1:] < mine)


def estimated_wait_minutes(*, ahead: int, average_minutes: float, open_windows: int) -> int:
    """Minutes until the ticket is called: the tickets ahead share the open windows serving
    its category, each taking the average service time. With no window open the estimate
    is for one window."""
    if ahead <= 0:
        return 0
    return math.ceil(ahead * average_minutes / max(open_windows, 1))


def average_service_minutes(
    durations_seconds: Sequence[float], *, default_minutes: float, minimum_sample: int = 3
) -> float:
    """The mean of the day's finished services, or the configured default while the day has
    too few to tell."""
    if len(durations_seconds) < minimum_sample:
        return default_minutes
    return sum(durations_seconds) / len(durations_seconds) / 60
