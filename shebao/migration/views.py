"""Staff pages of the legacy migration: the cities' deliveries and runs, a city's
reconciliation report (and its workbook), the staged rows, and the worklist of flagged rows.
Thin: the scope, the figures and the decisions live in the selectors and services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shebao.core.actors import actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.feedback import refusal_shown
from shebao.core.masking import mask_resident_id
from shebao.core.permissions import OutOfScope, ensure_can
from shebao.migration import selectors as s
from shebao.migration.excel import report_workbook
from shebao.migration.forms import IssueDecisionForm
from shebao.migration.models import STAGED_MODELS, IssueStatus, Outcome, Resolution
from shebao.migration.reading import COLUMNS
from shebao.migration.worklist import CHOICES, issue_get, issue_resolve

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50


@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    s.ensure_can_see_migration(actor)
    return render(
        request,
        "migration/index.html",
        {
            "cities": s.cities_overview(actor),
            "can_report": s.can_see_reports(actor),
            "can_worklist": s.can_see_worklist(actor),
        },
    )


@login_required
def report(request: HttpRequest, city_code: str) -> HttpResponse:
    actor = actor_from_request(request)
    s.ensure_can_see_reports(actor)
    city = s.city_get(actor, city_code)
    return render(
        request,
        "migration/report.html",
        {
            "report": s.report_of(city),
            "outcomes": [(o.value, o.label) for o in s.OUTCOME_COLUMNS],
            "can_worklist": s.can_see_worklist(actor),
        },
    )


@login_required
def report_excel(request: HttpRequest, city_code: str) -> HttpResponse:
    actor = actor_from_request(request)
    s.ensure_can_see_reports(actor)
    city = s.city_get(actor, city_code)
    found = s.report_of(city)
    s.report_exported(actor, found)
    response = HttpResponse(report_workbook(found, generated_at=timezone.now()), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="migration-{city.code}.xlsx"'
    return response


@login_required
def rows(request: HttpRequest, city_code: str, entity: str) -> HttpResponse:
    actor = actor_from_request(request)
    s.ensure_can_see_reports(actor)
    city = s.city_get(actor, city_code)
    if entity not in STAGED_MODELS:
        raise Http404("no such entity")
    outcome = request.GET.get("outcome", "").strip()
    outcome = outcome if outcome in Outcome.values else ""
    rule = request.GET.get("rule", "").strip()[:30]
    page = Paginator(s.staged_rows(city, entity, outcome=outcome, rule=rule), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "migration/rows.html",
        {
            "city": city,
            "entity": entity,
            "entity_label": s.entity_label(entity),
            "columns": [column.name for column in COLUMNS[entity]],
            "page": page,
            "rows": [s.row_view(entity, row) for row in page.object_list],
            "outcome": outcome,
            "rule": rule,
            "rule_title": s.rule_title(rule) if rule else "",
            "outcomes": Outcome.choices,
            "rules": s.rules_of_entity(city, entity),
            "query": urlencode({"outcome": outcome, "rule": rule}) + "&",
        },
    )


@login_required
def issues(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    s.ensure_can_see_worklist(actor)
    status = request.GET.get("status", IssueStatus.OPEN)
    status = status if status in s.ISSUE_STATUSES else IssueStatus.OPEN
    rule = request.GET.get("rule", "").strip()[:30]
    city = request.GET.get("city", "").strip()[:20]
    page = Paginator(
        s.issues_list(actor, status=status, rule=rule, city_code=city), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "migration/issues.html",
        {
            "page": page,
            "rows": [
                (issue, s.rule_title(issue.rule), mask_resident_id(issue.person.resident_id))
                for issue in page.object_list
            ],
            "status": status,
            "rule": rule,
            "city": city,
            "rules": [(code, s.rule_title(code)) for code in s.worklist_rules()],
            "query": urlencode({"status": status, "rule": rule, "city": city}) + "&",
        },
    )


@login_required
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_from_request(request)
    s.ensure_can_see_worklist(actor)
    found = issue_get(actor, pk)
    form = IssueDecisionForm(
        request.POST if request.method == "POST" else None, choices=CHOICES.get(found.rule, ())
    )
    refusal = ""
    if request.method == "POST":
        ensure_can(actor, s.DECIDE_ACTION)
        if form.is_valid():
            try:
                decided = issue_resolve(
                    actor=actor,
                    issue=found,
                    resolution=form.cleaned_data["resolution"],
                    reason=form.cleaned_data["reason"],
                )
            except OutOfScope as exc:
                # The item is in the clerk's scope; the second record it names (the other
                # person of a merge) is not, and the page already shows it: say so here
                # instead of answering as if the item did not exist.
                refusal = f"{exc.code}: {exc.message(get_language())}"
            except RuleViolation as exc:
                refusal = refusal_shown(exc)
            else:
                _decided_message(request, decided.resolution, decided.case_id)
                return redirect("migration:issues")
            found = issue_get(actor, pk)  # as it now stands
    return render(
        request,
        "migration/issue.html",
        {
            "view": s.issue_view(found),
            "form": form,
            "refusal": refusal,
            "can_decide": s.can_decide(actor),
        },
    )


def _decided_message(request: HttpRequest, resolution: str, case_id: int | None) -> None:
    decision = Resolution(resolution).label
    receipt = s.case_receipt(case_id)
    if receipt:
        text = _("Decided: %(decision)s. Case %(no)s opened for review.") % {
            "decision": decision,
            "no": receipt,
        }
    else:
        text = _("Decided: %(decision)s.") % {"decision": decision}
    messages.success(request, text)
