"""Writes of the core app: agencies, staff, permission claims, API tokens.

Each service is keyword-only, runs in one durable transaction and records an audit entry.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shebao.core.actors import Actor
from shebao.core.audit import audit_record, snapshot
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import (
    Action,
    Agency,
    AgencyLevel,
    ApiToken,
    PermissionClaim,
    Role,
    Staff,
    User,
)
from shebao.core.permissions import ensure_can, ensure_in_scope

register_rule(
    "CORE-AGENCY-CODE", "经办机构代码“{code}”格式不正确。", "Agency code '{code}' is malformed."
)
register_rule(
    "CORE-AGENCY-DUPLICATE", "经办机构代码“{code}”已存在。", "Agency code '{code}' exists."
)
register_rule(
    "CORE-AGENCY-LEVEL",
    "{level}级经办机构不能设在{parent_level}级经办机构之下。",
    "A {level} agency cannot sit under a {parent_level} agency.",
)
register_rule(
    "CORE-USERNAME-TAKEN", "用户名“{username}”已被使用。", "Username '{username}' is taken."
)
register_rule("CORE-PASSWORD-POLICY", "密码不符合要求：{reasons}", "Password refused: {reasons}")
register_rule(
    "CORE-CLAIM-SCOPE",
    "事项范围“{scope}”格式不正确，应为 *、category:<类别> 或 item:<事项编码>。",
    "Item scope '{scope}' is malformed: use *, category:<code> or item:<code>.",
)
register_rule(
    "CORE-CLAIM-SELF",
    "不能为自己授予或撤销业务权限，须由另一名有权限的人员办理。",
    "You cannot grant or revoke your own permissions; another authorised person must.",
    "maker-checker: 经办与复核分离",
)
register_rule("CORE-CLAIM-EXISTS", "该业务权限已认领。", "This permission is already claimed.")
register_rule("CORE-ROLE-UNKNOWN", "角色“{code}”不存在。", "Role '{code}' does not exist.")

AGENCY_CODE = re.compile(r"^\d{6}(-\d{2})?$")
ITEM_SCOPE = re.compile(r"^(\*|category:[a-z_]{2,40}|item:[A-Za-z0-9_.-]{2,40})$")
TOKEN_PREFIX = "sb_"  # noqa: S105 - a marker that makes leaked tokens easy to spot
_LEVEL_PARENT = {AgencyLevel.CITY: AgencyLevel.PROVINCE, AgencyLevel.DISTRICT: AgencyLevel.CITY}
AGENCY_FIELDS = ("code", "division_code", "name", "name_en", "level", "parent", "address", "phone")
STAFF_FIELDS = ("agency", "title", "phone")


def agency_check_placement(
    *, code: str, division_code: str, level: str, parent: Agency | None
) -> None:
    """Codes well-formed; a city under the province, a district under a city."""
    if not AGENCY_CODE.match(code) or not re.fullmatch(r"\d{6}", division_code):
        raise RuleViolation("CORE-AGENCY-CODE", code=code)
    expected_parent = _LEVEL_PARENT.get(AgencyLevel(level))
    if (parent is None) != (expected_parent is None) or (
        parent is not None and parent.level != expected_parent
    ):
        raise RuleViolation(
            "CORE-AGENCY-LEVEL", level=level, parent_level=parent.level if parent else "-"
        )


def agency_create(
    *,
    actor: Actor,
    code: str,
    division_code: str,
    name: str,
    name_en: str,
    level: str,
    parent: Agency | None,
    address: str = "",
    phone: str = "",
) -> Agency:
    """Open an agency in the tree (province → city → district)."""
    ensure_can(actor, Action.CONFIGURE)
    agency_check_placement(code=code, division_code=division_code, level=level, parent=parent)
    if parent is not None:
        ensure_in_scope(actor, parent)
    with transaction.atomic(durable=True):
        if Agency.objects.filter(code=code).exists():
            raise RuleViolation("CORE-AGENCY-DUPLICATE", code=code)
        agency = Agency.objects.create(
            code=code,
            division_code=division_code,
            name=name,
            name_en=name_en,
            level=level,
            parent=parent,
            address=address,
            phone=phone,
        )
        audit_record(
            actor=actor,
            action="agency.create",
            target=agency,
            target_agency=agency,
            after=snapshot(agency, AGENCY_FIELDS),
        )
    return agency


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise RuleViolation("CORE-PASSWORD-POLICY", reasons="; ".join(exc.messages)) from exc


def staff_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    full_name: str,
    agency: Agency,
    title: str = "",
    phone: str = "",
    is_superuser: bool = False,
) -> Staff:
    """Open a staff login in an agency of the actor's subtree; no permissions yet."""
    ensure_can(actor, Action.CONFIGURE)
    ensure_in_scope(actor, agency)
    candidate = User(username=username, full_name=full_name)
    _check_password(password, candidate)
    with transaction.atomic(durable=True):
        if User.objects.filter(username=username).exists():
            raise RuleViolation("CORE-USERNAME-TAKEN", username=username)
        candidate.set_password(password)
        candidate.is_staff = is_superuser
        candidate.is_superuser = is_superuser
        candidate.save()
        staff = Staff.objects.create(user=candidate, agency=agency, title=title, phone=phone)
        audit_record(
            actor=actor,
            action="staff.create",
            target=staff,
            target_agency=agency,
            after={"username": username, "full_name": full_name, "superuser": is_superuser}
            | snapshot(staff, STAFF_FIELDS),
        )
    return staff


def claim_grant(*, actor: Actor, staff: Staff, role_code: str, item_scope: str) -> PermissionClaim:
    """Grant a business permission claim (业务权限认领) to another staff member."""
    ensure_can(actor, Action.CONFIGURE)
    ensure_in_scope(actor, staff.agency)
    if actor.user is not None and actor.user.pk == staff.user_id:
        raise RuleViolation("CORE-CLAIM-SELF")
    if not ITEM_SCOPE.match(item_scope):
        raise RuleViolation("CORE-CLAIM-SCOPE", scope=item_scope)
    role = Role.objects.filter(code=role_code).first()
    if role is None:
        raise RuleViolation("CORE-ROLE-UNKNOWN", code=role_code)
    with transaction.atomic(durable=True):
        if PermissionClaim.objects.filter(staff=staff, role=role, item_scope=item_scope).exists():
            raise RuleViolation("CORE-CLAIM-EXISTS")
        claim = PermissionClaim.objects.create(
            staff=staff, role=role, item_scope=item_scope, granted_by=actor.user
        )
        audit_record(
            actor=actor,
            action="claim.grant",
            target=claim,
            target_agency=staff.agency,
            after={"staff": staff.user.username, "role": role.code, "item_scope": item_scope},
        )
    return claim


def claim_revoke(*, actor: Actor, claim: PermissionClaim) -> None:
    ensure_can(actor, Action.CONFIGURE)
    ensure_in_scope(actor, claim.staff.agency)
    if actor.user is not None and actor.user.pk == claim.staff.user_id:
        raise RuleViolation("CORE-CLAIM-SELF")
    with transaction.atomic(durable=True):
        before = {
            "staff": claim.staff.user.username,
            "role": claim.role.code,
            "item_scope": claim.item_scope,
        }
        claim_id = str(claim.pk)
        claim.delete()
        audit_record(
            actor=actor,
            action="claim.revoke",
            target_type="core.permissionclaim",
            target_id=claim_id,
            target_agency=claim.staff.agency,
            before=before,
        )


def api_token_issue(
    *,
    actor: Actor,
    user: User,
    label: str = "",
    scopes: list[str] | str = "*",
    rate_limit_per_minute: int | None = None,
) -> tuple[ApiToken, str]:
    """Issue a bearer token for ``user``; returns the row and the token, which is shown once.
    ``scopes`` narrow what it may do within the user's permissions (shebao.api.scopes)."""
    from shebao.api.scopes import normalise_scopes  # the API's vocabulary; core stays below it

    scopes = normalise_scopes(scopes)
    staff = Staff.objects.select_related("agency").filter(user=user).first()
    if staff is not None:
        ensure_in_scope(actor, staff.agency)
    if actor.user is None or actor.user.pk != user.pk:
        ensure_can(actor, Action.CONFIGURE)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic(durable=True):
        row = ApiToken.objects.create(
            user=user,
            label=label,
            key_prefix=token[:10],
            key_hash=api_token_hash(token),
            scopes=scopes,
            rate_limit_per_minute=rate_limit_per_minute,
        )
        audit_record(
            actor=actor,
            action="api_token.issue",
            target=row,
            target_agency=staff.agency if staff else None,
            after={
                "user": user.username,
                "label": label,
                "key_prefix": row.key_prefix,
                "scopes": scopes,
                "rate_limit_per_minute": rate_limit_per_minute,
            },
        )
    return row, token


def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    if actor.user is None or actor.user.pk != token.user_id:
        ensure_can(actor, Action.CONFIGURE)
    with transaction.atomic(durable=True):
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="api_token.revoke",
            target=token,
            before={"key_prefix": token.key_prefix},
            after={"revoked_at": token.revoked_at},
        )
    return token


def api_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def role_define(*, actor: Actor, code: str, name: str, name_en: str, actions: list[str]) -> Role:
    """Create a role or bring its names and actions up to date (reference data)."""
    ensure_can(actor, Action.CONFIGURE)
    wanted = sorted(Action(a).value for a in actions)
    with transaction.atomic(durable=True):
        role = Role.objects.select_for_update().filter(code=code).first()
        before = snapshot(role, ("code", "name", "name_en", "actions")) if role else None
        if role is None:
            role = Role(code=code)
        role.name, role.name_en, role.actions = name, name_en, wanted
        after = snapshot(role, ("code", "name", "name_en", "actions"))
        if before == after:
            return role
        role.save()
        audit_record(
            actor=actor,
            action="role.change" if before else "role.create",
            target=role,
            before=before,
            after=after,
        )
    return role


def staff_password_set(*, actor: Actor, staff: Staff, password: str) -> Staff:
    """Set a staff member's password (administrators, or the member themself)."""
    if actor.user is None or actor.user.pk != staff.user_id:
        ensure_can(actor, Action.CONFIGURE)
        ensure_in_scope(actor, staff.agency)
    _check_password(password, staff.user)
    with transaction.atomic(durable=True):
        staff.user.set_password(password)
        staff.user.save(update_fields=["password"])
        audit_record(actor=actor, action="staff.password", target=staff, target_agency=staff.agency)
    return staff
