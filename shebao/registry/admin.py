from __future__ import annotations

from django.contrib import admin

from shebao.core.admin import AuditedAdmin
from shebao.core.models import Agency
from shebao.registry.models import Employer, Person


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ("resident_id", "name", "sex", "birth_date", "managing_agency")
    search_fields = ("resident_id", "name")
    list_filter = ("managing_agency",)

    def agency_of(self, obj: Person) -> Agency:
        return obj.managing_agency


@admin.register(Employer)
class EmployerAdmin(AuditedAdmin):
    list_display = ("credit_code", "name", "managing_agency")
    search_fields = ("credit_code", "name")
    list_filter = ("managing_agency",)

    def agency_of(self, obj: Employer) -> Agency:
        return obj.managing_agency
