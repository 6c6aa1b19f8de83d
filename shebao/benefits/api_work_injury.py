"""Work injuries in the API: one injury with its own wage, assessments, benefits, medical
claims and cases, and the preview of the disability benefits of an assessment (writes
nothing). Scope as on the pages: an injury outside the caller's subtree answers 404."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from shebao.api.schemas import ErrorOut
from shebao.benefits.models import Benefit
from shebao.benefits.services.work_injury import injury_cases, injury_get, own_wage_calculation
from shebao.benefits.services.work_injury_benefits import disability_assess
from shebao.core.actors import actor_from_request
from shebao.core.masking import mask_resident_id
from shebao.core.models import Channel
from shebao.core.permissions import OutOfScope

router = Router(tags=["benefits"])


class AssessmentOut(Schema):
    id: int
    conclusion_no: str
    concluded_on: date
    level: int
    dependence: str


class InjuryBenefitOut(Schema):
    id: int
    kind: str
    payer: str
    payee_name: str
    payee_resident_id: str
    payee_relation: str
    start_period: int
    end_period: int | None
    stop_period: int | None
    monthly_fen: int
    status: str
    case_id: int | None


class MedicalClaimOut(Schema):
    id: int
    claimed_fen: int
    allowed_fen: int
    items: list[dict[str, Any]]
    case_id: int | None
    benefit_id: int | None


class InjuryCaseOut(Schema):
    id: int
    receipt_no: str
    item: str
    status: str


class InjuryOut(Schema):
    id: int
    decision_no: str
    decided_on: date
    injured_on: date
    person_id: int
    name: str
    resident_id: str
    employer_id: int
    employer: str
    agency: str
    description: str
    fatal: bool
    died_on: date | None
    own_wage_fen: int | None
    own_wage: dict[str, Any]
    assessments: list[AssessmentOut]
    benefits: list[InjuryBenefitOut]
    medical_claims: list[MedicalClaimOut]
    cases: list[InjuryCaseOut]


class DisabilityPreviewIn(Schema):
    assessment_id: int
    suitable_work: bool = False


class DisabilityPreviewOut(Schema):
    figures: dict[str, Any]
    calculation: dict[str, Any]


def _benefit(benefit: Benefit) -> dict[str, Any]:
    return {
        "id": benefit.pk,
        "kind": benefit.kind,
        "payer": benefit.payer,
        "payee_name": benefit.payee_name,
        "payee_resident_id": mask_resident_id(benefit.payee_resident_id),
        "payee_relation": benefit.payee_relation,
        "start_period": benefit.start_period,
        "end_period": benefit.end_period,
        "stop_period": benefit.stop_period,
        "monthly_fen": benefit.monthly_fen,
        "status": benefit.status,
        "case_id": benefit.case_id,
    }


@router.get(
    "/injuries/{injury_id}",
    response={200: InjuryOut, 404: ErrorOut},
    summary="A work injury: the recognition, the own wage with its trace, the assessments, "
    "the benefits, the medical claims and the cases",
)
def injury_detail(request: HttpRequest, injury_id: int) -> Any:
    actor = actor_from_request(request, Channel.API)
    injury = injury_get(actor, injury_id)
    benefits = Benefit.objects.filter(person=injury.person, source=f"injury:{injury.pk}")
    return {
        "id": injury.pk,
        "decision_no": injury.decision_no,
        "decided_on": injury.decided_on,
        "injured_on": injury.injured_on,
        "person_id": injury.person_id,
        "name": injury.person.name,
        "resident_id": mask_resident_id(injury.person.resident_id),
        "employer_id": injury.employer_id,
        "employer": injury.employer.name,
        "agency": injury.agency.code,
        "description": injury.description,
        "fatal": injury.fatal,
        "died_on": injury.died_on,
        "own_wage_fen": injury.own_wage_fen,
        "own_wage": own_wage_calculation(injury),
        "assessments": list(injury.assessments.order_by("concluded_on", "id")),
        "benefits": [_benefit(b) for b in benefits.order_by("pk")],
        "medical_claims": list(injury.medical_claims.order_by("id")),
        "cases": [
            {"id": c.pk, "receipt_no": c.receipt_no, "item": c.item.code, "status": c.status}
            for c in injury_cases(injury)
        ],
    }


@router.post(
    "/injuries/{injury_id}/disability-preview",
    response={200: DisabilityPreviewOut, 400: ErrorOut, 404: ErrorOut},
    summary="The disability benefits of one of the injury's assessments (one-time subsidy, "
    "allowance and payer, nursing allowance) with the trace. Writes nothing.",
)
def injury_disability_preview(
    request: HttpRequest, injury_id: int, body: DisabilityPreviewIn
) -> Any:
    actor = actor_from_request(request, Channel.API)
    injury = injury_get(actor, injury_id)
    assessment = injury.assessments.filter(pk=body.assessment_id).first()
    if assessment is None:
        raise OutOfScope()
    return disability_assess(
        injury=injury, assessment=assessment, suitable_work=body.suitable_work
    ).as_json()
