"""Death benefits in the API: what a deceased participant's family is due (the funeral subsidy,
survivor payment, pension owed to the estate, the account to inherit) and a preview of the
death-benefit claim. Reads only: the claims themselves are reviewed cases."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Router, Schema

from shebao.api.schemas import ErrorOut
from shebao.benefits.models import Death
from shebao.benefits.services.benefits import funeral_grant_of
from shebao.benefits.services.death_benefits import (
    death_benefit_assess,
    death_benefit_case_of,
    death_benefits_of,
    paying_agency,
)
from shebao.benefits.services.inheritance import inheritance_assess, open_inheritance_case
from shebao.core.actors import actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.models import Channel
from shebao.core.permissions import OutOfScope, PermissionRefused, ensure_in_scope
from shebao.registry.models import Person
from shebao.registry.selectors import person_get

router = Router(tags=["benefits"])


class ClaimPreviewIn(Schema):
    person_id: int
    deemed_months: int | None = None


class RefusalOut(Schema):
    code: str
    detail: str


class DeathBenefitOut(Schema):
    status: str
    died_on: str
    contribution_months: int
    deemed_months: int
    months_drawn: int
    income_base_fen: int
    own_contributions_fen: int | None
    funeral_fen: int
    survivor_months: str
    survivor_fen: int
    capped_by_own_contributions: bool
    estate_months: list[int]
    estate_fen: int
    total_fen: int
    trace: list[dict[str, Any]]


class InheritanceOut(Schema):
    status: str
    balance_fen: int
    interest_fen: int
    payout_fen: int
    amount_fen: int


class GrantedOut(Schema):
    id: int
    scheme: str
    kind: str
    source: str
    payee_name: str
    amount_fen: int
    status: str


class DeathBenefitsOut(Schema):
    person: int
    died_on: str | None
    death_source: str | None
    case: dict[str, Any] | None
    death_benefit: DeathBenefitOut | None
    death_benefit_refusal: RefusalOut | None
    inheritance: InheritanceOut | None
    inheritance_refusal: RefusalOut | None
    inheritance_case: dict[str, Any] | None
    funeral_granted: GrantedOut | None
    granted: list[GrantedOut]


def _refusal(exc: RuleViolation) -> dict[str, str]:
    if isinstance(exc, OutOfScope | PermissionRefused):
        raise exc
    return {"code": exc.code, "detail": exc.message(get_language())}


def _person(request: HttpRequest, person_id: int) -> Person:
    actor = actor_from_request(request, Channel.API)
    person = person_get(actor, person_id)
    ensure_in_scope(actor, paying_agency(person))
    return person


def _case(case: Any) -> dict[str, Any] | None:
    if case is None:
        return None
    return {"id": case.pk, "receipt_no": case.receipt_no, "status": case.status}


def _granted(benefit: Any) -> dict[str, Any]:
    return {
        "id": benefit.pk,
        "scheme": benefit.scheme,
        "kind": benefit.kind,
        "source": benefit.source,
        "payee_name": benefit.payee_name,
        "amount_fen": benefit.monthly_fen,
        "status": benefit.status,
    }


@router.get(
    "/persons/{person_id}/death-benefits",
    response={200: DeathBenefitsOut, 403: ErrorOut, 404: ErrorOut},
    summary="What a deceased participant's family is due: survivor benefits and the account",
)
def death_benefits_get(request: HttpRequest, person_id: int) -> Any:
    person = _person(request, person_id)
    death = Death.objects.filter(person=person).first()
    case = death_benefit_case_of(person)
    body: dict[str, Any] = {
        "person": person.pk,
        "died_on": death.died_on.isoformat() if death else None,
        "death_source": death.source if death else None,
        "case": _case(case),
        "death_benefit": None,
        "death_benefit_refusal": None,
        "inheritance": None,
        "inheritance_refusal": None,
        "inheritance_case": _case(open_inheritance_case(person)),
        "funeral_granted": None,
        "granted": [_granted(b) for b in death_benefits_of(person)],
    }
    granted = funeral_grant_of(person)
    if granted is not None:
        body["funeral_granted"] = _granted(granted)
    deemed = None
    if case is not None and case.data.get("claim"):
        deemed = case.data["claim"].get("deemed_months")
    try:
        body["death_benefit"] = death_benefit_assess(person=person, deemed_months=deemed).as_json()
    except RuleViolation as exc:
        body["death_benefit_refusal"] = _refusal(exc)
    try:
        body["inheritance"] = inheritance_assess(person=person).as_json()
    except RuleViolation as exc:
        body["inheritance_refusal"] = _refusal(exc)
    return body


@router.post(
    "/death-benefit-claims/preview",
    response={200: DeathBenefitOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Preview a death-benefit claim (funeral subsidy, survivor payment, estate months)",
)
def death_benefit_claim_preview(request: HttpRequest, payload: ClaimPreviewIn) -> Any:
    person = _person(request, payload.person_id)
    return death_benefit_assess(person=person, deemed_months=payload.deemed_months).as_json()
