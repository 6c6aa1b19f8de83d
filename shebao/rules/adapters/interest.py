from __future__ import annotations

from datetime import date

from shebao.rules.calc import (
    Payload,
    money,
    read_int,
    read_item,
    read_list,
    read_money,
    read_month,
    register_calc,
)
from shebao.rules.calculators.interest import MonthlyCredit, account_interest
from shebao.rules.params import NATIONAL, ParameterSource


@register_calc("interest", "A year's interest on the individual account (monthly-product method)")
def interest_calc(payload: Payload, source: ParameterSource) -> Payload:
    year = read_int(payload, "year", minimum=1950, maximum=2100)
    opening = read_money(payload, "opening_balance")
    items = read_list(payload, "credits") if "credits" in payload else []
    credits = [
        MonthlyCredit(
            period=read_month(read_item(items, i, "credits", "month"), f"credits[{i}].month"),
            amount=read_money(read_item(items, i, "credits", "amount"), f"credits[{i}].amount"),
        )
        for i in range(len(items))
    ]
    # The rate in force at the end of the year: the year's own once published, else the latest.
    rate = source.lookup("account.crediting_rate", NATIONAL, date(year, 12, 31))
    result = account_interest(year=year, opening=opening, credits=credits, rate=rate)
    outcome = result.value
    return {
        "year": year,
        "rate": format(outcome.rate, "f"),
        "rate_year": outcome.rate_year,
        "provisional": outcome.provisional,
        "opening_balance": money(opening),
        "credits_total": money(outcome.credits_total),
        "interest_on_opening": money(outcome.interest_on_opening),
        "interest_on_credits": money(outcome.interest_on_credits),
        "interest": money(outcome.interest),
        "closing_balance": money(outcome.closing_balance),
        **result.trace_dict(),
    }
