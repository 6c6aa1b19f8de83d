"""Pension pages for staff (养老金待遇查询): the list of pensions in the actor's agency subtree
and one pension with its award, trace, rates, payments and lifecycle."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from shebao.benefits.models import PensionStatus
from shebao.benefits.selectors import payroll_lines_of, pensions_visible
from shebao.core.actors import actor_from_request
from shebao.core.masking import mask_resident_id
from shebao.core.permissions import OutOfScope

PAGE_SIZE = 50


@login_required
def pension_list(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    pensions = pensions_visible(actor).order_by("person__name", "id")
    if search:
        pensions = (
            pensions.filter(person__resident_id=search.upper())
            if len(search) == 18
            else pensions.filter(person__name__startswith=search)
        )
    if status in PensionStatus.values:
        pensions = pensions.filter(status=status)
    page = Paginator(pensions, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(pension, mask_resident_id(pension.person.resident_id)) for pension in page]
    return render(
        request,
        "benefits/pension_list.html",
        {
            "page": page,
            "rows": rows,
            "q": search,
            "status": status,
            "statuses": PensionStatus.choices,
            "query": f"q={search}&status={status}&",
        },
    )


@login_required
def pension_detail(request: HttpRequest, pension_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    pension = pensions_visible(actor).filter(pk=pension_id).first()
    if pension is None:
        raise OutOfScope()
    awards = list(pension.awards.order_by("-id"))
    return render(
        request,
        "benefits/pension_detail.html",
        {
            "pension": pension,
            "person": pension.person,
            "masked_id": mask_resident_id(pension.person.resident_id),
            "award": awards[0] if awards else None,
            "earlier_awards": awards[1:],
            "rates": pension.rates.order_by("-effective_period", "-id"),
            "payments": payroll_lines_of(pension),
        },
    )


urlpatterns = [
    path("pensions/", pension_list, name="pension_list"),
    path("pensions/<int:pension_id>/", pension_detail, name="pension_detail"),
]
