"""Portal and kiosk accounts: opening, activating and signing in, each sign-in confirmed by a
one-time code sent to the phone the agency has on record.

Refusals that could tell a stranger which identities exist are worded the same whichever
fact was wrong (identity mismatch, sign-in failed).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from shebao.core.actors import Actor, Principal, PrincipalKind
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.identifiers import resident_id_check
from shebao.core.masking import mask_phone
from shebao.core.models import Action, Agency, Channel, User, UserKind
from shebao.core.permissions import ensure_acts_for, ensure_can, ensure_in_scope
from shebao.portal.codes import code_check, code_send
from shebao.portal.models import CitizenAccount, CodePurpose, EmployerAgent, Kiosk
from shebao.registry.models import Employer, EmployerStatus, Person, PersonStatus

register_rule(
    "PORTAL-IDENTITY-MISMATCH",
    "证件号码、姓名或预留手机号码与登记信息不一致。如手机号码已变更，请携带身份证到服务大厅更新。",
    "The ID number, name or phone number does not match the register. If your phone number "
    "changed, bring your ID card to a service hall to update it.",
)
register_rule(
    "PORTAL-ACCOUNT-EXISTS",
    "该证件号码已开通网上服务账户，请直接登录。",
    "An account is already open for this ID number: sign in.",
)
register_rule(
    "PORTAL-LOGIN-FAILED",
    "账号或密码不正确。",
    "The account or the password is wrong.",
)
register_rule(
    "PORTAL-PASSWORD-WEAK",
    "密码不符合要求：{reasons}",
    "The password is not acceptable: {reasons}",
    "密码策略 (same as the staff password policy)",
)
register_rule("PORTAL-PASSWORD-MISMATCH", "两次输入的密码不一致。", "The two passwords differ.")
register_rule(
    "PORTAL-AGENT-ADMIN-ONLY",
    "只有单位账户管理员可以管理经办人。",
    "Only an administrator of the employer's account manages its agents.",
)
register_rule(
    "PORTAL-AGENT-PHONE-TAKEN",
    "该手机号码已是本单位经办人。",
    "This phone number already belongs to an agent of this employer.",
)
register_rule(
    "PORTAL-AGENT-LAST-ADMIN",
    "不能停用单位账户的最后一名管理员。",
    "The last administrator of the employer's account cannot be deactivated.",
)
register_rule(
    "PORTAL-EMPLOYER-INACTIVE",
    "单位状态为“{status}”，不能使用网上服务。",
    "The employer is '{status}': the portal is not available to it.",
)
register_rule(
    "PORTAL-PHONE-INVALID",
    "请填写11位手机号码。",
    "Give an 11-digit mobile phone number.",
)
register_rule(
    "PORTAL-KIOSK-UNKNOWN",
    "本设备不是已登记的自助一体机，或已停用。",
    "This device is not a registered kiosk, or the kiosk was deactivated.",
)


@dataclass(frozen=True)
class Challenge:
    """A code sent: whom it is for (``subject_id``, a person, user or agent), which code row,
    and where it went (masked) so the page can say so."""

    subject_id: int
    code_id: int
    phone_masked: str


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def _mobile(phone: str) -> str:
    digits = _digits(phone)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) != 11 or not digits.startswith("1"):
        raise RuleViolation("PORTAL-PHONE-INVALID")
    return digits


def _check_new_password(password: str, confirm: str, user: User) -> None:
    if password != confirm:
        raise RuleViolation("PORTAL-PASSWORD-MISMATCH")
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise RuleViolation("PORTAL-PASSWORD-WEAK", reasons=" ".join(exc.messages)) from exc


def _authenticated(request: HttpRequest | None, username: str, password: str) -> User:
    """The password checked through the authentication backends, so that django-axes counts
    the failures of this account and locks it out like a staff login."""
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User):
        raise RuleViolation("PORTAL-LOGIN-FAILED")
    return user


def citizen_actor(user: User, person_id: int, channel: str = Channel.WEB) -> Actor:
    return Actor(
        user=user, channel=channel, principal=Principal(PrincipalKind.CITIZEN, person_id=person_id)
    )


def agent_actor(agent: EmployerAgent, channel: str = Channel.WEB) -> Actor:
    return Actor(
        user=agent.user,
        channel=channel,
        principal=Principal(PrincipalKind.EMPLOYER_AGENT, employer_id=agent.employer_id),
    )


# --- citizens -------------------------------------------------------------------------------


def _person_by_id(resident_id: str) -> Person | None:
    try:
        number = resident_id_check(resident_id).number
    except RuleViolation:
        return None
    return (
        Person.objects.select_related("managing_agency")
        .filter(resident_id=number, status=PersonStatus.ACTIVE)
        .first()
    )


def citizen_activation_start(*, resident_id: str, name: str, phone: str) -> Challenge:
    """Opening a citizen account (开通): the ID number, the name and the phone the agency has
    on record must all agree; a code goes to that phone."""
    person = _person_by_id(resident_id)
    typed_phone = _digits(phone)
    if (
        person is None
        or person.name != name.strip()
        or not person.phone
        or _digits(person.phone) != typed_phone
    ):
        raise RuleViolation("PORTAL-IDENTITY-MISMATCH")
    if CitizenAccount.objects.filter(person=person).exists():
        raise RuleViolation("PORTAL-ACCOUNT-EXISTS")
    sent = code_send(
        purpose=CodePurpose.CITIZEN_ACTIVATION, subject=f"person:{person.pk}", phone=person.phone
    )
    return Challenge(person.pk, sent.pk, sent.phone_masked)


def citizen_activation_finish(
    *, person_id: int, code_id: int, code: str, password: str, confirm: str
) -> User:
    """The code confirmed and a password chosen: the login and the account, audited."""
    person = Person.objects.select_related("managing_agency").get(pk=person_id)
    candidate = User(username=f"citizen-{person.pk}", full_name=person.name, kind=UserKind.CITIZEN)
    _check_new_password(password, confirm, candidate)
    code_check(
        code_id=code_id,
        purpose=CodePurpose.CITIZEN_ACTIVATION,
        subject=f"person:{person.pk}",
        code=code,
    )
    try:
        with transaction.atomic(durable=True):
            candidate.set_password(password)
            candidate.save()
            account = CitizenAccount.objects.create(user=candidate, person=person)
            audit_record(
                actor=citizen_actor(candidate, person.pk),
                action="portal.citizen_open",
                target=account,
                target_agency=person.managing_agency,
                after={"person": person.pk, "username": candidate.username},
            )
    except IntegrityError as exc:  # a second activation won the race
        raise RuleViolation("PORTAL-ACCOUNT-EXISTS") from exc
    return candidate


def citizen_login_start(
    *, request: HttpRequest | None, resident_id: str, password: str
) -> Challenge:
    """Step one of a citizen's sign-in: the password; a code goes to the phone on record."""
    person = _person_by_id(resident_id)
    account = (
        CitizenAccount.objects.select_related("user").filter(person=person).first()
        if person
        else None
    )
    # An unknown ID is still checked against a name no login has, so its failures are counted
    # and its timing is a real password check.
    username = account.user.username if account else f"unknown-citizen:{resident_id.strip()[:100]}"
    user = _authenticated(request, username, password)
    if account is None or person is None or not person.phone:
        raise RuleViolation("PORTAL-LOGIN-FAILED")
    sent = code_send(
        purpose=CodePurpose.CITIZEN_LOGIN, subject=f"user:{user.pk}", phone=person.phone
    )
    return Challenge(user.pk, sent.pk, sent.phone_masked)


def login_finish(*, purpose: str, user_id: int, code_id: int, code: str) -> User:
    """Step two of a sign-in (citizen or agent): the code; the caller then logs the user in."""
    code_check(code_id=code_id, purpose=purpose, subject=f"user:{user_id}", code=code)
    return User.objects.get(pk=user_id, is_active=True)


# --- employers' agents ----------------------------------------------------------------------


def _ensure_employer_usable(employer: Employer) -> None:
    if employer.status not in (EmployerStatus.ACTIVE, EmployerStatus.SUSPENDED):
        raise RuleViolation("PORTAL-EMPLOYER-INACTIVE", status=employer.get_status_display())


def _agent_insert(
    *, actor: Actor, employer: Employer, name: str, phone: str, is_admin: bool
) -> EmployerAgent:
    mobile = _mobile(phone)
    with transaction.atomic(durable=True):
        if EmployerAgent.objects.filter(employer=employer, phone=mobile).exists():
            raise RuleViolation("PORTAL-AGENT-PHONE-TAKEN")
        agent = EmployerAgent.objects.create(
            employer=employer,
            name=name.strip(),
            phone=mobile,
            is_admin=is_admin,
            created_by=actor.username,
        )
        audit_record(
            actor=actor,
            action="portal.agent_open",
            target=agent,
            target_agency=employer.managing_agency,
            after={
                "employer": employer.credit_code,
                "name": agent.name,
                "phone": mask_phone(mobile),
                "is_admin": is_admin,
            },
        )
    return agent


def employer_agent_open(
    *, actor: Actor, employer: Employer, name: str, phone: str, is_admin: bool = True
) -> EmployerAgent:
    """A clerk opens an employer's portal access at the counter: its first agent, an
    administrator of the account, who then activates the login with a code."""
    ensure_acts_for(actor, employer)
    ensure_can(actor, Action.ACCEPT, category="registration")
    _ensure_employer_usable(employer)
    return _agent_insert(actor=actor, employer=employer, name=name, phone=phone, is_admin=is_admin)


def _ensure_admin_agent(actor: Actor) -> EmployerAgent:
    agent = (
        EmployerAgent.objects.select_related("employer__managing_agency")
        .filter(user=actor.user, is_active=True, is_admin=True)
        .first()
        if actor.user is not None and actor.principal is not None
        else None
    )
    if agent is None:
        raise RuleViolation("PORTAL-AGENT-ADMIN-ONLY")
    return agent


def employer_agent_add(
    *, actor: Actor, name: str, phone: str, is_admin: bool = False
) -> EmployerAgent:
    """An administrator agent adds another agent of the same employer online."""
    admin = _ensure_admin_agent(actor)
    _ensure_employer_usable(admin.employer)
    return _agent_insert(
        actor=actor, employer=admin.employer, name=name, phone=phone, is_admin=is_admin
    )


def employer_agent_deactivate(*, actor: Actor, agent: EmployerAgent) -> EmployerAgent:
    """Stop an agent's login (staff in scope, or an administrator agent of the employer);
    the account keeps at least one active administrator."""
    if actor.principal is not None:
        admin = _ensure_admin_agent(actor)
        if admin.employer_id != agent.employer_id:
            ensure_acts_for(actor, agent.employer)  # raises: another employer's agent
    else:
        ensure_in_scope(actor, agent.employer.managing_agency)
        ensure_can(actor, Action.ACCEPT, category="registration")
    with transaction.atomic(durable=True):
        locked = (
            EmployerAgent.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=agent.pk)
        )
        others = EmployerAgent.objects.filter(
            employer_id=locked.employer_id, is_admin=True, is_active=True
        ).exclude(pk=locked.pk)
        if locked.is_admin and not others.exists():
            raise RuleViolation("PORTAL-AGENT-LAST-ADMIN")
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        if locked.user is not None:
            locked.user.is_active = False
            locked.user.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="portal.agent_deactivate",
            target=locked,
            target_agency=agent.employer.managing_agency,
            before={"is_active": True},
            after={"is_active": False},
        )
    return locked


def _agent_by(credit_code: str, phone: str) -> EmployerAgent | None:
    return (
        EmployerAgent.objects.select_related("employer__managing_agency", "user")
        .filter(
            employer__credit_code=credit_code.strip().upper(),
            phone=_digits(phone)[-11:],
            is_active=True,
        )
        .first()
    )


def agent_activation_start(*, credit_code: str, phone: str) -> Challenge:
    agent = _agent_by(credit_code, phone)
    if agent is None:
        raise RuleViolation("PORTAL-IDENTITY-MISMATCH")
    if agent.user_id is not None:
        raise RuleViolation("PORTAL-ACCOUNT-EXISTS")
    _ensure_employer_usable(agent.employer)
    sent = code_send(
        purpose=CodePurpose.AGENT_ACTIVATION, subject=f"agent:{agent.pk}", phone=agent.phone
    )
    return Challenge(agent.pk, sent.pk, sent.phone_masked)


def agent_activation_finish(
    *, agent_id: int, code_id: int, code: str, password: str, confirm: str
) -> User:
    agent = EmployerAgent.objects.select_related("employer__managing_agency").get(pk=agent_id)
    candidate = User(
        username=f"agent-{agent.pk}", full_name=agent.name, kind=UserKind.EMPLOYER_AGENT
    )
    _check_new_password(password, confirm, candidate)
    code_check(
        code_id=code_id,
        purpose=CodePurpose.AGENT_ACTIVATION,
        subject=f"agent:{agent.pk}",
        code=code,
    )
    with transaction.atomic(durable=True):
        locked = EmployerAgent.objects.select_for_update().get(pk=agent.pk)
        if locked.user_id is not None or not locked.is_active:
            raise RuleViolation("PORTAL-ACCOUNT-EXISTS")
        candidate.set_password(password)
        candidate.save()
        locked.user = candidate
        locked.activated_at = timezone.now()
        locked.save(update_fields=["user", "activated_at"])
        audit_record(
            actor=agent_actor(locked),
            action="portal.agent_activate",
            target=locked,
            target_agency=agent.employer.managing_agency,
            after={"username": candidate.username},
        )
    return candidate


def agent_login_start(
    *, request: HttpRequest | None, credit_code: str, phone: str, password: str
) -> Challenge:
    agent = _agent_by(credit_code, phone)
    username = (
        agent.user.username
        if agent and agent.user
        else f"unknown-agent:{credit_code.strip()[:40]}/{phone.strip()[:20]}"
    )
    user = _authenticated(request, username, password)
    if agent is None:
        raise RuleViolation("PORTAL-LOGIN-FAILED")
    _ensure_employer_usable(agent.employer)
    sent = code_send(purpose=CodePurpose.AGENT_LOGIN, subject=f"user:{user.pk}", phone=agent.phone)
    return Challenge(user.pk, sent.pk, sent.phone_masked)


# --- kiosks -----------------------------------------------------------------------------------


def kiosk_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def kiosk_register(*, actor: Actor, agency: Agency, code: str, name: str) -> tuple[Kiosk, str]:
    """Register a kiosk of a hall; returns the kiosk and its key, shown once (the device
    keeps it in a cookie when its activation link is opened)."""
    ensure_can(actor, Action.CONFIGURE)
    ensure_in_scope(actor, agency)
    key = secrets.token_urlsafe(32)
    with transaction.atomic(durable=True):
        kiosk = Kiosk.objects.create(
            agency=agency,
            code=code.strip(),
            name=name.strip(),
            key_hash=kiosk_key_hash(key),
            created_by=actor.username,
        )
        audit_record(
            actor=actor,
            action="kiosk.register",
            target=kiosk,
            target_agency=agency,
            after={"code": kiosk.code, "name": kiosk.name},
        )
    return kiosk, key


def kiosk_of_key(key: str | None) -> Kiosk | None:
    if not key:
        return None
    return (
        Kiosk.objects.select_related("agency")
        .filter(key_hash=kiosk_key_hash(key), is_active=True)
        .first()
    )


def kiosk_activate(*, key: str) -> Kiosk:
    """The first visit of the activation link on the device: the kiosk is in service."""
    kiosk = kiosk_of_key(key)
    if kiosk is None:
        raise RuleViolation("PORTAL-KIOSK-UNKNOWN")
    if kiosk.activated_at is None:
        with transaction.atomic(durable=True):
            kiosk.activated_at = timezone.now()
            kiosk.save(update_fields=["activated_at"])
            audit_record(
                actor=kiosk_system_actor(kiosk),
                action="kiosk.activate",
                target=kiosk,
                target_agency=kiosk.agency,
                after={"activated_at": kiosk.activated_at},
            )
    return kiosk


def kiosk_system_actor(kiosk: Kiosk) -> Actor:
    """The kiosk itself, for what it does before anyone signs in (taking a ticket)."""
    return Actor(user=None, channel=Channel.KIOSK, system_label=f"kiosk-{kiosk.code}")


def kiosk_visitor_actor(kiosk: Kiosk, person_id: int) -> Actor:
    """A visitor the kiosk identified: they act for their own record only, with no login."""
    return Actor(
        user=None,
        channel=Channel.KIOSK,
        system_label=f"kiosk-{kiosk.code}",
        principal=Principal(PrincipalKind.CITIZEN, person_id=person_id),
    )


def kiosk_login_start(*, kiosk: Kiosk, resident_id: str) -> Challenge:
    """A visitor at a kiosk gives their ID number (the card reader types it) and receives a
    code on the phone on record: possession of the phone stands in for the face check a
    production kiosk adds (see docs/portal.md)."""
    person = _person_by_id(resident_id)
    if person is None or not person.phone:
        raise RuleViolation("PORTAL-IDENTITY-MISMATCH")
    sent = code_send(
        purpose=CodePurpose.KIOSK_LOGIN, subject=f"person:{person.pk}", phone=person.phone
    )
    return Challenge(person.pk, sent.pk, sent.phone_masked)


def kiosk_login_finish(*, person_id: int, code_id: int, code: str) -> Person:
    code_check(
        code_id=code_id, purpose=CodePurpose.KIOSK_LOGIN, subject=f"person:{person_id}", code=code
    )
    return Person.objects.get(pk=person_id, status=PersonStatus.ACTIVE)
