"""Pensions in the API: a person's pension with its award, and the preview of a retirement
application (eligibility, history and the pension with its trace; nothing is written)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Field, Router, Schema, Status

from shebao.api.schemas import ErrorOut
from shebao.benefits.models import PensionAward
from shebao.benefits.selectors import pension_of
from shebao.benefits.services.retirement import (
    ITEM_NORMAL,
    RetirementRequest,
    retirement_assess,
)
from shebao.core.actors import actor_from_request
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.masking import mask_resident_id
from shebao.core.models import Channel
from shebao.core.periods import period_validate
from shebao.registry.selectors import person_get

router = Router(tags=["benefits"])

register_rule(
    "PEN-NONE",
    "该人员没有基本养老金待遇。",
    "This person draws no pension.",
)


class AwardOut(Schema):
    kind: str
    effective_period: int
    benefit_base_fen: int
    benefit_base_year: int
    provisional: bool
    average_index: str
    contribution_months: int
    deemed_months: int
    account_balance_fen: int
    retirement_age_months: int
    basic_fen: int
    account_fen: int
    transitional_fen: int
    total_fen: int
    calculation: dict[str, Any]


class RateOut(Schema):
    effective_period: int
    monthly_fen: int
    reason: str


class PensionOut(Schema):
    id: int
    person_id: int
    resident_id: str
    name: str
    status: str
    group: str
    retirement_month: int
    start_period: int
    monthly_fen: int
    contribution_months: int
    suspension_reason: str
    suspended_from: int | None
    end_period: int | None
    settled_through: int | None
    certified_on: date | None
    award: AwardOut | None
    rates: list[RateOut]


class PreviewIn(Schema):
    person_id: int
    group: str = Field("", description="female-50 or female-55 for a woman; ignored for a man")
    item_code: str = Field(ITEM_NORMAL, description="SBBN001 normal or SBBN004 flexible early")
    retirement_month: int | None = Field(None, description="YYYYMM; empty: the statutory month")
    deemed_months: int = Field(0, ge=0, le=480)
    agreement: bool = False


class PreviewOut(Schema):
    request: dict[str, Any]
    figures: dict[str, Any]
    calculation: dict[str, Any]


def _none(code: str) -> dict[str, str]:
    refusal = RuleViolation(code)
    return refusal.as_dict() | {"detail": refusal.message(get_language())}


@router.get(
    "/persons/{person_id}/pension",
    response={200: PensionOut, 404: ErrorOut},
    summary="A person's pension: status, amount in force, the newest award with its trace, "
    "and the rates",
)
def person_pension(request: HttpRequest, person_id: int) -> Any:
    actor = actor_from_request(request, Channel.API)
    person = person_get(actor, person_id)
    pension = pension_of(actor, person)
    if pension is None:
        return Status(404, _none("PEN-NONE"))
    award = PensionAward.objects.filter(pension=pension).order_by("-id").first()
    return {
        "id": pension.pk,
        "person_id": person.pk,
        "resident_id": mask_resident_id(person.resident_id),
        "name": person.name,
        "status": pension.status,
        "group": pension.group,
        "retirement_month": pension.retirement_month,
        "start_period": pension.start_period,
        "monthly_fen": pension.monthly_fen,
        "contribution_months": pension.contribution_months,
        "suspension_reason": pension.suspension_reason,
        "suspended_from": pension.suspended_from,
        "end_period": pension.end_period,
        "settled_through": pension.settled_through,
        "certified_on": pension.certified_on,
        "award": award,
        "rates": list(pension.rates.order_by("effective_period", "id")),
    }


@router.post(
    "/retirement-applications/preview",
    response={200: PreviewOut, 400: ErrorOut, 404: ErrorOut},
    summary="What a retirement application would award: eligibility, contribution history "
    "and the pension with its trace. Writes nothing.",
)
def retirement_preview(request: HttpRequest, body: PreviewIn) -> Any:
    actor = actor_from_request(request, Channel.API)
    person = person_get(actor, body.person_id)
    if body.retirement_month is not None:
        period_validate(body.retirement_month)
    assessment = retirement_assess(
        person=person,
        request=RetirementRequest(
            group=body.group,
            item_code=body.item_code,
            retirement_month=body.retirement_month,
            deemed_months=body.deemed_months,
            agreement=body.agreement,
        ),
    )
    return assessment.as_json()
