"""Django admin for agencies, staff and roles. Every change made here is audited too."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shebao.core.actors import Actor
from shebao.core.audit import audit_record, snapshot
from shebao.core.errors import RuleViolation
from shebao.core.models import (
    Action,
    Agency,
    ApiToken,
    AuditEntry,
    Channel,
    PermissionClaim,
    Role,
    Staff,
    User,
)
from shebao.core.services import AGENCY_FIELDS, agency_check_placement, api_token_revoke


def _admin_actor(request: HttpRequest) -> Actor:
    user = request.user
    assert isinstance(user, User)  # the admin site lets only signed-in staff in
    return Actor(user=user, channel=Channel.ADMIN, client_ip=getattr(request, "client_ip", None))


def _editable_fields(obj: models.Model) -> tuple[str, ...]:
    return tuple(
        f.name
        for f in obj._meta.concrete_fields
        if f.editable and f.name not in {"password", "last_login", "id"}
    )


class AuditedAdmin(admin.ModelAdmin):
    """Records before/after of every admin save and delete in the audit log.

    The admin runs each change view in a transaction, so the entry commits with the change.
    """

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        fields = _editable_fields(obj)
        before = None
        if change:
            previous = type(obj).objects.filter(pk=obj.pk).first()
            before = snapshot(previous, fields) if previous else None
        super().save_model(request, obj, form, change)
        audit_record(
            actor=_admin_actor(request),
            action=f"{obj._meta.model_name}.{'change' if change else 'create'}",
            target=obj,
            target_agency=self.agency_of(obj),
            before=before,
            after=snapshot(obj, fields),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = snapshot(obj, _editable_fields(obj))
        target_id = str(obj.pk)
        agency = self.agency_of(obj)
        super().delete_model(request, obj)
        audit_record(
            actor=_admin_actor(request),
            action=f"{obj._meta.model_name}.delete",
            target_type=obj._meta.label_lower,
            target_id=target_id,
            target_agency=agency,
            before=before,
        )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def agency_of(self, obj: Any) -> Agency | None:
        return None


class RoleForm(forms.ModelForm):
    actions = forms.MultipleChoiceField(
        choices=Action.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Role
        fields = ("code", "name", "name_en", "actions")


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = (*AGENCY_FIELDS, "is_active")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        instance = self.instance
        if self.errors:
            return cleaned  # field errors first; placement needs well-formed fields
        try:
            agency_check_placement(
                code=cleaned.get("code", instance.code) or "",
                division_code=cleaned.get("division_code", "") or "",
                level=cleaned.get("level", instance.level) or "",
                parent=cleaned.get("parent", instance.parent if instance.pk else None),
            )
        except RuleViolation as exc:
            raise forms.ValidationError(f"{exc.code}: {exc.message(get_language())}") from exc
        return cleaned


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    form = AgencyForm
    list_display = ("code", "name", "name_en", "level", "division_code", "parent", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("code", "name", "name_en")
    readonly_fields = ("path",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The path of every descendant depends on code and parent: fixed once created.
        return ("path", "code", "parent") if obj else ("path",)

    def agency_of(self, obj: Any) -> Agency | None:
        return obj


@admin.register(Role)
class RoleAdmin(AuditedAdmin):
    form = RoleForm
    list_display = ("code", "name", "name_en", "actions")


class ClaimInline(admin.TabularInline):
    """Claims are shown here but granted and revoked on the staff page, through the services
    that enforce scope and forbid granting oneself a permission."""

    model = PermissionClaim
    fk_name = "staff"
    extra = 0
    fields = ("role", "item_scope", "granted_by", "granted_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Staff)
class StaffAdmin(AuditedAdmin):
    list_display = ("user", "agency", "title")
    list_filter = ("agency",)
    search_fields = ("user__username", "user__full_name")
    autocomplete_fields = ("user", "agency")
    inlines = (ClaimInline,)

    def agency_of(self, obj: Any) -> Agency | None:
        return obj.agency


@admin.register(User)
class ShebaoUserAdmin(AuditedAdmin, UserAdmin):
    list_display = ("username", "full_name", "is_active", "is_staff", "last_login")
    search_fields = ("username", "full_name")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("shebao", {"fields": ("full_name",)}))


@admin.action(description=_("Revoke the selected tokens"))
def revoke_tokens(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: Any) -> None:
    for token in queryset.filter(revoked_at__isnull=True):
        api_token_revoke(actor=_admin_actor(request), token=token)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "key_prefix",
        "user",
        "label",
        "scopes",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = (
        "user",
        "key_prefix",
        "scopes",
        "rate_limit_per_minute",
        "key_hash",
        "created_at",
        "last_used_at",
        "revoked_at",
        "label",
    )

    actions = (revoke_tokens,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued by `manage.py api_token`, which shows them once

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "occurred_at",
        "actor_username",
        "actor_agency",
        "action",
        "target_type",
        "target_id",
        "channel",
    )
    list_filter = ("channel",)
    search_fields = ("actor_username", "action", "target_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
