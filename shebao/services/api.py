"""Catalogue (public) and cases (same permissions and data scope as the staff pages)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from shebao.api.schemas import ErrorOut, Offset
from shebao.core.actors import actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.models import Channel
from shebao.registry.selectors import employers_in_scope, persons_in_scope
from shebao.services.models import Case, ServiceItem
from shebao.services.selectors import case_get, cases_in_scope, due_flag
from shebao.services.services import case_create, case_transition

router = Router(tags=["services"])


class MaterialOut(Schema):
    name: str
    name_en: str


class ServiceItemOut(Schema):
    code: str
    name: str
    name_en: str
    scheme: str
    category: str
    channels: list[str]
    fully_online: bool
    automatic: bool
    applicant_kind: str
    materials: list[MaterialOut]
    time_limit_days: int | None
    time_limit_calendar_days: int | None
    review_required: bool
    implemented: bool

    @staticmethod
    def resolve_implemented(obj: ServiceItem) -> bool:
        return bool(obj.handler)


class CaseOut(Schema):
    id: int
    receipt_no: str
    item: str
    channel: str
    status: str
    agency: str
    applicant: str
    applicant_kind: str
    agent_kind: str
    created_at: datetime
    accepted_at: datetime | None
    finished_at: datetime | None
    due_date: date | None
    overdue: bool
    return_reason: str

    @staticmethod
    def resolve_item(obj: Case) -> str:
        return obj.item.code

    @staticmethod
    def resolve_agency(obj: Case) -> str:
        return obj.agency.code

    @staticmethod
    def resolve_applicant(obj: Case) -> str:
        return str(obj.applicant)

    @staticmethod
    def resolve_applicant_kind(obj: Case) -> str:
        return "person" if obj.applicant_person_id else "employer"

    @staticmethod
    def resolve_overdue(obj: Case) -> bool:
        return due_flag(obj).overdue


class CaseIn(Schema):
    item: str
    resident_id: str = ""
    credit_code: str = ""
    agent_kind: str = ""
    agent_name: str = ""
    agent_resident_id: str = ""
    agent_relation: str = ""
    data: dict[str, Any] = {}
    accept_now: bool = False


class TransitionIn(Schema):
    action: str
    reason: str = ""


class CaseFilters(Schema):
    status: str = ""
    item: str = ""
    channel: str = ""
    overdue: bool = False
    applicant: str = ""
    limit: int = 50
    offset: Offset = 0


@router.get(
    "/service-items", response=list[ServiceItemOut], auth=None, summary="The public catalogue"
)
def service_items(request: HttpRequest) -> Any:
    return ServiceItem.objects.filter(is_active=True).order_by("code")


@router.get("/cases", response=list[CaseOut], summary="Cases in the caller's scope")
def cases(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    actor = actor_from_request(request, Channel.API)
    limit = max(1, min(filters.limit, 500))
    queryset = cases_in_scope(
        actor,
        status=filters.status,
        item_code=filters.item,
        channel=filters.channel,
        overdue=filters.overdue,
        applicant_id=filters.applicant,
    )
    return list(queryset[filters.offset : filters.offset + limit])


@router.get("/cases/{case_id}", response={200: CaseOut, 404: ErrorOut}, summary="One case")
def case_detail(request: HttpRequest, case_id: int) -> Any:
    return case_get(actor_from_request(request, Channel.API), case_id)


@router.post(
    "/cases",
    response={201: CaseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Open a case (channel api) for a person or employer of the caller's scope",
)
def case_open(request: HttpRequest, payload: CaseIn) -> Status[Any]:
    actor = actor_from_request(request, Channel.API)
    item = ServiceItem.objects.filter(code=payload.item).first()
    if item is None:
        raise RuleViolation("CASE-ITEM-UNKNOWN", item=payload.item)
    person = (
        persons_in_scope(actor).filter(resident_id=payload.resident_id.upper()).first()
        if payload.resident_id
        else None
    )
    employer = (
        employers_in_scope(actor).filter(credit_code=payload.credit_code.upper()).first()
        if payload.credit_code
        else None
    )
    if (payload.resident_id and person is None) or (payload.credit_code and employer is None):
        raise RuleViolation("CASE-APPLICANT-UNKNOWN")
    case = case_create(
        actor=actor,
        item=item,
        channel="api",
        person=person,
        employer=employer,
        agent_kind=payload.agent_kind,
        agent_name=payload.agent_name,
        agent_resident_id=payload.agent_resident_id,
        agent_relation=payload.agent_relation,
        data=payload.data,
        accept_now=payload.accept_now,
    )
    return Status(201, case)


@router.post(
    "/cases/{case_id}/transitions",
    response={200: CaseOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Move a case: accept, send_for_review, complete, approve, send_back, return, …",
)
def case_move(request: HttpRequest, case_id: int, payload: TransitionIn) -> Any:
    actor = actor_from_request(request, Channel.API)
    case = case_get(actor, case_id)
    return case_transition(actor=actor, case=case, action=payload.action, reason=payload.reason)
