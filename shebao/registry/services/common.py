"""Shared pieces of the registry services: item codes, opening a case for a request, and
recording a change in a record's history."""

from __future__ import annotations

from typing import Any

from django.db import models

from shebao.core.actors import Actor
from shebao.core.models import Action
from shebao.core.permissions import ensure_can
from shebao.registry.models import Employer, Person, RecordChange
from shebao.services.models import Case, ServiceItem
from shebao.services.services import case_create

# Catalogue items of the registry (shebao/services/data/catalogue.yaml).
ITEM_EMPLOYER_REGISTRATION = "SBRG001"
ITEM_EMPLOYER_DEREGISTRATION = "SBRG003"
ITEM_EMPLOYER_CHANGE = "SBRG004"
ITEM_STAFF_ADDITION = "SBRG005"
ITEM_STAFF_REMOVAL = "SBRG006"
ITEM_PERSON_CHANGE = "SBRG007"
ITEM_FLEXIBLE_ENROLMENT = "SBRG009"
ITEM_EMPLOYER_TRANSFER = "SBRG011"
ITEM_PERSON_MERGE = "SBAC001"


def ensure_may_request(actor: Actor, item_code: str) -> None:
    """Staff without ``accept`` on the item are refused before the request's rows are checked,
    so that the answer is the refusal and not what is wrong with the rows. Portal users are
    held to their own record by ``case_create``."""
    if actor.principal is None:
        item = ServiceItem.objects.get(code=item_code)
        ensure_can(actor, Action.ACCEPT, item_code=item.code, category=item.category)


def open_request(
    *,
    actor: Actor,
    item_code: str,
    channel: str,
    data: dict[str, Any],
    person: Person | None = None,
    employer: Employer | None = None,
) -> Case:
    """Open the case of a request, accepted on the spot at the counter."""
    item = ServiceItem.objects.get(code=item_code)
    return case_create(
        actor=actor,
        item=item,
        channel=channel,
        person=person,
        employer=employer,
        data=data,
        accept_now=True,
    )


def field_values(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in fields:
        value = getattr(instance, name)
        values[name] = value.pk if isinstance(value, models.Model) else value
    return values


def record_change(
    *,
    actor: Actor,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
    case: Case | None,
    person: Person | None = None,
    employer: Employer | None = None,
) -> RecordChange:
    return RecordChange.objects.create(
        person=person,
        employer=employer,
        action=action,
        before=before,
        after=after,
        actor_label=actor.username,
        case_id=case.pk if case else None,
    )
