"""The catalogue is editable in the admin (audited); cases are read-only there: they move
only through the transitions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shebao.core.admin import AuditedAdmin
from shebao.services.models import Case, CaseEvent, ServiceItem


@admin.register(ServiceItem)
class ServiceItemAdmin(AuditedAdmin):
    list_display = (
        "code",
        "name",
        "scheme",
        "category",
        "fully_online",
        "time_limit_days",
        "review_required",
        "handler",
        "is_active",
    )
    list_filter = ("category", "scheme", "fully_online", "review_required", "is_active")
    search_fields = ("code", "name", "name_en")


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "from_status", "to_status", "actor_label", "note")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("receipt_no", "item", "status", "channel", "agency", "created_at", "due_date")
    list_filter = ("status", "channel", "agency")
    search_fields = ("receipt_no",)
    inlines = (CaseEventInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
