"""Counter pages of collection (征缴柜面): the employer's annual base declaration typed or from
Excel, the flexible worker's base choice, back-payment and refund. Each request opens a case
through its service and leads to an outcome page with the receipt and what was computed;
a refusal shows its rule code and writes nothing."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.contributions.base_excel import base_rows_of_upload, base_template
from shebao.contributions.display import DeclaredBase
from shebao.contributions.forms_counter import (
    FORM_STAFF_LIMIT,
    BackPaymentForm,
    BaseUploadForm,
    BaseWagesForm,
    FlexibleBaseForm,
    RefundForm,
    YearForm,
    refusal_text,
)
from shebao.contributions.models import Bill, Refund
from shebao.contributions.selectors import base_staff_of_year
from shebao.contributions.services.backpay import ITEM_BACK_PAYMENT, back_payment_request
from shebao.contributions.services.bases import (
    ITEM_BASE_DECLARATION,
    ITEM_FLEXIBLE_BASE,
    WageRow,
    YearBounds,
    base_declaration_request,
    clamp_summary,
    flexible_base_request,
    relations_in_year,
    year_bounds,
)
from shebao.contributions.services.refunds import ITEM_REFUND, overpaid_fen, refund_request
from shebao.core.actors import Actor, actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.feedback import report_refusal
from shebao.core.masking import mask_resident_id
from shebao.core.models import Agency
from shebao.core.money import format_yuan
from shebao.core.periods import period_format, period_range
from shebao.registry.models import (
    Employer,
    InsuredRelation,
    Person,
    RelationKind,
    Scheme,
)
from shebao.registry.selectors import employer_get, person_get
from shebao.services.models import Case
from shebao.services.selectors import case_get

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- shared pieces --------------------------------------------------------------------------


def _year(request: HttpRequest, today: date) -> int | None:
    """The year asked for: from the posted form, else the query string, else this year. None
    when a posted year is not one of the declarable years (a tampered form)."""
    posted = request.method == "POST"
    form = YearForm(request.POST if posted else request.GET, today=today)
    if form.is_valid():
        return int(form.cleaned_data["year"])
    return None if posted else today.year


def _bounds(agency: Agency, year: int) -> tuple[YearBounds | None, str]:
    """The floor and cap in force, or the refusal that says they are not published."""
    try:
        return year_bounds(agency, year), ""
    except RuleViolation as exc:
        return None, refusal_text(exc)


def _opened(request: HttpRequest, case: Case, outcome: str, **owner: int) -> HttpResponse:
    """Tell the receipt number and lead to the outcome page (reloading it opens nothing)."""
    messages.success(request, _("Case %(no)s opened.") % {"no": case.receipt_no})
    return HttpResponseRedirect(reverse(outcome, kwargs={**owner, "case_id": case.pk}))


def _case_of(
    actor: Actor,
    case_id: int,
    item_code: str,
    *,
    employer: Employer | None = None,
    person: Person | None = None,
) -> Case:
    """The case behind an outcome page: in scope, of this item and of this applicant."""
    case = case_get(actor, case_id)
    if case.item.code != item_code:
        raise Http404("not a case of this item")
    if employer is not None and case.applicant_employer_id != employer.pk:
        raise Http404("not a case of this employer")
    if person is not None and case.applicant_person_id != person.pk:
        raise Http404("not a case of this person")
    return case


def _focus(form: BaseWagesForm, names: list[str]) -> None:
    """Mark the inputs in error and focus the first of them, else the first input: the clerk
    types at once."""
    wrong = [name for name in names if name in form.errors]
    for name in wrong:
        attrs = form.fields[name].widget.attrs
        attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
    first = wrong or names
    if first:
        form.fields[first[0]].widget.attrs["autofocus"] = True


# --- base declaration (缴费基数申报, SBCL002) ------------------------------------------------


def _declared_rows(
    request: HttpRequest, form: BaseWagesForm | None, upload: BaseUploadForm
) -> list[WageRow] | None:
    """The wage rows posted, typed or read from the workbook; None when a form is invalid."""
    if request.POST.get("source") == "excel":
        if not upload.is_valid():
            return None
        return base_rows_of_upload(upload.cleaned_data["file"])
    if form is None or not form.is_valid():
        return None
    return form.wage_rows()


@login_required
def base_declaration(request: HttpRequest, employer_id: int) -> HttpResponse:
    """The year's staff with their verified bases; wages typed (one input each) or uploaded."""
    actor = actor_from_request(request)
    employer = employer_get(actor, employer_id)
    today = timezone.localdate()
    year = _year(request, today)
    if year is None:
        return HttpResponseBadRequest("year")
    staff = base_staff_of_year(employer, year)
    typed = request.method == "POST" and request.POST.get("source") != "excel"
    uploaded = request.method == "POST" and not typed
    form = None
    if len(staff) <= FORM_STAFF_LIMIT:
        form = BaseWagesForm(
            request.POST if typed else None, people=[(m.person_id, m.resident_id) for m in staff]
        )
    upload = BaseUploadForm(request.POST if uploaded else None, request.FILES if uploaded else None)
    if request.method == "POST":
        try:
            rows = _declared_rows(request, form, upload)
            if rows is not None:
                case = base_declaration_request(
                    actor=actor, employer=employer, year=year, rows=rows
                )
                return _opened(
                    request, case, "contributions:base_declaration_outcome", employer_id=employer.pk
                )
        except RuleViolation as exc:
            report_refusal(request, exc)
    names = [BaseWagesForm.field_name(m.person_id) for m in staff]
    if form is not None and not uploaded:
        _focus(form, names)
    bounds, unpublished = _bounds(employer.managing_agency, year)
    return render(
        request,
        "contributions/base_declaration.html",
        {
            "employer": employer,
            "year": year,
            "year_form": YearForm(initial={"year": year}, today=today),
            "form": form,
            "rows": [(m, form[n]) for m, n in zip(staff, names, strict=True)] if form else [],
            "staff_count": len(staff),
            "upload": upload,
            "floor": format_yuan(bounds.floor_fen) if bounds else "",
            "cap": format_yuan(bounds.cap_fen) if bounds else "",
            "unpublished": unpublished,
        },
    )


@login_required
def base_declaration_template(request: HttpRequest, employer_id: int) -> HttpResponse:
    """The workbook prefilled with the year's staff, to fill and upload."""
    actor = actor_from_request(request)
    employer = employer_get(actor, employer_id)
    today = timezone.localdate()
    year = _year(request, today) or today.year
    response = HttpResponse(base_template(employer, year), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="bases-{employer.credit_code}-{year}.xlsx"'
    )
    return response


@login_required
def base_declaration_outcome(request: HttpRequest, employer_id: int, case_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    employer = employer_get(actor, employer_id)
    case = _case_of(actor, case_id, ITEM_BASE_DECLARATION, employer=employer)
    bases = case.data.get("bases", [])
    first = bases[0] if bases else {"floor_fen": 0, "cap_fen": 0}
    return render(
        request,
        "contributions/base_declaration_outcome.html",
        {
            "employer": employer,
            "case": case,
            "year": case.data.get("year"),
            "floor": format_yuan(first["floor_fen"]),
            "cap": format_yuan(first["cap_fen"]),
            "summary": clamp_summary(bases),
            "rows": [DeclaredBase.of(item) for item in bases],
        },
    )


# --- flexible worker's base (灵活就业人员缴费档次选择, SBCL007) --------------------------------


def _flexible_relation(person: Person, year: int) -> InsuredRelation | None:
    return (
        InsuredRelation.objects.filter(
            relations_in_year(year),
            person=person,
            kind=RelationKind.FLEXIBLE,
            scheme=Scheme.PENSION,
        )
        .select_related("agency")
        .first()
    )


@login_required
def flexible_base(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    person = person_get(actor, person_id)
    today = timezone.localdate()
    year = _year(request, today)
    if year is None:
        return HttpResponseBadRequest("year")
    form = FlexibleBaseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            case = flexible_base_request(
                actor=actor, person=person, year=year, base_fen=form.cleaned_data["base"]
            )
            return _opened(
                request, case, "contributions:flexible_base_outcome", person_id=person.pk
            )
        except RuleViolation as exc:
            report_refusal(request, exc)
    relation = _flexible_relation(person, year)
    bounds, unpublished = _bounds(relation.agency if relation else person.managing_agency, year)
    return render(
        request,
        "contributions/flexible_base.html",
        {
            "person": person,
            "masked_id": mask_resident_id(person.resident_id),
            "year": year,
            "year_form": YearForm(initial={"year": year}, today=today),
            "form": form,
            "flexible": relation is not None,
            "floor": format_yuan(bounds.floor_fen) if bounds else "",
            "cap": format_yuan(bounds.cap_fen) if bounds else "",
            "unpublished": unpublished,
        },
    )


@login_required
def flexible_base_outcome(request: HttpRequest, person_id: int, case_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    person = person_get(actor, person_id)
    case = _case_of(actor, case_id, ITEM_FLEXIBLE_BASE, person=person)
    chosen = case.data["bases"][0]
    return render(
        request,
        "contributions/flexible_base_outcome.html",
        {
            "person": person,
            "masked_id": mask_resident_id(person.resident_id),
            "case": case,
            "year": case.data.get("year"),
            "base": format_yuan(chosen["base_fen"]),
            "floor": format_yuan(chosen["floor_fen"]),
            "cap": format_yuan(chosen["cap_fen"]),
        },
    )


# --- back-payment (社会保险费断缴补缴, SBCL004) ------------------------------------------------


@login_required
def back_payment(request: HttpRequest, employer_id: int) -> HttpResponse:
    """Resident ID, periods and, for years without a verified base, the wage of that time."""
    actor = actor_from_request(request)
    employer = employer_get(actor, employer_id)
    form = BackPaymentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = back_payment_request(
                actor=actor,
                employer=employer,
                resident_id=data["resident_id"].strip(),
                start=data["start"],
                end=data["end"],
                wage_fen=data["wage"],
            )
            return _opened(
                request, case, "contributions:back_payment_outcome", employer_id=employer.pk
            )
        except RuleViolation as exc:
            report_refusal(request, exc)
    return render(request, "contributions/back_payment.html", {"employer": employer, "form": form})


@login_required
def back_payment_outcome(request: HttpRequest, employer_id: int, case_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    employer = employer_get(actor, employer_id)
    case = _case_of(actor, case_id, ITEM_BACK_PAYMENT, employer=employer)
    start, end = int(case.data["start"]), int(case.data["end"])
    preview = case.data["preview"]
    person = Person.objects.filter(resident_id=case.data["resident_id"]).first()
    wage_fen = case.data.get("wage_fen")
    return render(
        request,
        "contributions/back_payment_outcome.html",
        {
            "employer": employer,
            "case": case,
            "person_name": person.name if person else "",
            "masked_id": mask_resident_id(case.data["resident_id"]),
            "start": period_format(start),
            "end": period_format(end),
            "months": len(period_range(start, end)),
            "lines": preview["lines"],
            "wage": format_yuan(wage_fen) if wage_fen is not None else "",
            "yuan": {
                key: format_yuan(int(preview[key]))
                for key in ("employer_fen", "individual_fen", "late_fee_fen", "total_fen")
            },
        },
    )


# --- refund (多缴/误缴社保费退费, SBCL006) ----------------------------------------------------


def _overpaid_periods(actor: Actor, employer: Employer) -> list[tuple[int, int]]:
    """Each period the employer has bills for, newest first, with what is overpaid in it."""
    periods = (
        Bill.objects.filter(employer=employer)
        .values_list("period", flat=True)
        .distinct()
        .order_by("-period")
    )
    return [
        (period, overpaid_fen(actor, employer=employer, person=None, period=period))
        for period in periods
    ]


@login_required
def refund(request: HttpRequest, employer_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    employer = employer_get(actor, employer_id)
    periods = _overpaid_periods(actor, employer)
    overpaid = [(period, format_yuan(fen)) for period, fen in periods if fen > 0]
    form = RefundForm(request.POST if request.method == "POST" else None, overpaid=overpaid)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            requested = refund_request(
                actor=actor,
                employer=employer,
                period=data["period"],
                amount_fen=data["amount"],
                reason=data["reason"],
            )
            case = case_get(actor, int(requested.case_id or 0))
            return _opened(request, case, "contributions:refund_outcome", employer_id=employer.pk)
        except RuleViolation as exc:
            report_refusal(request, exc)
    return render(
        request,
        "contributions/refund.html",
        {
            "employer": employer,
            "form": form,
            "periods": [(period_format(p), format_yuan(fen), fen > 0) for p, fen in periods],
            "can_refund": bool(overpaid),
        },
    )


@login_required
def refund_outcome(request: HttpRequest, employer_id: int, case_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    employer = employer_get(actor, employer_id)
    case = _case_of(actor, case_id, ITEM_REFUND, employer=employer)
    requested = Refund.objects.filter(case_id=case.pk).first()
    if requested is None:
        raise Http404("no refund for this case")
    return render(
        request,
        "contributions/refund_outcome.html",
        {
            "employer": employer,
            "case": case,
            "refund": requested,
            "period": period_format(requested.period),
            "amount": format_yuan(requested.amount_fen),
        },
    )
