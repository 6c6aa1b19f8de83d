"""JSON adapter of the death benefit calculator for pension participants (rules.md §8)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from shebao.rules.calc import (
    Payload,
    money,
    read_choice,
    read_date,
    read_decimal,
    read_int,
    register_calc,
)
from shebao.rules.calculators.death_benefit import STATUSES, DeathBenefitRules, death_benefit
from shebao.rules.params import NATIONAL, ParameterSource

_SHANGHAI = ZoneInfo("Asia/Shanghai")


@register_calc(
    "death-benefit",
    "Death of a pension participant: funeral subsidy and survivor payment (人社部发〔2021〕18号)",
)
def death_benefit_calc(payload: Payload, source: ParameterSource) -> Payload:
    status = read_choice(payload, "status", STATUSES)
    contribution_months = read_int(payload, "contribution_months")
    # A working member has drawn no pension; for a retiree the months drawn must be given.
    months_drawn = (
        read_int(payload, "months_drawn") if status == "retired" or "months_drawn" in payload else 0
    )
    base = read_decimal(payload, "monthly_income_base")
    own_contributions = (
        read_decimal(payload, "own_contributions")
        if payload.get("own_contributions") is not None
        else None
    )
    # The rules are national; the date of death picks the version (today when not given).
    on = read_date(payload, "on") if "on" in payload else datetime.now(_SHANGHAI).date()
    rules = DeathBenefitRules(
        funeral_months=source.lookup("death.funeral_subsidy_months", NATIONAL, on),
        months_by_years=source.lookup("death.survivor_months_by_years", NATIONAL, on),
        extra_from_years=source.lookup("death.survivor_extra_from_years", NATIONAL, on),
        months_per_extra_year=source.lookup("death.survivor_months_per_extra_year", NATIONAL, on),
        years_cap=source.lookup("death.survivor_years_cap", NATIONAL, on),
        retiree_floor=source.lookup("death.retiree_survivor_months_floor", NATIONAL, on),
        own_contributions_cap_below_years=source.lookup(
            "death.own_contributions_cap_below_years", NATIONAL, on
        ),
    )
    result = death_benefit(
        status=status,
        contribution_months=contribution_months,
        months_drawn=months_drawn,
        monthly_income_base=base,
        own_contributions=own_contributions,
        rules=rules,
    )
    benefit = result.value
    return {
        "funeral_subsidy": money(benefit.funeral_subsidy),
        "survivor_months": format(benefit.survivor_months, "f"),
        "survivor_payment": money(benefit.survivor_payment),
        "capped_by_own_contributions": benefit.capped_by_own_contributions,
        **result.trace_dict(),
    }
