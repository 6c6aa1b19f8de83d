"""Staff UI of the core app. Thin: scope and permission checks live in selectors and services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.core.actors import actor_from_request
from shebao.core.audit_log import FILTER_NAMES, AuditFilters, audit_export, audit_search
from shebao.core.errors import RuleViolation
from shebao.core.feedback import report_refusal
from shebao.core.forms import ClaimGrantForm
from shebao.core.masking import mask_phone
from shebao.core.models import Action, AuditEntry, Channel
from shebao.core.permissions import actor_can, ensure_can
from shebao.core.personal_data import FieldKind, personal_data
from shebao.core.selectors import (
    agencies_in_scope,
    staff_get,
    staff_in_scope,
    staff_permissions,
)
from shebao.core.services import claim_grant, claim_revoke

PAGE_SIZE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    staff = staff_get(actor, username)
    # The full phone only on request, to those whose roles allow it, and that viewing audited.
    shown = personal_data(
        actor,
        staff,
        {"phone": (FieldKind.STAFF_PHONE, staff.phone)},
        full=request.GET.get("full") == "1",
        target_agency=staff.agency,
    )
    return render(
        request,
        "core/staff_detail.html",
        {
            "member": staff,
            "phone": shown["phone"],
            "full": bool(shown.full),
            "can_reveal": shown.can_reveal,
            "permissions": list(staff.claims.select_related("role").order_by("role__code")),
            "can_configure": can_configure,
            "form": ClaimGrantForm(),
        },
    )


@login_required
@require_POST
def staff_claim_grant(request: HttpRequest, username: str) -> HttpResponse:
    actor = actor_from_request(request)
    staff = staff_get(actor, username)  # out of scope: not found, as if absent
    ensure_can(actor, Action.CONFIGURE)  # refused before the form is read
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
    status = 200
    try:
        entries = audit_search(actor, AuditFilters.parse(request.GET))
    except RuleViolation as exc:  # a bad filter: say which rule, list nothing
        report_refusal(request, exc)
        entries, status = AuditEntry.objects.none(), 400
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {name: request.GET.get(name, "").strip() for name in FILTER_NAMES}
    context = {
        "page": page,
        "filters": query,
        "query": urlencode(query) + "&",
        "channels": Channel.choices,
        "agencies": agencies_in_scope(actor),
        "export_cap": settings.AUDIT_EXPORT_MAX_ROWS,
    }
    return render(request, "core/audit_list.html", context, status=status)


@login_required
def audit_export_xlsx(request: HttpRequest) -> HttpResponseBase:
    """The filtered entries as Excel (capped); the export itself is audited."""
    actor = actor_from_request(request)
    ensure_can(actor, Action.AUDIT)
    try:
        output = audit_export(actor, AuditFilters.parse(request.GET))
    except RuleViolation as exc:
        report_refusal(request, exc)
        return redirect(f"{reverse('core:audit_list')}?{request.GET.urlencode()}")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"audit-{stamp}.xlsx",
        content_type=XLSX_TYPE,
    )
