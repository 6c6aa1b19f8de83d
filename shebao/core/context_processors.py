from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from shebao.core.models import Staff


def staff_context(request: HttpRequest) -> dict[str, Any]:
    """Site title and the signed-in staff member's agency for the page header."""
    staff = None
    actor = getattr(request, "shebao_actor", None)
    if actor is not None:
        staff = actor.staff  # already loaded by the view
    else:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            staff = Staff.objects.select_related("agency").filter(user=user).first()
    return {
        "site_title": settings.SHEBAO_SITE_TITLE,
        "province_name": settings.SHEBAO_PROVINCE_NAME,
        "current_staff": staff,
        # Signed in with the password, the second factor still to come: no menu yet.
        "otp_pending": getattr(request, "shebao_otp_pending", False),
    }
