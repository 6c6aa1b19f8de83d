from __future__ import annotations

from datetime import date

from shebao.rules.calc import Payload, money, read_decimal, read_int, read_region, register_calc
from shebao.rules.calculators.adjustment import AdjustmentParams, pension_adjustment
from shebao.rules.params import NATIONAL, ParameterSource


@register_calc(
    "adjustment",
    "Yearly pension adjustment: flat + proportional + per contribution year + age extras",
)
def adjustment_calc(payload: Payload, source: ParameterSource) -> Payload:
    region = read_region(payload, source)
    year = read_int(payload, "year", minimum=1990, maximum=2100)
    current_pension = read_decimal(payload, "current_pension")
    contribution_months = read_int(payload, "contribution_months")
    age_years = read_int(payload, "age", maximum=130)
    # Each year's adjustment applies from 1 January of that year.
    on = date(year, 1, 1)
    params = AdjustmentParams(
        overall_rate=source.lookup("adjustment.overall_rate", NATIONAL, on),
        flat_amount=source.lookup("adjustment.flat_amount", region, on),
        proportional_rate=source.lookup("adjustment.proportional_rate", region, on),
        per_contribution_year=source.lookup("adjustment.per_contribution_year", region, on),
        age_extras=source.lookup("adjustment.age_extras", region, on),
    )
    result = pension_adjustment(
        current_pension=current_pension,
        contribution_months=contribution_months,
        age_years=age_years,
        params=params,
    )
    outcome = result.value
    return {
        "increase": money(outcome.increase),
        "new_pension": money(outcome.new_pension),
        "contribution_years": outcome.contribution_years,
        "overall_rate": format(outcome.overall_rate, "f"),
        "split_verified": outcome.split_verified,
        **result.trace_dict(),
    }
