"""Test helpers for cases: items with known properties, applicants from the demo data."""

from __future__ import annotations

from shebao.core.actors import Actor
from shebao.registry.demo import demo_employer, demo_person
from shebao.registry.models import Employer, Person
from shebao.services.models import Case, ServiceItem
from shebao.services.services import case_create


def make_item(
    code: str, *, review: bool, limit: int | None = 10, kind: str = "person"
) -> ServiceItem:
    item, _created = ServiceItem.objects.update_or_create(
        code=code,
        defaults={
            "name": f"测试事项{code}",
            "name_en": f"Test item {code}",
            "scheme": "general",
            "category": "registration",
            "channels": ["counter", "web", "api"],
            "fully_online": True,
            "applicant_kind": kind,
            "time_limit_days": limit,
            "review_required": review,
        },
    )
    return item


def person(name: str) -> Person:
    """A fixed demo person (the bulk demo register may hold namesakes)."""
    return demo_person(name)


def employer(name: str) -> Employer:
    return demo_employer(name)


def open_case(actor: Actor, item: ServiceItem, applicant: Person, *, accept: bool = True) -> Case:
    return case_create(
        actor=actor, item=item, channel="counter", person=applicant, accept_now=accept
    )
