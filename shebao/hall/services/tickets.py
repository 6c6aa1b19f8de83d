"""Tickets and windows: taking a ticket, a clerk at a window, and the window's actions (call
next, recall, skip, put back, start, finish, transfer). Each action is one transaction with
its audit entry; a ticket moves only from the status the action expects.

Calling next is safe with many windows: the candidate is claimed by a conditional update
(``… WHERE id = ? AND status = 'waiting'``) and a lost race tries the next candidate; on
PostgreSQL the candidate rows are also read with SKIP LOCKED, so windows do not queue
behind each other's locks.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Case as When_Case
from django.db.models import F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import Action, Agency, Channel
from shebao.core.permissions import OutOfScope, acts_for, ensure_can, ensure_in_scope
from shebao.hall.models import (
    Appointment,
    Category,
    PriorityReason,
    ServiceWindow,
    Ticket,
    TicketCounter,
    TicketSource,
    TicketStatus,
)
from shebao.registry.models import Person
from shebao.services.models import Case

register_rule(
    "HALL-CATEGORY", "取号类别“{category}”无效。", "Ticket category '{category}' is not valid."
)
register_rule(
    "HALL-GREEN-REASON",
    "绿色通道须注明原因（70岁以上老人、残疾人、孕妇等）。",
    "A green-channel ticket needs its reason (aged 70+, disabled, pregnant, other).",
    "绿色服务通道",
)
register_rule(
    "HALL-APPOINTMENT-ONLY",
    "预约号只能凭预约签到领取。",
    "An appointment ticket (B) is issued only at an appointment's check-in.",
)
register_rule(
    "HALL-TICKET-HELD",
    "您已有排队号 {code}，请等候叫号。",
    "You already hold ticket {code}: please wait for it to be called.",
)
register_rule(
    "HALL-NOT-YOUR-WINDOW",
    "您没有在该窗口签到。",
    "You are not signed in at this window.",
)
register_rule(
    "HALL-WINDOW-TAKEN",
    "窗口“{window}”已由其他工作人员签到。",
    "Window '{window}' is taken by another clerk.",
)
register_rule("HALL-WINDOW-INACTIVE", "窗口“{window}”已停用。", "Window '{window}' is not in use.")
register_rule(
    "HALL-WINDOW-BUSY",
    "请先办结或过号当前的 {code} 号。",
    "Finish or skip ticket {code} first.",
)
register_rule(
    "HALL-TICKET-STATE",
    "{code} 号当前状态为“{status}”，不能执行该操作。",
    "Ticket {code} is '{status}': that action is not possible now.",
)
register_rule(
    "HALL-TRANSFER-WINDOW",
    "请选择本大厅另一个在用的窗口。",
    "Choose another window of this hall that is in use.",
)

RUNNING = (TicketStatus.CALLED, TicketStatus.SERVING)
CLAIM_ATTEMPTS = 5


def _audit(actor: Actor, action: str, ticket: Ticket, before: str, **extra: Any) -> None:
    audit_record(
        actor=actor,
        action=f"hall.{action}",
        target=ticket,
        target_agency=ticket.agency,
        before={"status": before},
        after={"code": ticket.code, "status": ticket.status, "date": ticket.service_date} | extra,
    )


def ensure_hall_staff(actor: Actor, agency: Agency) -> None:
    """A clerk works at the hall of their own agency; anyone else finds nothing there."""
    if actor.principal is not None or actor.agency is None or actor.agency.pk != agency.pk:
        raise OutOfScope()
    ensure_can(actor, Action.ACCEPT)


# --- taking a ticket --------------------------------------------------------------------------


def _next_number(agency: Agency, day: Any, category: str) -> int:
    TicketCounter.objects.get_or_create(agency=agency, service_date=day, category=category)
    counter = TicketCounter.objects.select_for_update().get(
        agency=agency, service_date=day, category=category
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _check_take(
    actor: Actor,
    agency: Agency,
    category: str,
    channel: str,
    priority_reason: str,
    appointment: Appointment | None,
) -> None:
    if channel == Channel.KIOSK:
        if actor.channel != Channel.KIOSK:
            raise OutOfScope()
    else:
        ensure_hall_staff(actor, agency)
    if category not in Category.values:
        raise RuleViolation("HALL-CATEGORY", category=category)
    if category == Category.GREEN and priority_reason not in PriorityReason.values:
        raise RuleViolation("HALL-GREEN-REASON")
    if (category == Category.APPOINTMENT) != (appointment is not None):
        raise RuleViolation("HALL-APPOINTMENT-ONLY")


def ticket_take(
    *,
    actor: Actor,
    agency: Agency,
    category: str,
    channel: str,
    priority_reason: str = "",
    person: Person | None = None,
    appointment: Appointment | None = None,
) -> Ticket:
    """Take a ticket (取号) at a kiosk or have one issued at the reception desk. A known person
    holds at most one open ticket per category in a hall. Not durable: an appointment's
    check-in takes its ticket in the same transaction."""
    _check_take(actor, agency, category, channel, priority_reason, appointment)
    # A kiosk visitor takes a ticket for themselves only; staff issue one for anybody who came.
    if person is not None and actor.principal is not None and not acts_for(actor, person):
        raise OutOfScope()
    now = timezone.now()
    day = timezone.localdate(now)
    with transaction.atomic():
        if person is not None:
            held = Ticket.objects.filter(
                agency=agency,
                service_date=day,
                category=category,
                person=person,
                status__in=(TicketStatus.WAITING, *RUNNING),
            ).first()
            if held is not None:
                raise RuleViolation("HALL-TICKET-HELD", code=held.code)
        number = _next_number(agency, day, category)
        ticket = Ticket.objects.create(
            agency=agency,
            service_date=day,
            category=category,
            number=number,
            code=f"{category}{number:03d}",
            priority_reason=priority_reason if category == Category.GREEN else "",
            source=(
                TicketSource.APPOINTMENT
                if appointment is not None
                else TicketSource.KIOSK
                if channel == Channel.KIOSK
                else TicketSource.RECEPTION
            ),
            person=person,
            appointment=appointment,
            queued_at=now,
            taken_at=now,
        )
        _audit(
            actor,
            "ticket_take",
            ticket,
            "",
            category=category,
            source=ticket.source,
            reason=ticket.priority_reason,
        )
    return ticket


# --- the clerk at a window --------------------------------------------------------------------


def window_of(actor: Actor) -> ServiceWindow | None:
    if actor.user is None or actor.principal is not None:
        return None
    return ServiceWindow.objects.select_related("agency").filter(clerk=actor.user).first()


def window_sign_in(*, actor: Actor, window: ServiceWindow) -> ServiceWindow:
    """Sit at a window (窗口签到); a clerk holds one window, so a previous one is left."""
    ensure_hall_staff(actor, window.agency)
    with transaction.atomic(durable=True):
        locked = ServiceWindow.objects.select_for_update().get(pk=window.pk)
        if not locked.is_active:
            raise RuleViolation("HALL-WINDOW-INACTIVE", window=locked.name)
        if locked.clerk_id is not None and locked.clerk_id != (
            actor.user.pk if actor.user else None
        ):
            raise RuleViolation("HALL-WINDOW-TAKEN", window=locked.name)
        ServiceWindow.objects.filter(clerk=actor.user).exclude(pk=locked.pk).update(
            clerk=None, opened_at=None
        )
        locked.clerk = actor.user
        locked.opened_at = timezone.now()
        locked.save(update_fields=["clerk", "opened_at"])
        audit_record(
            actor=actor,
            action="hall.window_sign_in",
            target=locked,
            target_agency=locked.agency,
            after={"window": locked.number, "clerk": actor.username},
        )
    return locked


def window_sign_out(*, actor: Actor, window: ServiceWindow) -> ServiceWindow:
    _ensure_at_window(actor, window)
    with transaction.atomic(durable=True):
        window.clerk = None
        window.opened_at = None
        window.save(update_fields=["clerk", "opened_at"])
        audit_record(
            actor=actor,
            action="hall.window_sign_out",
            target=window,
            target_agency=window.agency,
            before={"clerk": actor.username},
        )
    return window


def _ensure_at_window(actor: Actor, window: ServiceWindow) -> None:
    ensure_hall_staff(actor, window.agency)
    # Read from the database, not from the object passed in: the clerk may have left the
    # window in another tab since it was loaded.
    if (
        actor.user is None
        or not ServiceWindow.objects.filter(pk=window.pk, clerk=actor.user, is_active=True).exists()
    ):
        raise RuleViolation("HALL-NOT-YOUR-WINDOW")


def _candidates(window: ServiceWindow) -> QuerySet[Ticket]:
    """The window's callable tickets in call order, as SQL (the order of ``queue.call_order``)."""
    today = timezone.localdate()
    rank = When_Case(
        When(category=Category.GREEN, then=Value(0)),
        When(category=Category.APPOINTMENT, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    transferred_here = When_Case(
        When(target_window=window, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        Ticket.objects.filter(agency=window.agency, service_date=today, status=TicketStatus.WAITING)
        .filter(
            Q(target_window=window)
            | Q(target_window__isnull=True, category__in=list(window.categories))
        )
        .annotate(transferred_here=transferred_here, rank=rank)
        .order_by("transferred_here", "rank", "queued_at", "id")
    )


def ticket_call_next(*, actor: Actor, window: ServiceWindow) -> Ticket | None:
    """Call the next ticket to this window (叫号); None when nobody is waiting for it."""
    _ensure_at_window(actor, window)
    # A ticket left open on an earlier day (the hall closed on it) does not hold the window.
    running = Ticket.objects.filter(
        window=window, status__in=RUNNING, service_date=timezone.localdate()
    ).first()
    if running is not None:
        raise RuleViolation("HALL-WINDOW-BUSY", code=running.code)
    with transaction.atomic(durable=True):
        for _attempt in range(CLAIM_ATTEMPTS):
            candidates = _candidates(window)
            if connection.features.has_select_for_update_skip_locked:
                candidates = candidates.select_for_update(skip_locked=True, of=("self",))
            candidate = candidates.values_list("pk", flat=True).first()
            if candidate is None:
                return None
            now = timezone.now()
            claimed = Ticket.objects.filter(pk=candidate, status=TicketStatus.WAITING).update(
                status=TicketStatus.CALLED,
                window=window,
                target_window=None,
                called_at=now,
                call_count=F("call_count") + 1,
            )
            if claimed:
                ticket = Ticket.objects.select_related("agency", "window").get(pk=candidate)
                _audit(actor, "ticket_call", ticket, TicketStatus.WAITING, window=window.number)
                return ticket
    return None


def _ticket_locked(ticket: Ticket, expected: tuple[str, ...]) -> Ticket:
    locked = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("agency", "window")
        .get(pk=ticket.pk)
    )
    if locked.status not in expected:
        raise RuleViolation(
            "HALL-TICKET-STATE", code=locked.code, status=TicketStatus(locked.status).label
        )
    return locked


def _at_my_window(actor: Actor, ticket: Ticket) -> ServiceWindow:
    window = ticket.window
    if window is None:
        raise RuleViolation(
            "HALL-TICKET-STATE", code=ticket.code, status=TicketStatus(ticket.status).label
        )
    _ensure_at_window(actor, window)
    return window


def ticket_recall(*, actor: Actor, ticket: Ticket) -> Ticket:
    """Call the same ticket again (重呼): the board announces it once more."""
    with transaction.atomic(durable=True):
        locked = _ticket_locked(ticket, (TicketStatus.CALLED,))
        window = _at_my_window(actor, locked)
        locked.call_count += 1
        locked.called_at = timezone.now()
        locked.save(update_fields=["call_count", "called_at"])
        _audit(
            actor,
            "ticket_recall",
            locked,
            TicketStatus.CALLED,
            window=window.number,
            calls=locked.call_count,
        )
    return locked


def ticket_skip(*, actor: Actor, ticket: Ticket) -> Ticket:
    """The visitor did not come (过号)."""
    with transaction.atomic(durable=True):
        locked = _ticket_locked(ticket, (TicketStatus.CALLED,))
        _at_my_window(actor, locked)
        locked.status = TicketStatus.SKIPPED
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "finished_at"])
        _audit(actor, "ticket_skip", locked, TicketStatus.CALLED)
    return locked


def ticket_requeue(*, actor: Actor, ticket: Ticket) -> Ticket:
    """A skipped visitor turned up late: back at the end of their category's queue."""
    ensure_hall_staff(actor, ticket.agency)
    with transaction.atomic(durable=True):
        locked = _ticket_locked(ticket, (TicketStatus.SKIPPED,))
        locked.status = TicketStatus.WAITING
        locked.window = None
        locked.finished_at = None
        locked.queued_at = timezone.now()
        locked.save(update_fields=["status", "window", "finished_at", "queued_at"])
        _audit(actor, "ticket_requeue", locked, TicketStatus.SKIPPED)
    return locked


def ticket_start(*, actor: Actor, ticket: Ticket) -> Ticket:
    """The visitor is at the window: service starts (its time counts for the estimate)."""
    with transaction.atomic(durable=True):
        locked = _ticket_locked(ticket, (TicketStatus.CALLED,))
        _at_my_window(actor, locked)
        locked.status = TicketStatus.SERVING
        locked.started_at = timezone.now()
        locked.served_by = actor.user
        locked.save(update_fields=["status", "started_at", "served_by"])
        _audit(actor, "ticket_start", locked, TicketStatus.CALLED)
    return locked


def ticket_finish(*, actor: Actor, ticket: Ticket) -> Ticket:
    with transaction.atomic(durable=True):
        locked = _ticket_locked(ticket, (TicketStatus.SERVING,))
        _at_my_window(actor, locked)
        locked.status = TicketStatus.DONE
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "finished_at"])
        _audit(
            actor,
            "ticket_finish",
            locked,
            TicketStatus.SERVING,
            cases=list(locked.cases.values_list("receipt_no", flat=True)),
        )
    return locked


def ticket_transfer(*, actor: Actor, ticket: Ticket, to_window: ServiceWindow) -> Ticket:
    """Send the visitor to another window (转窗口): the ticket keeps its number and is that
    window's next call."""
    with transaction.atomic(durable=True):
        locked = _ticket_locked(ticket, RUNNING)
        window = _at_my_window(actor, locked)
        if (
            to_window.pk == window.pk
            or to_window.agency_id != locked.agency_id
            or not (to_window.is_active)
        ):
            raise RuleViolation("HALL-TRANSFER-WINDOW")
        before = locked.status
        locked.status = TicketStatus.WAITING
        locked.target_window = to_window
        locked.window = None
        locked.save(update_fields=["status", "target_window", "window"])
        _audit(
            actor,
            "ticket_transfer",
            locked,
            before,
            from_window=window.number,
            to_window=to_window.number,
        )
    return locked


def ticket_case_link(*, actor: Actor, ticket: Ticket, case: Case) -> Ticket:
    """Record that a case was opened for the visitor of this ticket (one visit, its cases)."""
    _at_my_window(actor, ticket)
    ensure_in_scope(actor, case.agency)
    with transaction.atomic(durable=True):
        locked = _ticket_locked(ticket, RUNNING)
        locked.cases.add(case)
        _audit(actor, "ticket_case", locked, locked.status, case=case.receipt_no)
    return locked
