"""Core endpoints: who am I, agencies, staff and permission claims, audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from shebao.api.schemas import ErrorOut
from shebao.core.actors import Actor, actor_from_request
from shebao.core.masking import mask_phone
from shebao.core.models import Action, Agency, Channel, Staff
from shebao.core.permissions import actor_can
from shebao.core.selectors import (
    agencies_in_scope,
    audit_entries_in_scope,
    staff_get,
    staff_in_scope,
    staff_permissions,
    staff_view_full,
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
    request: HttpRequest, q: str = "", limit: int = Query(50, ge=1, le=500), offset: int = 0
) -> list[dict[str, Any]]:
    window = staff_in_scope(_actor(request), search=q)[offset : offset + limit]
    return [_staff_out(s, full=False) for s in window]


@router.get(
    "/staff/{username}",
    response={200: StaffOut, 404: ErrorOut},
    summary="One staff member (404 when outside the caller's scope)",
)
def staff_detail(request: HttpRequest, username: str) -> dict[str, Any]:
    actor = _actor(request)
    if actor_can(actor, Action.CONFIGURE):
        return _staff_out(staff_view_full(actor, username), full=True)
    return _staff_out(staff_get(actor, username), full=False)


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
    response={200: list[AuditEntryOut], 403: ErrorOut},
    summary="Audit entries made in or about the caller's scope",
)
@paginate(LimitOffsetPagination)
def audit_entries(
    request: HttpRequest, action: str = "", username: str = "", target_id: str = ""
) -> Any:
    return audit_entries_in_scope(
        _actor(request), action=action, username=username, target_id=target_id
    )
