from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from shebao.core.menu import staff_actions
from shebao.migration.selectors import REPORT_ACTIONS, WORKLIST_ACTIONS


def migration_menu(request: HttpRequest) -> dict[str, Any]:
    """Whether the staff menu shows the migration pages: to those who read the reports or the
    worklist."""
    actions = staff_actions(request)
    if not actions:
        return {}
    reports = any(action in actions for action in REPORT_ACTIONS)
    worklist = any(action in actions for action in WORKLIST_ACTIONS)
    if not (reports or worklist):
        return {}
    return {"migration_menu": {"reports": reports, "worklist": worklist}}
