from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def staff_context(request: HttpRequest) -> dict[str, Any]:
    """Site title and the signed-in staff member's agency for the page header."""
    staff = None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        staff = getattr(user, "staff", None)
    return {
        "site_title": settings.SHEBAO_SITE_TITLE,
        "province_name": settings.SHEBAO_PROVINCE_NAME,
        "current_staff": staff,
    }
