from __future__ import annotations

from datetime import date

from django.utils import timezone

from shebao.core.errors import RuleViolation
from shebao.rules.calc import Payload, age, month, read_date, read_month, register_calc
from shebao.rules.calculators.retirement import (
    GROUPS,
    RetirementParams,
    group_param_key,
    statutory_retirement,
)
from shebao.rules.params import NATIONAL, ParameterSource

# Births whose every output month (up to 66 years later) stays a valid period.
FIRST_BIRTH = 190001
LAST_BIRTH = 203012


def _read_birth(payload: Payload) -> int:
    if payload.get("birth") is None:
        raise RuleViolation("CALC-INPUT-MISSING", field="birth")
    bounds = {"first": month(FIRST_BIRTH), "last": month(LAST_BIRTH)}
    try:
        birth = read_month(payload, "birth")
    except RuleViolation:
        raise RuleViolation("RET-BIRTH-INVALID", value=payload["birth"], **bounds) from None
    if not FIRST_BIRTH <= birth <= LAST_BIRTH:
        raise RuleViolation("RET-BIRTH-INVALID", value=payload["birth"], **bounds)
    return birth


def _read_group(payload: Payload) -> str:
    group = payload.get("group")
    if group is None:
        raise RuleViolation("CALC-INPUT-MISSING", field="group")
    if group not in GROUPS:
        raise RuleViolation("RET-GROUP-UNKNOWN", group=group, allowed=", ".join(GROUPS))
    return str(group)


def retirement_params(source: ParameterSource, group: str, on: date) -> RetirementParams:
    return RetirementParams(
        group=source.lookup(group_param_key(group), NATIONAL, on),
        reform_start=source.lookup("retirement.reform_start", NATIONAL, on),
        max_early_months=source.lookup("retirement.flexible.max_early_months", NATIONAL, on),
        max_late_months=source.lookup("retirement.flexible.max_late_months", NATIONAL, on),
        min_contribution_months=source.lookup("retirement.min_contribution_months", NATIONAL, on),
    )


@register_calc(
    "retirement",
    "Statutory retirement age and month (2024 reform), minimum contribution months, "
    "flexible early/late window",
)
def retirement_calc(payload: Payload, source: ParameterSource) -> Payload:
    birth = _read_birth(payload)
    group = _read_group(payload)
    # The rules in force on `on` (today unless given) decide every birth cohort: the 2024
    # decision itself says who is not delayed.
    on = read_date(payload, "on") if payload.get("on") is not None else timezone.localdate()
    result = statutory_retirement(birth=birth, params=retirement_params(source, group, on))
    outcome = result.value
    return {
        "original_age": age(outcome.original_age_months),
        "original_month": month(outcome.original_month),
        "delay_months": outcome.delay_months,
        "max_delay_months": outcome.max_delay_months,
        "age": age(outcome.age_months),
        "retirement_month": month(outcome.retirement_month),
        "min_contribution_months": outcome.min_contribution_months,
        "earliest_age": age(outcome.earliest_age_months),
        "earliest_month": month(outcome.earliest_month),
        "latest_age": age(outcome.latest_age_months),
        "latest_month": month(outcome.latest_month),
        **result.trace_dict(),
    }
