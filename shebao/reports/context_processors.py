from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from shebao.core.menu import staff_actions
from shebao.reports.selectors import STATISTICS_ACTIONS


def statistics_menu(request: HttpRequest) -> dict[str, Any]:
    """Whether the staff menu shows the statistics: to heads, auditors, fund officers and
    administrators (the actions the pages check)."""
    actions = staff_actions(request) or set()
    return {"statistics_menu": any(action in actions for action in STATISTICS_ACTIONS)}
