from __future__ import annotations

from datetime import date

from shebao.rules.calc import (
    Payload,
    invalid,
    money,
    read_bool,
    read_choice,
    read_decimal,
    read_int,
    read_money,
    read_month,
    read_region,
    register_calc,
)
from shebao.rules.calculators.contribution import (
    BaseBounds,
    EmployeeRates,
    FlexibleRates,
    WorkInjuryRate,
    WorkInjuryTables,
    employee_contribution,
    flexible_contribution,
    max_work_injury_rate,
    undeclared_due,
    work_injury_rate,
)
from shebao.rules.params import ParameterSource
from shebao.rules.trace import Result, Trace

KINDS = ("employee", "flexible")
_WORK_INJURY_FIELDS = ("work_injury_rate", "risk_class", "floating_tier")


@register_calc("contribution", "Monthly contributions of an employee or flexible worker")
def contribution_calc(payload: Payload, source: ParameterSource) -> Payload:
    region = read_region(payload, source)
    period = read_month(payload, "period")
    on = date(period // 100, period % 100, 1)
    head = {"region": region, "period": f"{on:%Y-%m}"}
    if read_bool(payload, "undeclared", default=False):
        return {**head, **_undeclared(payload, source, region, on)}
    kind = read_choice(payload, "kind", KINDS)
    declared_wage = read_money(payload, "declared_wage")
    bounds = BaseBounds(
        floor=source.lookup("contribution.base.floor", region, on),
        cap=source.lookup("contribution.base.cap", region, on),
    )
    account_rate = source.lookup("account.credit_rate", region, on)
    if kind == "flexible":
        for field in _WORK_INJURY_FIELDS:
            if payload.get(field) is not None:
                raise invalid(field, "nothing: a flexible worker pays no work-injury contribution")
        rates = FlexibleRates(
            pension=source.lookup("contribution.flexible.pension_rate", region, on),
            account_credit=account_rate,
        )
        result = flexible_contribution(chosen_base=declared_wage, bounds=bounds, rates=rates)
    else:
        employee_rates = EmployeeRates(
            pension_employer=source.lookup("contribution.pension.employer_rate", region, on),
            pension_individual=source.lookup("contribution.pension.individual_rate", region, on),
            unemployment_employer=source.lookup(
                "contribution.unemployment.employer_rate", region, on
            ),
            unemployment_individual=source.lookup(
                "contribution.unemployment.individual_rate", region, on
            ),
            account_credit=account_rate,
        )
        rate_steps, work_injury = _work_injury(payload, source, region, on)
        result = employee_contribution(
            declared_wage=declared_wage,
            bounds=bounds,
            rates=employee_rates,
            work_injury=work_injury,
        )
        result = Result(result.value, Trace([*rate_steps.steps, *result.trace.steps]))
    amounts = result.value
    return {
        **head,
        "kind": kind,
        "base": money(amounts.base),
        "pension": {
            "employer": money(amounts.pension_employer),
            "individual": money(amounts.pension_individual),
        },
        "unemployment": {
            "employer": money(amounts.unemployment_employer),
            "individual": money(amounts.unemployment_individual),
        },
        "work_injury": {"employer": money(amounts.work_injury_employer)},
        "account_credit": money(amounts.account_credit),
        "pooled": money(amounts.pooled),
        "total": money(amounts.total),
        **result.trace_dict(),
    }


def _work_injury(
    payload: Payload, source: ParameterSource, region: str, on: date
) -> tuple[Trace, WorkInjuryRate | None]:
    """The employer's work-injury rate: given as fixed by the agency, or from the risk class and
    floating tier; neither means unknown (the amount is then 0.00, and the trace says so)."""
    given = payload.get("work_injury_rate") is not None
    by_class = payload.get("risk_class") is not None or payload.get("floating_tier") is not None
    if not given and not by_class:
        return Trace(), None
    if given and by_class:
        raise invalid(
            "work_injury_rate", "either work_injury_rate or risk_class with floating_tier"
        )
    tables = WorkInjuryTables(
        base_rates=source.lookup("contribution.work_injury.base_rates", region, on),
        tiers_class_1=source.lookup("contribution.work_injury.floating_tiers.class_1", region, on),
        tiers_class_2_to_8=source.lookup(
            "contribution.work_injury.floating_tiers.class_2_to_8", region, on
        ),
    )
    if by_class:
        risk_class = read_int(payload, "risk_class", minimum=1)
        floating_tier = read_int(payload, "floating_tier", minimum=1)
        result = work_injury_rate(risk_class=risk_class, floating_tier=floating_tier, tables=tables)
        return result.trace, result.value
    rate = read_decimal(payload, "work_injury_rate")
    highest = max_work_injury_rate(tables)
    # A rate above any class's highest tier is a typing slip ("0.7" for 0.7%), not a rate.
    if rate > highest:
        raise invalid("work_injury_rate", f'a fraction not above {highest}, e.g. "0.007" for 0.7%')
    return Trace(), WorkInjuryRate(rate=rate, basis="rate fixed by the agency (input)")


def _undeclared(payload: Payload, source: ParameterSource, region: str, on: date) -> Payload:
    previous_due = read_money(payload, "previous_due")
    factor = source.lookup("contribution.undeclared.due_factor", region, on)
    result = undeclared_due(previous_due=previous_due, factor=factor)
    return {
        "undeclared": True,
        "previous_due": money(previous_due),
        "undeclared_due": money(result.value),
        **result.trace_dict(),
    }
