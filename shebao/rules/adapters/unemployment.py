"""JSON adapter of the unemployment benefit calculator (rules.md §6)."""

from __future__ import annotations

from shebao.core.errors import RULES
from shebao.rules.calc import (
    Payload,
    money,
    read_bool,
    read_date,
    read_int,
    read_region,
    register_calc,
)
from shebao.rules.calculators.unemployment import (
    UnemploymentClaim,
    UnemploymentRules,
    unemployment_benefit,
    unmet_conditions,
)
from shebao.rules.params import ParameterSource


@register_calc(
    "unemployment", "Unemployment benefit: eligibility, maximum months (carry-over, cap 24), amount"
)
def unemployment_calc(payload: Payload, source: ParameterSource) -> Payload:
    region = read_region(payload, source)
    on = read_date(payload, "on")
    claim = UnemploymentClaim(
        contribution_months=read_int(payload, "contribution_months"),
        involuntary=read_bool(payload, "involuntary"),
        registered=read_bool(payload, "registered"),
        carried_over_months=read_int(payload, "carried_over_months")
        if "carried_over_months" in payload
        else 0,
    )
    rules = UnemploymentRules(
        min_contribution_months=source.lookup("unemployment.min_contribution_months", region, on),
        max_months_by_years=source.lookup("unemployment.max_months_by_years", region, on),
        max_months_cap=source.lookup("unemployment.max_months_cap", region, on),
    )
    # The amount's parameters are only looked up for an eligible claim: the minimum wage is
    # unpublished (null) before 2025-12-01 in our sources, yet a refusal can still be explained.
    eligible = not unmet_conditions(claim, rules.min_contribution_months)
    result = unemployment_benefit(
        claim=claim,
        rules=rules,
        minimum_wage=source.lookup("wage.minimum_monthly", region, on) if eligible else None,
        benefit_ratio=source.lookup("unemployment.benefit_ratio", region, on) if eligible else None,
    )
    benefit = result.value
    return {
        "eligible": benefit.eligible,
        "max_months": benefit.max_months,
        "monthly_amount": money(benefit.monthly_amount),
        "reasons": [
            {
                "code": code,
                "message_zh": RULES[code].message_zh,
                "message_en": RULES[code].message_en,
            }
            for code in benefit.unmet
        ],
        **result.trace_dict(),
    }
