"""Reads of the registry, narrowed to the actor's data scope."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from shebao.core.actors import Actor
from shebao.core.permissions import OutOfScope, scope_filter
from shebao.registry.models import Employer, InsuredRelation, Person, RelationStatus

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


def employer_list(actor: Actor, *, search: str = "") -> QuerySet[Employer]:
    queryset = employers_in_scope(actor).annotate(
        insured=Count(
            "relations",
            filter=Q(relations__status=RelationStatus.ACTIVE, relations__scheme="pension"),
        )
    )
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(credit_code=search.upper()))
    return queryset.order_by("name")


def employer_get(actor: Actor, employer_id: int) -> Employer:
    employer = employers_in_scope(actor).filter(pk=employer_id).first()
    if employer is None:
        raise OutOfScope()
    return employer


def person_get(actor: Actor, person_id: int) -> Person:
    person = persons_in_scope(actor).filter(pk=person_id).first()
    if person is None:
        raise OutOfScope()
    return person


def relations_of_employer(
    employer: Employer, *, active_only: bool = True
) -> QuerySet[InsuredRelation]:
    queryset = employer.relations.select_related("person")
    if active_only:
        queryset = queryset.filter(status=RelationStatus.ACTIVE)
    return queryset.order_by("person__name", "scheme")


def relations_of_person(person: Person) -> QuerySet[InsuredRelation]:
    return person.relations.select_related("employer", "agency").order_by("-start_period", "scheme")


def relations_in_scope(
    actor: Actor, *, resident_id: str = "", credit_code: str = "", status: str = ""
) -> QuerySet[InsuredRelation]:
    queryset = scope_filter(
        InsuredRelation.objects.select_related("person", "employer", "agency"), actor, "agency"
    )
    if resident_id:
        queryset = queryset.filter(person__resident_id=resident_id.upper())
    if credit_code:
        queryset = queryset.filter(employer__credit_code=credit_code.upper())
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("person_id", "scheme", "start_period")
