"""The hall's set-up in the Django admin: windows and schedules (audited like every admin
change)."""

from __future__ import annotations

from django.contrib import admin

from shebao.core.admin import AuditedAdmin
from shebao.core.models import Agency
from shebao.hall.models import HallSchedule, ServiceWindow


@admin.register(ServiceWindow)
class ServiceWindowAdmin(AuditedAdmin):
    list_display = ("agency", "number", "name", "categories", "is_active", "clerk")
    list_filter = ("agency", "is_active")
    readonly_fields = ("clerk", "opened_at")

    def agency_of(self, obj: ServiceWindow) -> Agency:
        return obj.agency


@admin.register(HallSchedule)
class HallScheduleAdmin(AuditedAdmin):
    list_display = ("agency", "morning_start", "afternoon_end", "slot_minutes", "capacity")

    def agency_of(self, obj: HallSchedule) -> Agency:
        return obj.agency
