from __future__ import annotations

from django.utils import timezone

from shebao.core.errors import RuleViolation, register_rule
from shebao.core.periods import period_of
from shebao.rules.calc import (
    Payload,
    money,
    read_date,
    read_item,
    read_list,
    read_money,
    read_month,
    register_calc,
)
from shebao.rules.calculators.transfer import MonthlyBase, transfer_out
from shebao.rules.params import NATIONAL, ParameterSource

register_rule(
    "TRF-PERIOD-AFTER-TRANSFER",
    "缴费月份 {month} 晚于转移日期 {on}。",
    "The month {month} is after the transfer date {on}.",
    "国办发〔2009〕66号 art. 3",
)


@register_calc("transfer", "Transfer out of the province: whole account + 12% pooled part")
def transfer_calc(payload: Payload, source: ParameterSource) -> Payload:
    account_balance = read_money(payload, "account_balance")
    # The transfer date picks the rules in force; without one, the transfer is as of today.
    on = read_date(payload, "on") if payload.get("on") is not None else timezone.localdate()
    items = read_list(payload, "monthly_bases")
    monthly_bases = []
    for i in range(len(items)):
        period = read_month(
            read_item(items, i, "monthly_bases", "period"), f"monthly_bases[{i}].period"
        )
        if period > period_of(on):
            raise RuleViolation(
                "TRF-PERIOD-AFTER-TRANSFER",
                month=f"{period // 100:04d}-{period % 100:02d}",
                on=on.isoformat(),
            )
        # An actual base is a wage in whole fen; read_money refuses a fraction of a fen.
        base = read_money(read_item(items, i, "monthly_bases", "base"), f"monthly_bases[{i}].base")
        monthly_bases.append(MonthlyBase(period=period, base=base))
    result = transfer_out(
        account_balance=account_balance,
        monthly_bases=monthly_bases,
        pooled_rate=source.lookup("transfer.pooled_rate", NATIONAL, on),
        pooled_start=source.lookup("transfer.pooled_start", NATIONAL, on),
    )
    outcome = result.value
    return {
        "on": on.isoformat(),
        "account": money(outcome.account),
        "pooled": money(outcome.pooled),
        "total": money(outcome.total),
        "months_counted": outcome.months_counted,
        "months_ignored": outcome.months_ignored,
        **result.trace_dict(),
    }
