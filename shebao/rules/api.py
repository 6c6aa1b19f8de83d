"""Rules endpoints: parameter lookup, the calculators, the rule catalogue."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.params import Body

from shebao.api.schemas import ErrorOut
from shebao.core.errors import RuleViolation
from shebao.rules.calc import load_calculators, run_calc
from shebao.rules.selectors import rule_catalogue, values_in_force
from shebao.rules.store import DatabaseParameters, value_to_json

router = Router(tags=["rules"])


class ParameterOut(Schema):
    key: str
    region_requested: str
    region: str
    effective_from: date
    value: Any
    unit: str
    reference: str
    confidence: str
    version: int


class RuleOut(Schema):
    code: str
    kind: str
    message_zh: str
    message_en: str
    basis: str


class CalcError(Schema):
    error: dict[str, str]


@router.get(
    "/parameters",
    response=list[ParameterOut],
    summary="Parameter values in force on a date (with the region fallback when a region is given)",
)
def parameters(
    request: HttpRequest, key: str = "", region: str = "", on: date | None = None
) -> list[dict[str, Any]]:
    on = on or timezone.localdate()
    if key and region:
        value = DatabaseParameters().lookup(key, region, on)
        found = [value]
    else:
        found = [row.value for row in values_in_force(on=on, key_prefix=key, region=region)]
    return [
        {
            "key": v.key,
            "region_requested": region or v.region,
            "region": v.region,
            "effective_from": v.effective_from,
            "value": value_to_json(v.value),
            "unit": v.unit,
            "reference": v.reference,
            "confidence": v.confidence,
            "version": v.version,
        }
        for v in found
    ]


@router.get("/calc", response=list[dict[str, str]], summary="The calculators")
def calculators(request: HttpRequest) -> list[dict[str, str]]:
    return [{"name": spec.name, "summary": spec.summary} for spec in load_calculators().values()]


@router.post(
    "/calc/{name}",
    # A refused calculation answers like `manage.py calc`; a body that is not JSON at all is
    # refused before the calculator runs, in the API's common error format.
    response={200: dict[str, Any], 400: CalcError | ErrorOut},
    summary="Run a calculator: the same JSON in and out as `manage.py calc`",
)
def calculate(
    request: HttpRequest, name: str, payload: Body[dict[str, Any]]
) -> Status[dict[str, Any]]:
    try:
        return Status(200, run_calc(name, payload, DatabaseParameters()))
    except RuleViolation as exc:
        return Status(400, calc_error(exc))


def calc_error(exc: RuleViolation) -> dict[str, Any]:
    return {
        "error": {
            "code": exc.code,
            "message": exc.message_en,
            "message_zh": exc.message_zh,
        }
    }


@router.get("/rules", response=list[RuleOut], summary="The rule catalogue")
def rules(request: HttpRequest, kind: str = "", prefix: str = "") -> list[dict[str, str]]:
    return [
        {
            "code": rule.code,
            "kind": rule.kind,
            "message_zh": rule.message_zh,
            "message_en": rule.message_en,
            "basis": rule.basis,
        }
        for rule in rule_catalogue(kind=kind, prefix=prefix.upper())
    ]
