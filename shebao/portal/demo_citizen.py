"""Demo of the citizen portal and the kiosk: what the demo citizens find when they sign in.
Called by ``shebao.portal.demo.seed_demo``; idempotent (a second run writes nothing).

- 张伟 issued a contribution certificate online (a case done at once, a verifiable document)
  and booked a hall appointment on the last bookable day;
- 王芳 asked online for a home visit (a web case waiting for a clerk);
- a retiree of 茅箭区 in payment has a portal account, so the certification online and at
  the kiosk can be shown (their phone is set to a demo number when the record has none).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shebao.benefits.models import Pension, PensionStatus
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.demo import DEMO_PASSWORD
from shebao.core.models import Channel, User, UserKind
from shebao.documents.models import IssuedDocument
from shebao.documents.services import personal_certificate_issue
from shebao.hall.models import Appointment, AppointmentStatus, HomeVisit, VisitReason
from shebao.hall.services.appointments import appointment_book, appointment_slots, bookable_days
from shebao.hall.services.home_visits import home_visit_request
from shebao.portal.models import CitizenAccount
from shebao.portal.services import citizen_actor
from shebao.registry.demo import demo_person
from shebao.registry.models import Person

RETIREE_AGENCY = "420302"
RETIREE_PHONE = "13807190009"


def seed_citizen_portal() -> None:
    _certificate_online("张伟")
    _appointment("张伟")
    _home_visit_online("王芳")
    _retiree_account()


def _actor_of(person: Person) -> Actor | None:
    account = CitizenAccount.objects.select_related("user").filter(person=person).first()
    return None if account is None else citizen_actor(account.user, person.pk, Channel.WEB)


def _certificate_online(name: str) -> None:
    person = demo_person(name)
    actor = _actor_of(person)
    if actor is None or IssuedDocument.objects.filter(person=person, channel=Channel.WEB).exists():
        return
    personal_certificate_issue(actor=actor, person=person, channel=Channel.WEB)


def _appointment(name: str) -> None:
    person = demo_person(name)
    actor = _actor_of(person)
    today = timezone.localdate()
    booked = Appointment.objects.filter(
        person=person, status=AppointmentStatus.BOOKED, slot__day__gte=today
    )
    if actor is None or booked.exists():
        return
    hall = person.managing_agency
    for day in reversed(bookable_days(hall)):  # the last day: clear of the hall demo's booking
        free = [slot for slot in appointment_slots(agency=hall, day=day) if slot.remaining]
        if free:
            appointment_book(actor=actor, agency=hall, day=day, start=free[0].start, person=person)
            return


def _home_visit_online(name: str) -> None:
    person = demo_person(name)
    actor = _actor_of(person)
    if actor is None or HomeVisit.objects.filter(person=person).exists():
        return
    home_visit_request(
        actor=actor,
        person=person,
        address="十堰市茅箭区人民北路 8 号 2 单元 301 室",
        phone=person.phone or "",
        reason=VisitReason.OTHER,
        needed_items=["SBCT002"],
        channel=Channel.WEB,
        note="腿部骨折康复中，暂时无法出门。",
    )


def demo_retiree() -> Person | None:
    """The retiree with a portal account: the first in payment of 茅箭区."""
    pension = (
        Pension.objects.filter(agency__code=RETIREE_AGENCY, status=PensionStatus.ACTIVE)
        .select_related("person__managing_agency")
        .order_by("id")
        .first()
    )
    return pension.person if pension is not None else None


def _retiree_account() -> None:
    person = demo_retiree()
    if person is None or CitizenAccount.objects.filter(person=person).exists():
        return
    with transaction.atomic(durable=True):
        if not person.phone:
            person.phone = RETIREE_PHONE
            person.save(update_fields=["phone"])
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


def citizen_portal_logins() -> list[str]:
    """The retiree's line for `make run`'s list of demo logins."""
    person = demo_retiree()
    if person is None or not CitizenAccount.objects.filter(person=person).exists():
        return []
    return [f"  retiree   {person.name:<4} resident ID {person.resident_id}"]
