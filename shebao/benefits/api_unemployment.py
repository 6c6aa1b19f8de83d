"""Unemployment benefit in the API: the preview of a registration and claim (eligibility,
maximum months with carry-over, amount and trace; nothing is written) and a person's claims
with their benefits."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from shebao.api.schemas import ErrorOut
from shebao.benefits.services.unemployment import (
    UnemploymentRequest,
    claims_of,
    months_paid,
    unemployment_assess,
)
from shebao.core.actors import actor_from_request
from shebao.core.masking import mask_resident_id
from shebao.core.models import Channel
from shebao.registry.selectors import person_get

router = Router(tags=["benefits"])


class ClaimPreviewIn(Schema):
    person_id: int
    separated_on: date
    separation_reason: str = Field(
        description="dismissal, contract_end, employer_closed, mutual_by_employer, "
        "forced_resignation (involuntary); resignation, mutual_by_employee are refused"
    )
    registered_on: date
    employer_id: int | None = None


class ClaimPreviewOut(Schema):
    request: dict[str, Any]
    figures: dict[str, Any]
    calculation: dict[str, Any]


class ClaimOut(Schema):
    id: int
    case_id: int | None
    registered_on: date
    separated_on: date
    separation_reason: str
    contribution_months: int
    entitled_months: int
    carried_months: int
    max_months: int
    monthly_fen: int
    benefit_id: int | None
    start_period: int | None
    end_period: int | None
    status: str
    stop_reason: str
    stop_period: int | None
    months_paid: int


class PersonUnemploymentOut(Schema):
    person_id: int
    resident_id: str
    name: str
    claims: list[ClaimOut]


@router.post(
    "/unemployment-claims/preview",
    response={200: ClaimPreviewOut, 400: ErrorOut, 404: ErrorOut},
    summary="What an unemployment registration and claim would award: contribution months, "
    "maximum months with carry-over, amount a month and the trace. Writes nothing.",
)
def unemployment_preview(request: HttpRequest, body: ClaimPreviewIn) -> Any:
    actor = actor_from_request(request, Channel.API)
    person = person_get(actor, body.person_id)
    assessment = unemployment_assess(
        person=person,
        request=UnemploymentRequest(
            separated_on=body.separated_on,
            separation_reason=body.separation_reason,
            registered_on=body.registered_on,
            employer_id=body.employer_id,
        ),
    )
    return assessment.as_json()


@router.get(
    "/persons/{person_id}/unemployment",
    response={200: PersonUnemploymentOut, 404: ErrorOut},
    summary="A person's unemployment claims, newest first, with each benefit's months, status "
    "and the months paid",
)
def person_unemployment(request: HttpRequest, person_id: int) -> Any:
    actor = actor_from_request(request, Channel.API)
    person = person_get(actor, person_id)
    claims = []
    for claim in claims_of(person):
        benefit = claim.benefit
        claims.append(
            {
                "id": claim.pk,
                "case_id": claim.case_id,
                "registered_on": claim.registered_on,
                "separated_on": claim.separated_on,
                "separation_reason": claim.separation_reason,
                "contribution_months": claim.contribution_months,
                "entitled_months": claim.entitled_months,
                "carried_months": claim.carried_months,
                "max_months": claim.max_months,
                "monthly_fen": claim.monthly_fen,
                "benefit_id": benefit.pk if benefit else None,
                "start_period": benefit.start_period if benefit else None,
                "end_period": benefit.end_period if benefit else None,
                "status": benefit.status if benefit else "",
                "stop_reason": benefit.stop_reason if benefit else "",
                "stop_period": benefit.stop_period if benefit else None,
                "months_paid": months_paid(benefit) if benefit else 0,
            }
        )
    return {
        "person_id": person.pk,
        "resident_id": mask_resident_id(person.resident_id),
        "name": person.name,
        "claims": claims,
    }
