"""Parameters in the admin are read-only: values change only through the maker-checker
services (staff pages) or the parameter files, so that every version stays on record."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shebao.rules.models import Parameter, ParameterValue


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Parameter)
class ParameterAdmin(ReadOnlyAdmin):
    list_display = ("key", "unit", "description_zh", "description")
    search_fields = ("key", "description", "description_zh")


@admin.register(ParameterValue)
class ParameterValueAdmin(ReadOnlyAdmin):
    list_display = (
        "parameter",
        "region",
        "effective_from",
        "value",
        "version",
        "status",
        "confidence",
        "source",
    )
    list_filter = ("status", "confidence", "source", "region")
    search_fields = ("parameter__key", "reference")
