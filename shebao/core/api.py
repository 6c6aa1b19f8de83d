"""Core endpoints: who am I, agencies, staff and permission claims, audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from shebao.api.schemas import BoundedLimitOffsetPagination, ErrorOut, Offset
from shebao.core.actors import Actor, actor_from_request
from shebao.core.audit_log import AuditFilters, audit_search
from shebao.core.masking import mask_phone
from shebao.core.models import Action, Agency, AuditEntry, Channel, Staff
from shebao.core.permissions import actor_can
from shebao.core.personal_data import FieldKind, mask_in, personal_data
from shebao.core.selectors import (
    agencies_in_scope,
    staff_get,
    staff_in_scope,
    staff_permissions,
)
from shebao.core.services import claim_grant

router = Router(tags=["core"])


class AgencyOut(Schema):
    code: str
    division_code: str
    name: str
    name_en: str
    level: str
    parent_code: str | None

    @staticmethod
    def resolve_parent_code(obj: Agency) -> str | None:
        return obj.parent.code if obj.parent else None


class PermissionOut(Schema):
    role: str
    actions: list[str]
    item_scope: str


class StaffOut(Schema):
    username: str
    full_name: str
    agency: str
    title: str
    phone: str
    permissions: list[PermissionOut]


class MeOut(StaffOut):
    can: dict[str, bool]


class ClaimIn(Schema):
    role: str
    item_scope: str = "*"


class AuditEntryOut(Schema):
    id: int
    occurred_at: datetime
    actor_username: str
    actor_agency: str
    actor_roles: str
    action: str
    target_type: str
    target_id: str
    channel: str
    client_ip: str | None
    before: Any
    after: Any
    entry_hash: str

    @staticmethod
    def resolve_before(obj: AuditEntry) -> Any:
        return mask_in(obj.before)

    @staticmethod
    def resolve_after(obj: AuditEntry) -> Any:
        return mask_in(obj.after)


def _staff_out(staff: Staff, *, full: bool) -> dict[str, Any]:
    return {
        "username": staff.user.username,
        "full_name": staff.user.full_name,
        "agency": staff.agency.code,
        "title": staff.title,
        "phone": staff.phone if full else mask_phone(staff.phone),
        "permissions": [
            {"role": line.role_code, "actions": list(line.actions), "item_scope": line.item_scope}
            for line in staff_permissions(staff)
        ],
    }


def _actor(request: HttpRequest) -> Actor:
    return actor_from_request(request, Channel.API)


@router.get("/me", response=MeOut, summary="The caller: agency, roles and permissions")
def me(request: HttpRequest) -> dict[str, Any]:
    actor = _actor(request)
    staff = actor.staff
    if staff is None:
        body: dict[str, Any] = {
            "username": actor.username,
            "full_name": "",
            "agency": "",
            "title": "",
            "phone": "",
            "permissions": [],
        }
    else:
        body = _staff_out(staff, full=True)
    return body | {"can": {action.value: actor_can(actor, action) for action in Action}}


@router.get("/agencies", response=list[AgencyOut], summary="Agencies in the caller's scope")
def agencies(request: HttpRequest) -> list[Agency]:
    return list(agencies_in_scope(_actor(request)))


@router.get(
    "/staff", response=list[StaffOut], summary="Staff in the caller's scope (phones masked)"
)
def staff_list(
    request: HttpRequest, q: str = "", limit: int = Query(50, ge=1, le=500), offset: Offset = 0
) -> list[dict[str, Any]]:
    window = staff_in_scope(_actor(request), search=q)[offset : offset + limit]
    return [_staff_out(s, full=False) for s in window]


@router.get(
    "/staff/{username}",
    response={200: StaffOut, 403: ErrorOut, 404: ErrorOut},
    summary="One staff member (404 when outside the caller's scope)",
)
def staff_detail(request: HttpRequest, username: str, full: bool = False) -> dict[str, Any]:
    """With ``full=true`` the phone is shown in full to roles that allow it (403 otherwise),
    and that viewing is audited as ``staff.view_full``."""
    actor = _actor(request)
    staff = staff_get(actor, username)
    shown = personal_data(
        actor,
        staff,
        {"phone": (FieldKind.STAFF_PHONE, staff.phone)},
        full=full,
        target_agency=staff.agency,
    )
    return _staff_out(staff, full=False) | {"phone": shown["phone"]}


@router.post(
    "/staff/{username}/claims",
    response={201: PermissionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Grant a permission claim (业务权限认领) to a staff member",
)
def staff_claim_grant(request: HttpRequest, username: str, payload: ClaimIn) -> Status[Any]:
    actor = _actor(request)
    staff = staff_get(actor, username)
    claim = claim_grant(
        actor=actor, staff=staff, role_code=payload.role, item_scope=payload.item_scope
    )
    return Status(
        201,
        {"role": claim.role.code, "actions": claim.role.actions, "item_scope": claim.item_scope},
    )


@router.get(
    "/audit",
    response={200: list[AuditEntryOut], 400: ErrorOut, 403: ErrorOut},
    summary="Audit entries made in or about the caller's scope, filtered "
    "(personal numbers in before/after masked)",
)
@paginate(BoundedLimitOffsetPagination)
def audit_entries(
    request: HttpRequest,
    action: str = Query("", description="action prefix, e.g. person."),
    username: str = Query("", description="the actor's username"),
    agency: str = Query("", description="agency code: entries by or about its subtree"),
    target_type: str = "",
    target_id: str = "",
    date_from: str = Query("", description="first local day, YYYY-MM-DD"),
    date_to: str = Query("", description="last local day, YYYY-MM-DD"),
    channel: str = "",
    client_ip: str = "",
) -> Any:
    filters = AuditFilters.parse(
        {
            "action": action,
            "username": username,
            "agency": agency,
            "target_type": target_type,
            "target_id": target_id,
            "date_from": date_from,
            "date_to": date_to,
            "channel": channel,
            "client_ip": client_ip,
        }
    )
    return audit_search(_actor(request), filters)
