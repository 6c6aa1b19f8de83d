"""The reception desk (导服台: tickets, appointment check-in, the printed slip), the hall
overview for the agency head, the day's appointments and the home visits."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.core.actors import Actor, actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.feedback import report_refusal
from shebao.core.identifiers import resident_id_check
from shebao.core.models import Agency, Channel, Staff
from shebao.core.permissions import ensure_in_scope
from shebao.core.personal_data import FieldKind, PersonalData, personal_data
from shebao.hall.forms import HomeVisitForm, ReceptionForm, ScheduleForm
from shebao.hall.models import HomeVisit, PriorityReason, Ticket, VisitStatus
from shebao.hall.selectors import (
    appointment_missed,
    appointments_of_day,
    home_visits_in_scope,
    queue_state,
    skipped_tickets,
    ticket_estimate,
    tickets_of_day,
    windows_of,
)
from shebao.hall.services import (
    appointment_check_in,
    ensure_hall_staff,
    home_visit_cancel,
    home_visit_record,
    home_visit_request,
    home_visit_schedule,
    ticket_take,
)
from shebao.registry.models import Person
from shebao.registry.selectors import person_get

SHANGHAI = ZoneInfo(settings.TIME_ZONE)


def _hall(actor: Actor) -> Agency:
    if actor.agency is None:
        raise Http404("no hall")
    ensure_hall_staff(actor, actor.agency)
    return actor.agency


def _person_by_id(resident_id: str) -> Person | None:
    if not resident_id.strip():
        return None
    number = resident_id_check(resident_id).number
    return Person.objects.filter(resident_id=number).first()


@login_required
def reception(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    agency = _hall(actor)
    form = ReceptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = ticket_take(
                actor=actor,
                agency=agency,
                category=data["category"],
                channel=Channel.COUNTER,
                priority_reason=data["priority_reason"],
                person=_person_by_id(data["resident_id"]),
            )
        except RuleViolation as exc:
            report_refusal(request, exc)
        else:
            return redirect("hall:slip", ticket_id=ticket.pk)
    return render(
        request,
        "hall/reception.html",
        {
            "form": form,
            "queue": queue_state(agency),
            "agency": agency,
            "skipped": skipped_tickets(agency)[:20],
        },
    )


@login_required
@require_POST
def check_in(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    agency = _hall(actor)
    try:
        ticket = appointment_check_in(
            actor=actor, agency=agency, code=request.POST.get("code", ""), channel=Channel.COUNTER
        )
    except RuleViolation as exc:
        report_refusal(request, exc)
        return redirect("hall:reception")
    return redirect("hall:slip", ticket_id=ticket.pk)


@login_required
def slip(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The printed ticket slip: number, category, people ahead, estimated wait."""
    actor = actor_from_request(request)
    agency = _hall(actor)
    ticket = get_object_or_404(Ticket, pk=ticket_id, agency=agency)
    return render(
        request, "hall/slip.html", {"ticket": ticket, "estimate": ticket_estimate(ticket)}
    )


def _day(request: HttpRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return timezone.localdate()


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The hall today, for its head: windows and who sits there, the queue, every ticket
    with its wait and service time."""
    actor = actor_from_request(request)
    agency = actor.agency
    if agency is None:
        raise Http404("no hall")
    code = request.GET.get("agency", "")
    if code:
        agency = get_object_or_404(Agency, code=code)
        ensure_in_scope(actor, agency)
    day = _day(request)
    tickets = list(tickets_of_day(agency, day))
    rows = [
        (
            ticket,
            int((ticket.called_at - ticket.taken_at).total_seconds() // 60)
            if ticket.called_at
            else None,
            int((ticket.finished_at - ticket.started_at).total_seconds() // 60)
            if ticket.finished_at and ticket.started_at
            else None,
        )
        for ticket in tickets
    ]
    return render(
        request,
        "hall/overview.html",
        {
            "agency": agency,
            "day": day,
            "windows": windows_of(agency),
            "queue": queue_state(agency, day),
            "rows": rows,
        },
    )


@login_required
def appointments(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    agency = _hall(actor)
    day = _day(request)
    rows = [(a, appointment_missed(a)) for a in appointments_of_day(actor, agency, day)]
    return render(request, "hall/appointments.html", {"agency": agency, "day": day, "rows": rows})


@login_required
def home_visits(request: HttpRequest) -> HttpResponse:
    actor = actor_from_request(request)
    status = request.GET.get("status", "")
    return render(
        request,
        "hall/home_visits.html",
        {
            "visits": home_visits_in_scope(actor, status=status)[:200],
            "statuses": VisitStatus.choices,
            "status": status,
        },
    )


@login_required
def home_visit_new(request: HttpRequest, person_id: int) -> HttpResponse:
    """A clerk records a request for a person who cannot come (a relative phoned)."""
    actor = actor_from_request(request)
    person = person_get(actor, person_id)
    form = HomeVisitForm(request.POST or None, initial={"phone": person.phone})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = home_visit_request(
                actor=actor,
                person=person,
                address=data["address"],
                phone=data["phone"],
                reason=data["reason"],
                needed_items=data["needed_items"],
                preferred_date=data["preferred_date"],
                note=data["note"],
                channel=Channel.COUNTER,
            )
        except RuleViolation as exc:
            report_refusal(request, exc)
        else:
            messages.success(
                request, _("Home visit requested: case %(no)s.") % {"no": visit.case.receipt_no}
            )
            return redirect("hall:home_visit", visit_id=visit.pk)
    return render(request, "hall/home_visit_new.html", {"form": form, "person": person})


def _visit(actor: Actor, visit_id: int) -> HomeVisit:
    visit = home_visits_in_scope(actor).filter(pk=visit_id).first()
    if visit is None:
        raise Http404("no such visit")
    return visit


@login_required
def home_visit(request: HttpRequest, visit_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    visit = _visit(actor, visit_id)
    staff = Staff.objects.select_related("user", "agency").filter(
        agency__path__startswith=actor.agency.path if actor.agency else "-"
    )
    form = ScheduleForm(request.POST or None, staff=staff)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "schedule" and form.is_valid():
                when = datetime.combine(
                    form.cleaned_data["day"], form.cleaned_data["time"], tzinfo=SHANGHAI
                )
                home_visit_schedule(
                    actor=actor, visit=visit, when=when, staff=form.cleaned_data["staff"].user
                )
                messages.success(request, _("Visit scheduled."))
            elif action == "record":
                home_visit_record(actor=actor, visit=visit, outcome=request.POST.get("outcome", ""))
                messages.success(request, _("Visit recorded; the case is done."))
            elif action == "cancel":
                home_visit_cancel(actor=actor, visit=visit, reason=request.POST.get("reason", ""))
                messages.success(request, _("Visit cancelled."))
            else:
                messages.error(request, _("Please correct the form."))
                shown = _visit_phone(actor, visit, full=False)
                context = {"visit": visit, "form": form, "phone": shown["phone"]}
                return render(request, "hall/home_visit.html", context)
        except RuleViolation as exc:
            report_refusal(request, exc)
        return redirect("hall:home_visit", visit_id=visit.pk)
    # The contact phone masked; in full on request to roles that allow it, and audited.
    shown = _visit_phone(actor, visit, full=request.GET.get("full") == "1")
    return render(
        request,
        "hall/home_visit.html",
        {
            "visit": visit,
            "form": form,
            "reasons": dict(PriorityReason.choices),
            "phone": shown["phone"],
            "full": bool(shown.full),
            "can_reveal": shown.can_reveal,
        },
    )


def _visit_phone(actor: Actor, visit: HomeVisit, *, full: bool) -> PersonalData:
    return personal_data(
        actor,
        visit,
        {"phone": (FieldKind.PHONE, visit.phone)},
        full=full,
        target_agency=visit.person.managing_agency,
    )
