"""JSON adapters of the work-injury calculators: disability and death at work (rules.md §7)."""

from __future__ import annotations

from datetime import date

from shebao.core.errors import RuleViolation
from shebao.rules.calc import (
    Payload,
    invalid,
    money,
    read_date,
    read_decimal,
    read_int,
    read_list,
    read_region,
    register_calc,
)
from shebao.rules.calculators.work_injury import (
    DeathAtWorkRules,
    Dependant,
    DisabilityRules,
    OwnWageLimits,
    death_at_work_benefits,
    disability_benefits,
    has_allowance,
)
from shebao.rules.params import ParameterSource


def _own_wage_limits(source: ParameterSource, region: str, on: date) -> OwnWageLimits:
    # The regulation's "regional average monthly wage" (统筹地区职工平均工资, the previous year's)
    # is the reference average wage Hubei publishes each year for its city tiers: the same
    # figure behind the contribution base floor and cap. Its value in force on a date is the
    # previous year's average, which is what arts. 34, 39 and 64 ask for.
    return OwnWageLimits(
        average_wage=source.lookup("wage.reference_average_monthly", region, on),
        floor_ratio=source.lookup("work_injury.own_wage_floor_ratio", region, on),
        cap_ratio=source.lookup("work_injury.own_wage_cap_ratio", region, on),
    )


@register_calc(
    "work-injury-disability",
    "Work-injury disability: one-time subsidy, monthly allowance and payer, nursing allowance",
)
def work_injury_disability_calc(payload: Payload, source: ParameterSource) -> Payload:
    region = read_region(payload, source)
    on = read_date(payload, "on")
    level = read_int(payload, "level", minimum=None)
    own_wage = read_decimal(payload, "own_wage")
    dependence = payload.get("dependence")
    rules = DisabilityRules(
        subsidy_months=source.lookup("work_injury.disability_subsidy_months", region, on),
        allowance_ratio=source.lookup("work_injury.disability_allowance_ratio", region, on),
        fund_max_level=source.lookup("work_injury.allowance_fund_max_level", region, on),
        nursing_ratio=source.lookup("work_injury.nursing_allowance_ratio", region, on),
    )
    limits = _own_wage_limits(source, region, on)
    # Levels 7–10 have no allowance, so they need no minimum wage (unpublished before
    # 2025-12-01 in our sources).
    needs_minimum_wage = has_allowance(level, rules.allowance_ratio)
    result = disability_benefits(
        level=level,
        own_wage=own_wage,
        dependence=None if dependence is None else str(dependence),
        limits=limits,
        rules=rules,
        minimum_wage=source.lookup("wage.minimum_monthly", region, on)
        if needs_minimum_wage
        else None,
    )
    benefits = result.value
    return {
        "own_wage_clamped": money(benefits.own_wage_clamped),
        "one_time_subsidy": money(benefits.one_time_subsidy),
        "monthly_allowance": money(benefits.monthly_allowance),
        "allowance_payer": benefits.allowance_payer,
        "topped_up": benefits.topped_up,
        "nursing_allowance": (
            None if benefits.nursing_allowance is None else money(benefits.nursing_allowance)
        ),
        **result.trace_dict(),
    }


@register_calc(
    "work-injury-death",
    "Death at work: one-time death subsidy, funeral subsidy, survivor pensions (capped)",
)
def work_injury_death_calc(payload: Payload, source: ParameterSource) -> Payload:
    region = read_region(payload, source)
    year = read_int(payload, "year_of_death", minimum=1900, maximum=2200)
    own_wage = read_decimal(payload, "own_wage")
    dependants = [_dependant(item, i) for i, item in enumerate(read_list(payload, "dependants"))]
    # The year of death picks every figure: the income and the average wage "of the previous
    # year" are the values in force on 1 January of that year.
    on = date(year, 1, 1)
    rules = DeathAtWorkRules(
        subsidy_income=source.lookup("work_injury.death_subsidy_income", region, on),
        subsidy_multiple=source.lookup("work_injury.death_subsidy_multiple", region, on),
        funeral_months=source.lookup("work_injury.funeral_subsidy_months", region, on),
        survivor_ratio=source.lookup("work_injury.survivor_pension_ratio", region, on),
        lone_extra=source.lookup("work_injury.survivor_pension_lone_extra", region, on),
        total_cap_ratio=source.lookup("work_injury.survivor_total_cap_ratio", region, on),
    )
    limits = _own_wage_limits(source, region, on)
    result = death_at_work_benefits(
        own_wage=own_wage, dependants=dependants, limits=limits, rules=rules
    )
    benefits = result.value
    return {
        "own_wage_clamped": money(benefits.own_wage_clamped),
        "one_time_subsidy": money(benefits.one_time_subsidy),
        "funeral_subsidy": money(benefits.funeral_subsidy),
        "survivor_pensions": [
            {"relation": p.relation, "ratio": format(p.ratio, "f"), "amount": money(p.amount)}
            for p in benefits.survivor_pensions
        ],
        "survivor_total": money(benefits.survivor_total),
        "capped": benefits.capped,
        **result.trace_dict(),
    }


def _dependant(item: Payload, index: int) -> Dependant:
    where = f"dependants[{index}]"
    if item.get("relation") is None:
        raise RuleViolation("CALC-INPUT-MISSING", field=f"{where}.relation")
    return Dependant(
        relation=str(item["relation"]),
        orphan=_flag(item, where, "orphan"),
        lone_elderly=_flag(item, where, "lone_elderly"),
    )


def _flag(item: Payload, where: str, flag: str) -> bool:
    value = item.get(flag, False)
    if not isinstance(value, bool):
        raise invalid(f"{where}.{flag}", "true or false")
    return value
