"""Staff pages of the portal app: the kiosks of the halls in scope, and registering one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from shebao.core.actors import actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.feedback import report_refusal
from shebao.core.models import Action
from shebao.core.permissions import actor_can, scope_filter
from shebao.portal.forms import KioskRegisterForm
from shebao.portal.models import Kiosk
from shebao.portal.services import kiosk_register


@login_required
def kiosks(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    can_register = actor_can(actor, Action.CONFIGURE) and actor.agency is not None
    form = KioskRegisterForm(request.POST or None)
    activation_url = ""
    if request.method == "POST" and form.is_valid() and actor.agency is not None:
        try:
            kiosk, key = kiosk_register(
                actor=actor,
                agency=actor.agency,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
            )
        except RuleViolation as exc:
            report_refusal(request, exc)
        else:
            # Shown once: only the key's hash is stored.
            activation_url = request.build_absolute_uri(reverse("kiosk:activate", args=[key]))
            messages.success(request, _("Kiosk %(code)s registered.") % {"code": kiosk.code})
            form = KioskRegisterForm()
    rows = scope_filter(Kiosk.objects.select_related("agency"), actor, "agency")
    return render(
        request,
        "portal/staff_kiosks.html",
        {
            "kiosks": rows,
            "form": form,
            "can_register": can_register,
            "activation_url": activation_url,
        },
    )
