from __future__ import annotations

from shebao.rules.calc import Payload, invalid, money, read_date, read_decimal, register_calc
from shebao.rules.calculators.late_fee import late_fee
from shebao.rules.params import NATIONAL, ParameterSource


@register_calc("late-fee", "Late fee on unpaid contributions (0.05% a day)")
def late_fee_calc(payload: Payload, source: ParameterSource) -> Payload:
    amount = read_decimal(payload, "amount")
    due = read_date(payload, "due")
    paid = read_date(payload, "paid")
    if paid < due:
        raise invalid("paid", "a date not before 'due'")
    rate = source.lookup("collection.late_fee.daily_rate", NATIONAL, due)
    result = late_fee(amount=amount, due=due, paid=paid, daily_rate=rate)
    return {
        "days": result.value.days,
        "late_fee": money(result.value.late_fee),
        **result.trace_dict(),
    }
