"""The citizen's cases (progress, withdraw, resubmit), hall appointments and home visits."""

from __future__ import annotations

from datetime import date, time

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.core.errors import RuleViolation
from shebao.core.feedback import refusal_shown, report_refusal
from shebao.core.models import Channel
from shebao.documents.models import IssuedDocument
from shebao.hall.selectors import appointment_missed, appointments_of, home_visits_of
from shebao.hall.services.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_slots,
    bookable_days,
)
from shebao.hall.services.home_visits import home_visit_request
from shebao.portal import selectors
from shebao.portal.auth import citizen_required
from shebao.portal.citizen_forms import AppointmentForm, CaseReasonForm, HomeVisitForm
from shebao.portal.views.citizen_common import actor, me
from shebao.services.models import CaseStatus
from shebao.services.services import case_transition

CASE_FILTERS = ("", "open", CaseStatus.DONE, CaseStatus.RETURNED, CaseStatus.WITHDRAWN)


@citizen_required
def cases(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in CASE_FILTERS:
        status = ""
    rows = list(selectors.my_cases(me(request), status=status)[:200])
    return render(request, "portal/citizen/cases.html", {"cases": rows, "status": status})


@citizen_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.my_case_get(me(request), case_id)  # another person's case: 404
    context = {
        "case": case,
        "timeline": selectors.case_timeline(case),
        "may_withdraw": case.status
        in (CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.RETURNED),
        "may_resubmit": case.status == CaseStatus.RETURNED,
        "reason_form": CaseReasonForm(),
        "documents": list(IssuedDocument.objects.filter(case=case, person=case.applicant_person)),
    }
    return render(request, "portal/citizen/case_detail.html", context)


@require_POST
@citizen_required
def case_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    if action not in ("withdraw", "resubmit"):
        raise Http404()
    case = selectors.my_case_get(me(request), case_id)
    form = CaseReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        case_transition(actor=actor(request), case=case, action=action, reason=reason)
    except RuleViolation as exc:
        report_refusal(request, exc)
    else:
        if action == "withdraw":
            messages.success(request, _("The case was withdrawn."))
        else:
            messages.success(request, _("The case was sent again."))
    return redirect("portal:citizen_case", case_id=case.pk)


# --- appointments ---------------------------------------------------------------------------


def _day(text: str, days: list[date]) -> date | None:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return days[0] if days else None
    return day if day in days else (days[0] if days else None)


def _slot_of(form: AppointmentForm) -> tuple[date, time] | None:
    """The slot chosen, "YYYY-MM-DD HH:MM" (a day and a time of the hall)."""
    if not form.is_valid():
        return None
    day_text, _sep, start_text = form.cleaned_data["slot"].partition(" ")
    try:
        return date.fromisoformat(day_text), time.fromisoformat(start_text)
    except ValueError:
        return None


@citizen_required
def appointments(request: HttpRequest) -> HttpResponse:
    person = me(request)
    hall = person.managing_agency
    days = bookable_days(hall)
    day = _day(request.GET.get("day", ""), days)
    slots = appointment_slots(agency=hall, day=day) if day else []
    refusal = ""
    if request.method == "POST":
        chosen = _slot_of(AppointmentForm(request.POST))
        if chosen is None:
            refusal = _("Choose a slot.")
        else:
            try:
                booked = appointment_book(
                    actor=actor(request), agency=hall, day=chosen[0], start=chosen[1], person=person
                )
            except RuleViolation as exc:
                refusal = refusal_shown(exc)
            else:
                messages.success(
                    request,
                    _("Booked. Your booking code is %(code)s: type it at the hall's kiosk.")
                    % {"code": booked.code},
                )
                return redirect("portal:citizen_appointments")
    mine = list(appointments_of(person=person)[:50])
    context = {
        "hall": hall,
        "days": days,
        "day": day,
        "slots": slots,
        "appointments": [(a, appointment_missed(a)) for a in mine],
        "refusal": refusal,
    }
    return render(request, "portal/citizen/appointments.html", context)


@require_POST
@citizen_required
def appointment_cancel_view(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = appointments_of(person=me(request)).filter(pk=appointment_id).first()
    if appointment is None:
        raise Http404()
    try:
        appointment_cancel(actor=actor(request), appointment=appointment)
    except RuleViolation as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("The appointment was cancelled."))
    return redirect("portal:citizen_appointments")


# --- home visits ------------------------------------------------------------------------------


@citizen_required
def home_visit(request: HttpRequest) -> HttpResponse:
    person = me(request)
    form = HomeVisitForm(request.POST or None, initial={"phone": person.phone})
    refusal = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = home_visit_request(
                actor=actor(request),
                person=person,
                address=data["address"],
                phone=data["phone"],
                reason=data["reason"],
                needed_items=list(data["needed_items"]),
                channel=Channel.WEB,
                preferred_date=data["preferred_date"],
                note=data["note"],
            )
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
        else:
            messages.success(
                request,
                _("Your request %(receipt)s was sent; the agency will call you to fix a day.")
                % {"receipt": visit.case.receipt_no},
            )
            return redirect("portal:citizen_home_visit")
    visits = list(home_visits_of(person)[:20])
    return render(
        request,
        "portal/citizen/home_visit.html",
        {"form": form, "visits": visits, "refusal": refusal},
    )
