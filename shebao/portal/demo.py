"""Demo portal accounts and a demo kiosk (see the README's demo logins).

Idempotent: a second run finds everything and writes nothing. The accounts are opened as
their owners would, except that the code step is skipped (the demo has no phone to read);
each opening is audited like the real one.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shebao.core.actors import staff_actor, system_actor
from shebao.core.audit import audit_record
from shebao.core.demo import DEMO_PASSWORD
from shebao.core.models import Agency, User, UserKind
from shebao.portal.demo_citizen import citizen_portal_logins, seed_citizen_portal
from shebao.portal.demo_employer import seed_employer_portal
from shebao.portal.models import CitizenAccount, EmployerAgent, Kiosk
from shebao.portal.services import (
    agent_actor,
    citizen_actor,
    employer_agent_add,
    employer_agent_open,
    kiosk_key_hash,
)
from shebao.registry.demo import demo_employer, demo_person

# Citizens with a portal account (their phones are on record in the registry demo).
DEMO_CITIZENS = ["张伟", "王芳"]
# (employer, agent name, phone, administrator, activated)
DEMO_AGENTS = [
    ("十堰市示范超市有限公司", "赵敏", "13907191001", True, True),
    ("十堰市示范超市有限公司", "钱进", "13907191002", False, False),
    ("湖北示例汽车零部件有限公司", "孙丽", "13907191003", True, True),
]
# The demo kiosk's key is published in the README so that a newcomer can turn a browser tab
# into the kiosk; a real kiosk's key is random and shown once.
DEMO_KIOSK_KEY = "demo-kiosk-maojian-01"
DEMO_KIOSK = ("420302", "K01", "茅箭区服务大厅 1号自助一体机")


def seed_demo(*, bulk: bool = True) -> None:
    for name in DEMO_CITIZENS:
        _citizen(name)
    for employer_name, agent_name, phone, is_admin, activated in DEMO_AGENTS:
        _agent(employer_name, agent_name, phone, is_admin, activated)
    _kiosk()
    seed_employer_portal()
    seed_citizen_portal()


def _citizen(name: str) -> None:
    person = demo_person(name)
    if CitizenAccount.objects.filter(person=person).exists():
        return
    with transaction.atomic(durable=True):
        user = User(username=f"citizen-{person.pk}", full_name=person.name, kind=UserKind.CITIZEN)
        user.set_password(DEMO_PASSWORD)
        user.save()
        account = CitizenAccount.objects.create(user=user, person=person)
        audit_record(
            actor=citizen_actor(user, person.pk),
            action="portal.citizen_open",
            target=account,
            target_agency=person.managing_agency,
            after={"person": person.pk, "username": user.username, "demo": True},
        )


def _agent(employer_name: str, name: str, phone: str, is_admin: bool, activated: bool) -> None:
    employer = demo_employer(employer_name)
    if EmployerAgent.objects.filter(employer=employer, phone=phone).exists():
        return
    admin = EmployerAgent.objects.filter(employer=employer, is_admin=True, user__isnull=False)
    if is_admin:
        clerk = {"420302": "clerk_maojian", "420303": "clerk_zhangwan"}[
            employer.managing_agency.code
        ]
        agent = employer_agent_open(
            actor=staff_actor(clerk), employer=employer, name=name, phone=phone
        )
    else:
        agent = employer_agent_add(actor=agent_actor(admin.get()), name=name, phone=phone)
    if activated:
        with transaction.atomic(durable=True):
            user = User(username=f"agent-{agent.pk}", full_name=name, kind=UserKind.EMPLOYER_AGENT)
            user.set_password(DEMO_PASSWORD)
            user.save()
            agent.user = user
            agent.activated_at = timezone.now()
            agent.save(update_fields=["user", "activated_at"])
            audit_record(
                actor=agent_actor(agent),
                action="portal.agent_activate",
                target=agent,
                target_agency=employer.managing_agency,
                after={"username": user.username, "demo": True},
            )


def _kiosk() -> None:
    agency_code, code, name = DEMO_KIOSK
    if Kiosk.objects.filter(code=code).exists():
        return
    agency = Agency.objects.get(code=agency_code)
    with transaction.atomic(durable=True):
        kiosk = Kiosk.objects.create(
            agency=agency,
            code=code,
            name=name,
            key_hash=kiosk_key_hash(DEMO_KIOSK_KEY),
            created_by="system:seed_demo",
        )
        audit_record(
            actor=system_actor("seed_demo"),
            action="kiosk.register",
            target=kiosk,
            target_agency=agency,
            after={"code": code, "name": name, "demo": True},
        )


def demo_logins() -> list[str]:
    """What `make run` prints about the portal and the kiosk."""
    lines = ["Portal (http://127.0.0.1:8000/portal/; the SMS code is printed in this terminal):"]
    for name in DEMO_CITIZENS:
        person = demo_person(name)
        lines.append(f"  citizen   {name:<4} resident ID {person.resident_id}")
    lines.extend(citizen_portal_logins())
    for employer_name, agent_name, phone, _is_admin, activated in DEMO_AGENTS:
        if activated:
            code = demo_employer(employer_name).credit_code
            lines.append(f"  employer  {agent_name:<4} credit code {code}, phone {phone}")
    lines.append(f"Kiosk: open http://127.0.0.1:8000/kiosk/activate/{DEMO_KIOSK_KEY}/ once")
    return lines
