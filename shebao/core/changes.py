"""Figures of some periods changed: telling those who keep derived figures (the statistics
summaries), once the change has committed. The apps that change data name what changed and
which periods; they need not know who listens."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from django.db import transaction

Listener = Callable[[str, frozenset[int]], None]
_listeners: list[Listener] = []


def on_periods_changed(listener: Listener) -> Listener:
    _listeners.append(listener)
    return listener


def periods_changed(topic: str, periods: Iterable[int | None]) -> None:
    """``topic`` says what changed ("assessment", "payments", "payroll"). A failing listener
    is logged and does not undo the change: derived figures can be rebuilt later."""
    chosen = frozenset(p for p in periods if p)
    if not chosen:
        return
    for listener in _listeners:
        transaction.on_commit(partial(listener, topic, chosen), robust=True)
