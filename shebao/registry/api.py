"""Employers, persons and insured relations, under the caller's permissions and scope.
Writes open cases, exactly as the counter pages do."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from shebao.api.schemas import ErrorOut, Offset
from shebao.core.actors import actor_from_request
from shebao.core.masking import mask_bank_account, mask_resident_id
from shebao.core.models import Channel
from shebao.core.permissions import OutOfScope
from shebao.registry.models import Employer, InsuredRelation, Person
from shebao.registry.selectors import (
    employer_get,
    employer_list,
    person_get,
    persons_in_scope,
    relations_in_scope,
)
from shebao.registry.services import (
    AdditionSpec,
    RemovalSpec,
    employer_register,
    staff_addition_request,
    staff_removal_request,
)
from shebao.services.api import CaseOut

router = Router(tags=["registry"])


class EmployerOut(Schema):
    id: int
    credit_code: str
    name: str
    status: str
    agency: str
    legal_representative: str
    risk_class: int | None
    floating_tier: int | None
    bank_account: str

    @staticmethod
    def resolve_agency(obj: Employer) -> str:
        return obj.managing_agency.code

    @staticmethod
    def resolve_bank_account(obj: Employer) -> str:
        return mask_bank_account(obj.bank_account)


class PersonOut(Schema):
    id: int
    resident_id: str
    name: str
    sex: str
    birth_date: date
    status: str
    agency: str

    @staticmethod
    def resolve_resident_id(obj: Person) -> str:
        return mask_resident_id(obj.resident_id)

    @staticmethod
    def resolve_agency(obj: Person) -> str:
        return obj.managing_agency.code


class RelationOut(Schema):
    id: int
    person: str
    scheme: str
    employer: str | None
    kind: str
    start_period: int
    end_period: int | None
    status: str
    agency: str

    @staticmethod
    def resolve_person(obj: InsuredRelation) -> str:
        return mask_resident_id(obj.person.resident_id)

    @staticmethod
    def resolve_employer(obj: InsuredRelation) -> str | None:
        return obj.employer.credit_code if obj.employer else None

    @staticmethod
    def resolve_agency(obj: InsuredRelation) -> str:
        return obj.agency.code


class EmployerIn(Schema):
    credit_code: str
    name: str
    legal_representative: str = ""
    address: str = ""
    industry: str = ""
    risk_class: int | None = None
    floating_tier: int | None = None
    contact_name: str = ""
    contact_phone: str = ""


class AdditionIn(Schema):
    resident_id: str
    name: str
    start_period: int
    reason: str = "new_hire"
    schemes: list[str] = ["pension", "unemployment", "work_injury"]
    continuing: bool = False


class RemovalIn(Schema):
    resident_id: str
    end_period: int
    reason: str


class RelationsIn(Schema):
    employer: str  # credit code
    additions: list[AdditionIn] = []
    removals: list[RemovalIn] = []


class Page(Schema):
    q: str = ""
    limit: int = 50
    offset: Offset = 0


def _window(page: Page) -> slice:
    limit = max(1, min(page.limit, 500))
    return slice(page.offset, page.offset + limit)


@router.get("/employers", response=list[EmployerOut], summary="Employers in the caller's scope")
def employers(request: HttpRequest, page: Query[Page]) -> Any:
    actor = actor_from_request(request, Channel.API)
    return list(employer_list(actor, search=page.q)[_window(page)])


@router.get("/employers/{employer_id}", response={200: EmployerOut, 404: ErrorOut})
def employer(request: HttpRequest, employer_id: int) -> Any:
    return employer_get(actor_from_request(request, Channel.API), employer_id)


@router.post(
    "/employers",
    response={201: CaseOut, 400: ErrorOut, 403: ErrorOut},
    summary="Register an employer: opens the registration case (pending until approved)",
)
def employer_new(request: HttpRequest, payload: EmployerIn) -> Status[Any]:
    actor = actor_from_request(request, Channel.API)
    if actor.agency is None:
        raise OutOfScope()
    case = employer_register(actor=actor, fields=payload.dict(), agency=actor.agency, channel="api")
    return Status(201, case)


@router.get("/persons", response=list[PersonOut], summary="Persons in the caller's scope")
def persons(request: HttpRequest, page: Query[Page]) -> Any:
    queryset = persons_in_scope(actor_from_request(request, Channel.API)).order_by("name")
    if page.q:
        queryset = (
            queryset.filter(resident_id=page.q.upper())
            if len(page.q) == 18
            else queryset.filter(name__startswith=page.q)
        )
    return list(queryset[_window(page)])


@router.get("/persons/{person_id}", response={200: PersonOut, 404: ErrorOut})
def person(request: HttpRequest, person_id: int) -> Any:
    return person_get(actor_from_request(request, Channel.API), person_id)


class RelationFilters(Schema):
    resident_id: str = ""
    employer: str = ""
    status: str = ""
    limit: int = 100
    offset: Offset = 0


@router.get("/insured-relations", response=list[RelationOut], summary="Insured relations in scope")
def relations(request: HttpRequest, filters: Query[RelationFilters]) -> Any:
    queryset = relations_in_scope(
        actor_from_request(request, Channel.API),
        resident_id=filters.resident_id,
        credit_code=filters.employer,
        status=filters.status,
    )
    limit = max(1, min(filters.limit, 500))
    return list(queryset[filters.offset : filters.offset + limit])


@router.post(
    "/insured-relations",
    response={201: CaseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Staff additions or removals for one employer: opens one case",
)
def relations_change(request: HttpRequest, payload: RelationsIn) -> Status[Any]:
    actor = actor_from_request(request, Channel.API)
    firm = employer_list(actor).filter(credit_code=payload.employer.upper()).first()
    if firm is None:
        raise OutOfScope()
    if payload.additions:
        specs = [
            AdditionSpec(
                resident_id=a.resident_id,
                name=a.name,
                start_period=a.start_period,
                reason=a.reason,
                schemes=tuple(a.schemes),
                continuing=a.continuing,
            )
            for a in payload.additions
        ]
        return Status(
            201, staff_addition_request(actor=actor, employer=firm, specs=specs, channel="api")
        )
    removals = [RemovalSpec(r.resident_id, r.end_period, r.reason) for r in payload.removals]
    return Status(
        201, staff_removal_request(actor=actor, employer=firm, specs=removals, channel="api")
    )
