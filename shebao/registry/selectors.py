"""Reads of the registry core, narrowed to the actor's data scope."""

from __future__ import annotations

from django.db.models import QuerySet

from shebao.core.actors import Actor
from shebao.core.permissions import scope_filter
from shebao.registry.models import Employer, Person

SEARCH_LIMIT = 20


def persons_in_scope(actor: Actor) -> QuerySet[Person]:
    return scope_filter(Person.objects.select_related("managing_agency"), actor, "managing_agency")


def employers_in_scope(actor: Actor) -> QuerySet[Employer]:
    return scope_filter(
        Employer.objects.select_related("managing_agency"), actor, "managing_agency"
    )


def registry_search(actor: Actor, text: str) -> tuple[list[Person], list[Employer]]:
    """Find persons by resident ID or name, employers by credit code or name (exact identifiers,
    name prefixes), within the actor's scope."""
    query = text.strip().upper()
    if len(query) < 2:
        return [], []
    if query.isalnum() and len(query) == 18:
        persons = list(persons_in_scope(actor).filter(resident_id=query))
        employers = list(employers_in_scope(actor).filter(credit_code=query))
        return persons, employers
    persons = list(persons_in_scope(actor).filter(name__startswith=text.strip())[:SEARCH_LIMIT])
    employers = list(employers_in_scope(actor).filter(name__icontains=text.strip())[:SEARCH_LIMIT])
    return persons, employers
