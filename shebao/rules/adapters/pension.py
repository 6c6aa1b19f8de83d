from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from shebao.core.errors import RuleViolation
from shebao.rules.calc import (
    Payload,
    invalid,
    money,
    read_decimal,
    read_int,
    read_region,
    register_calc,
)
from shebao.rules.calculators.pension import (
    PensionClaim,
    PensionParams,
    pension_at_retirement,
)
from shebao.rules.params import ParameterSource, ParamValue

_AGE_EXPECTED = '{"years": Y, "months": M} with M from 0 to 11'
# A published base that is missing for the year is shown as null: it is for comparison only,
# the calculation uses the benefit_base given in the input.
_NOT_PUBLISHED = {"PARAM-VALUE-UNPUBLISHED", "PARAM-NO-VALUE", "PARAM-UNKNOWN-KEY"}


def read_age(payload: Payload, field: str) -> int:
    """An age ``{"years": Y, "months": M}`` as a number of months."""
    if payload.get(field) is None:
        raise RuleViolation("CALC-INPUT-MISSING", field=field)
    raw = payload[field]
    if not isinstance(raw, dict) or set(raw) != {"years", "months"}:
        raise invalid(field, _AGE_EXPECTED)
    years, months = raw["years"], raw["months"]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (years, months)):
        raise invalid(field, _AGE_EXPECTED)
    if not (0 <= years <= 120 and 0 <= months <= 11):
        raise invalid(field, _AGE_EXPECTED)
    return int(years) * 12 + int(months)


def _published_base(source: ParameterSource, region: str, year: int) -> ParamValue | None:
    try:
        return source.lookup("pension.benefit_base", region, date(year, 1, 1))
    except RuleViolation as refusal:
        if refusal.code in _NOT_PUBLISHED:
            return None
        raise


def _published_dict(published: ParamValue | None, year: int | None) -> dict[str, Any] | None:
    if published is None or year is None:
        return None
    return {
        "amount": money(published.decimal()),
        "effective_from": published.effective_from.isoformat(),
        # Until the year's base is published, the previous year's is used provisionally.
        "provisional": published.effective_from.year < year,
        "confidence": published.confidence,
    }


@register_calc(
    "pension",
    "Monthly pension at retirement: basic, individual-account, Hubei transitional, total",
)
def pension_calc(payload: Payload, source: ParameterSource) -> Payload:
    region = read_region(payload, source)
    claim = PensionClaim(
        benefit_base=read_decimal(payload, "benefit_base"),
        average_index=read_decimal(payload, "average_index"),
        contribution_months=read_int(payload, "contribution_months"),
        deemed_months=read_int(payload, "deemed_months"),
        account_balance=read_decimal(payload, "account_balance"),
        retirement_age_months=read_age(payload, "retirement_age"),
    )
    year = (
        read_int(payload, "year", minimum=1990, maximum=2100)
        if payload.get("year") is not None
        else None
    )
    on = date(year, 1, 1) if year is not None else timezone.localdate()
    params = PensionParams(
        basic_rate=source.lookup("pension.basic.rate_per_year", region, on),
        divisor_table=source.lookup("pension.divisor.table", region, on),
        divisor_rule=source.lookup("pension.divisor.part_year_rule", region, on),
        transitional_rate=source.lookup("pension.transitional.rate_per_year", region, on),
    )
    published = _published_base(source, region, year) if year is not None else None
    result = pension_at_retirement(claim=claim, params=params, published_base=published)
    outcome = result.value
    return {
        "basic": money(outcome.basic),
        "account": money(outcome.account),
        "transitional": money(outcome.transitional),
        "total": money(outcome.total),
        "divisor": outcome.divisor,
        "divisor_age_years": outcome.divisor_age_years,
        "published_benefit_base": _published_dict(published, year),
        **result.trace_dict(),
    }
