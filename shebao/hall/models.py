"""The service hall (服务大厅) of an agency: its windows, the day's queue tickets, bookable
appointment slots and appointments, and home-service visits."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shebao.core.models import Agency
from shebao.registry.models import Employer, Person
from shebao.services.models import Case, ServiceItem


class Category(models.TextChoices):
    """Ticket categories, each with its letter (取号类别). Served in the order G, B, A."""

    GREEN = "G", _("Green channel (priority)")
    APPOINTMENT = "B", _("Appointment")
    GENERAL = "A", _("General")


class PriorityReason(models.TextChoices):
    ELDERLY = "elderly", _("Aged 70 or over")
    DISABLED = "disabled", _("Disabled")
    PREGNANT = "pregnant", _("Pregnant")
    OTHER = "other", _("Other need (judged by the staff)")


class TicketSource(models.TextChoices):
    KIOSK = "kiosk", _("Kiosk")
    RECEPTION = "reception", _("Reception desk")
    APPOINTMENT = "appointment", _("Appointment check-in")


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("No-show (skipped)")
    CANCELLED = "cancelled", _("Cancelled")


class ServiceWindow(models.Model):
    """A window (窗口) of a hall. Any window accepts any item (一窗受理); ``categories`` says
    which tickets it calls (a green-channel window calls only G). One clerk sits at it."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="windows"
    )
    number = models.PositiveSmallIntegerField(_("window number"))
    name = models.CharField(_("name"), max_length=50)
    categories = models.JSONField(_("ticket categories called"), default=list)
    is_active = models.BooleanField(_("in use"), default=True)
    clerk = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("clerk at the window"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hall_window",
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)

    class Meta:
        verbose_name = _("service window")
        verbose_name_plural = _("service windows")
        ordering = ["agency__path", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="hall_window_number_once"),
        ]

    def __str__(self) -> str:
        return self.name


class TicketCounter(models.Model):
    """The last number given in a category on a day; locked while numbering."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    service_date = models.DateField()
    category = models.CharField(max_length=1, choices=Category.choices)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "service_date", "category"], name="hall_counter_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.service_date} {self.category}{self.last}"


class Ticket(models.Model):
    """A queue ticket (排队号): one visit to the hall, numbered per category and day."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="tickets"
    )
    service_date = models.DateField(_("date"))
    category = models.CharField(_("category"), max_length=1, choices=Category.choices)
    number = models.PositiveIntegerField(_("number"))
    code = models.CharField(_("ticket"), max_length=8)
    status = models.CharField(
        _("status"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    priority_reason = models.CharField(
        _("green-channel reason"), max_length=10, choices=PriorityReason.choices, blank=True
    )
    source = models.CharField(_("taken at"), max_length=12, choices=TicketSource.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    appointment = models.OneToOneField(
        "Appointment", on_delete=models.PROTECT, null=True, blank=True, related_name="ticket"
    )
    # First-come order in the category: the time taken, or put back in the queue.
    queued_at = models.DateTimeField(_("in the queue since"))
    target_window = models.ForeignKey(
        ServiceWindow,
        verbose_name=_("transferred to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    window = models.ForeignKey(
        ServiceWindow,
        verbose_name=_("window"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    call_count = models.PositiveSmallIntegerField(_("calls"), default=0)
    taken_at = models.DateTimeField(_("taken at"))
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    started_at = models.DateTimeField(_("service started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cases = models.ManyToManyField(
        Case, verbose_name=_("cases opened"), blank=True, related_name="hall_tickets"
    )

    class Meta:
        verbose_name = _("queue ticket")
        verbose_name_plural = _("queue tickets")
        ordering = ["service_date", "queued_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "service_date", "category", "number"],
                name="hall_ticket_number_once",
            ),
            models.CheckConstraint(
                condition=~models.Q(category="G") | ~models.Q(priority_reason=""),
                name="hall_green_ticket_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "service_date", "status"], name="hall_ticket_queue"),
        ]
        # On PostgreSQL, migration 0002 adds statistics on the local hour a ticket was taken
        # (the statistics' queue figure groups by it).

    def __str__(self) -> str:
        return self.code


class HallSchedule(models.Model):
    """When a hall takes appointments: two sessions a day on working days, in slots."""

    agency = models.OneToOneField(Agency, on_delete=models.PROTECT, related_name="hall_schedule")
    morning_start = models.TimeField(_("morning from"), default=time(9, 0))
    morning_end = models.TimeField(_("morning until"), default=time(12, 0))
    afternoon_start = models.TimeField(_("afternoon from"), default=time(14, 0))
    afternoon_end = models.TimeField(_("afternoon until"), default=time(17, 0))
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=30)
    capacity = models.PositiveSmallIntegerField(_("appointments per slot"), default=4)
    days_ahead = models.PositiveSmallIntegerField(_("bookable days ahead"), default=14)

    class Meta:
        verbose_name = _("hall schedule")
        verbose_name_plural = _("hall schedules")

    def __str__(self) -> str:
        return f"{self.agency_id}"


class AppointmentSlot(models.Model):
    """A bookable slot of a day; ``booked`` is raised only by a conditional update below
    ``capacity``, so two bookings of the last place cannot both succeed."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("date"))
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))
    capacity = models.PositiveSmallIntegerField(_("places"))
    booked = models.PositiveSmallIntegerField(_("booked"), default=0)

    class Meta:
        verbose_name = _("appointment slot")
        verbose_name_plural = _("appointment slots")
        ordering = ["day", "start"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "day", "start"], name="hall_slot_once"),
            models.CheckConstraint(
                condition=models.Q(booked__lte=models.F("capacity")), name="hall_slot_not_over"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.start:%H:%M}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    CANCELLED = "cancelled", _("Cancelled")


class Appointment(models.Model):
    """An online appointment (网上预约) at a hall for a slot; checked in for a B ticket."""

    code = models.CharField(_("booking code"), max_length=8, unique=True)
    slot = models.ForeignKey(
        AppointmentSlot,
        verbose_name=_("slot"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments"
    )
    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments"
    )
    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    channel = models.CharField(_("channel"), max_length=10)
    booked_by = models.CharField(_("booked by"), max_length=150)
    booked_at = models.DateTimeField(_("booked at"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["slot__day", "slot__start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(employer__isnull=False),
                name="hall_appointment_has_applicant",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class VisitReason(models.TextChoices):
    ELDERLY = "elderly", _("Elderly, cannot travel")
    DISABLED = "disabled", _("Disabled")
    BEDRIDDEN = "bedridden", _("Bedridden (e.g. after a work injury)")
    OTHER = "other", _("Other")


class VisitStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SCHEDULED = "scheduled", _("Scheduled")
    VISITED = "visited", _("Visited")
    CANCELLED = "cancelled", _("Cancelled")


class HomeVisit(models.Model):
    """A home-service visit (上门服务) for someone who cannot come to the hall, tracked as
    a case of SBCT014; what is done during the visit is a case of its own item."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="home_visit")
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="home_visits"
    )
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("contact phone"), max_length=20)
    reason = models.CharField(_("reason"), max_length=10, choices=VisitReason.choices)
    needed_items = models.JSONField(_("items needed"), default=list)
    note = models.CharField(_("note"), max_length=300, blank=True)
    preferred_date = models.DateField(_("preferred date"), null=True, blank=True)
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visiting staff"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.REQUESTED
    )
    outcome = models.CharField(_("outcome"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["status", "scheduled_for", "id"]

    def __str__(self) -> str:
        return f"home visit {self.case_id}"
