"""Staff UI of the core app. Thin: scope and permission checks live in selectors and services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.core.actors import actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.feedback import report_refusal
from shebao.core.forms import ClaimGrantForm
from shebao.core.masking import mask_phone
from shebao.core.models import Action
from shebao.core.permissions import actor_can, ensure_can
from shebao.core.selectors import (
    agencies_in_scope,
    audit_entries_in_scope,
    staff_get,
    staff_in_scope,
    staff_permissions,
    staff_view_full,
)
from shebao.core.services import claim_grant, claim_revoke

PAGE_SIZE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    staff = actor.staff
    return render(
        request,
        "core/home.html",
        {
            "staff": staff,
            "permissions": staff_permissions(staff) if staff else [],
            "actions": [(a, actor_can(actor, a)) for a in Action],
        },
    )


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    search = request.GET.get("q", "").strip()
    page = Paginator(staff_in_scope(actor, search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(s, mask_phone(s.phone)) for s in page.object_list]
    context = {"page": page, "rows": rows, "q": search, "query": urlencode({"q": search}) + "&"}
    return render(request, "core/staff_list.html", context)


@login_required
def staff_detail(request: HttpRequest, username: str) -> HttpResponse:
    actor = actor_from_request(request)
    can_configure = actor_can(actor, Action.CONFIGURE)
    # Only those who manage staff see the unmasked record, and that viewing is audited.
    staff = staff_view_full(actor, username) if can_configure else staff_get(actor, username)
    return render(
        request,
        "core/staff_detail.html",
        {
            "member": staff,
            "phone": staff.phone if can_configure else mask_phone(staff.phone),
            "permissions": list(staff.claims.select_related("role").order_by("role__code")),
            "can_configure": can_configure,
            "form": ClaimGrantForm(),
        },
    )


@login_required
@require_POST
def staff_claim_grant(request: HttpRequest, username: str) -> HttpResponse:
    actor = actor_from_request(request)
    staff = staff_get(actor, username)
    form = ClaimGrantForm(request.POST)
    if form.is_valid():
        try:
            claim_grant(
                actor=actor,
                staff=staff,
                role_code=form.cleaned_data["role"].code,
                item_scope=form.cleaned_data["item_scope"].strip(),
            )
            messages.success(request, _("Permission granted."))
        except RuleViolation as exc:
            report_refusal(request, exc)
    else:
        messages.error(request, _("Please correct the form."))
    return redirect("core:staff_detail", username=username)


@login_required
@require_POST
def staff_claim_revoke(request: HttpRequest, username: str, claim_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    staff = staff_get(actor, username)
    claim = get_object_or_404(
        staff.claims.select_related("role", "staff__agency", "staff__user"), pk=claim_id
    )
    try:
        claim_revoke(actor=actor, claim=claim)
        messages.success(request, _("Permission revoked."))
    except RuleViolation as exc:
        report_refusal(request, exc)
    return redirect("core:staff_detail", username=username)


@login_required
def agency_list(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    agencies = list(agencies_in_scope(actor))
    base_depth = min((a.path.count("/") for a in agencies), default=0)
    rows = [(a, a.path.count("/") - base_depth) for a in agencies]
    return render(request, "core/agency_list.html", {"rows": rows})


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    ensure_can(actor, Action.AUDIT)
    filters = {
        "action": request.GET.get("action", "").strip(),
        "username": request.GET.get("username", "").strip(),
        "target_id": request.GET.get("target_id", "").strip(),
    }
    page = Paginator(audit_entries_in_scope(actor, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "filters": filters, "query": urlencode(filters) + "&"}
    return render(request, "core/audit_list.html", context)
