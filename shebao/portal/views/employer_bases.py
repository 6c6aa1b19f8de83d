"""The annual base declaration (缴费基数申报, SBCL002) online: the wages typed for the staff
insured in the year or uploaded in the prefilled workbook, checked and clamped by the
counter's own service, shown (who is raised to the floor, who lowered to the cap) and only
then submitted. Between the preview and the confirmation the rows wait in the agent's session,
bound to the employer and the year."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shebao.contributions.base_excel import base_rows_of_upload, base_template
from shebao.contributions.display import DeclaredBase
from shebao.contributions.forms_counter import (
    FORM_STAFF_LIMIT,
    BaseUploadForm,
    BaseWagesForm,
    YearForm,
)
from shebao.contributions.selectors import base_staff_of_year
from shebao.contributions.services.bases import (
    WageRow,
    base_declaration_request,
    base_declaration_verify,
    clamp_summary,
    year_bounds,
)
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.feedback import refusal_shown
from shebao.core.models import Channel
from shebao.core.money import format_yuan
from shebao.portal.auth import agent_required, portal_actor
from shebao.portal.views.employer_common import XLSX, agent_and_employer, download, submitted
from shebao.registry.models import Employer

register_rule(
    "PORTAL-PREVIEW-EXPIRED",
    "预览已失效（已提交、已过期或已重新预览），请重新填写或上传后再提交。",
    "The preview is no longer valid (submitted, expired or replaced): fill in or upload the "
    "declaration again.",
)

PREVIEW = "portal_base_preview"


def _year(request: HttpRequest, today: date) -> int:
    data = request.POST if request.method == "POST" else request.GET
    form = YearForm(data, today=today)
    return int(form.cleaned_data["year"]) if form.is_valid() else today.year


def _page(request: HttpRequest, employer: Employer, year: int, **extra: Any) -> HttpResponse:
    today = timezone.localdate()
    staff = base_staff_of_year(employer, year)
    form = extra.pop("form", None)
    if form is None and len(staff) <= FORM_STAFF_LIMIT:
        form = BaseWagesForm(people=[(m.person_id, m.resident_id) for m in staff])
    try:
        bounds = year_bounds(employer.managing_agency, year)
        floor, cap, unpublished = format_yuan(bounds.floor_fen), format_yuan(bounds.cap_fen), ""
    except RuleViolation as exc:
        floor, cap, unpublished = "", "", refusal_shown(exc)
    rows = [(m, form[BaseWagesForm.field_name(m.person_id)]) for m in staff] if form else []
    context = {
        "employer": employer,
        "year": year,
        "year_form": YearForm(initial={"year": year}, today=today),
        "form": form,
        "rows": rows,
        "staff_count": len(staff),
        "upload": extra.pop("upload", None) or BaseUploadForm(),
        "floor": floor,
        "cap": cap,
        "unpublished": unpublished,
    }
    return render(request, "portal/employer/bases.html", context | extra)


@agent_required
def bases(request: HttpRequest) -> HttpResponse:
    """GET: the form of the year. POST: the typed or uploaded wages checked and previewed."""
    _agent, employer = agent_and_employer(request)
    year = _year(request, timezone.localdate())
    if request.method != "POST":
        return _page(request, employer, year)
    staff = base_staff_of_year(employer, year)
    from_excel = request.POST.get("source") == "excel"
    upload = BaseUploadForm(request.POST, request.FILES) if from_excel else BaseUploadForm()
    form = None
    if not from_excel and len(staff) <= FORM_STAFF_LIMIT:
        form = BaseWagesForm(request.POST, people=[(m.person_id, m.resident_id) for m in staff])
    try:
        rows = _posted_rows(from_excel, form, upload)
        if rows is None:
            return _page(request, employer, year, form=form, upload=upload)
        verified = base_declaration_verify(employer=employer, year=year, rows=rows)
    except RuleViolation as exc:
        return _page(request, employer, year, form=form, upload=upload, refusal=refusal_shown(exc))
    token = secrets.token_hex(16)
    request.session[PREVIEW] = {
        "token": token,
        "employer": employer.pk,
        "year": year,
        "rows": [[row.resident_id, row.wage_fen] for row in rows],
    }
    items = [v.as_json() for v in verified]
    declared = [DeclaredBase.of(item) for item in items]
    return render(
        request,
        "portal/employer/bases_preview.html",
        {
            "employer": employer,
            "year": year,
            "token": token,
            "summary": clamp_summary(items),
            "raised": [d for d in declared if d.clamp == "floor"],
            "lowered": [d for d in declared if d.clamp == "cap"],
            "declared": declared,
            "floor": format_yuan(items[0]["floor_fen"]),
            "cap": format_yuan(items[0]["cap_fen"]),
        },
    )


def _posted_rows(
    from_excel: bool, form: BaseWagesForm | None, upload: BaseUploadForm
) -> list[WageRow] | None:
    if from_excel:
        return base_rows_of_upload(upload.cleaned_data["file"]) if upload.is_valid() else None
    if form is None or not form.is_valid():
        return None
    return form.wage_rows()


@agent_required
@require_POST
def bases_confirm(request: HttpRequest) -> HttpResponse:
    """Submit the previewed declaration: the service checks and clamps it again."""
    _agent, employer = agent_and_employer(request)
    preview = request.session.get(PREVIEW)
    year = _year(request, timezone.localdate())
    if (
        not isinstance(preview, dict)
        or preview.get("employer") != employer.pk
        or preview.get("year") != year
        or not secrets.compare_digest(str(preview.get("token")), request.POST.get("token", ""))
    ):
        return _page(
            request, employer, year, refusal=refusal_shown(RuleViolation("PORTAL-PREVIEW-EXPIRED"))
        )
    rows = [WageRow(resident_id, int(wage_fen)) for resident_id, wage_fen in preview["rows"]]
    try:
        case = base_declaration_request(
            actor=portal_actor(request),
            employer=employer,
            year=year,
            rows=rows,
            channel=Channel.WEB,
        )
    except RuleViolation as exc:
        return _page(request, employer, year, refusal=refusal_shown(exc))
    request.session.pop(PREVIEW, None)
    return submitted(case)


@agent_required
def bases_template(request: HttpRequest) -> HttpResponse:
    """The workbook prefilled with the staff insured in the year."""
    _agent, employer = agent_and_employer(request)
    year = _year(request, timezone.localdate())
    return download(
        base_template(employer, year), XLSX, f"bases-{employer.credit_code}-{year}.xlsx"
    )
