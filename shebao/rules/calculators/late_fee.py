"""Late fee (滞纳金): 0.05% of the unpaid contributions for each day past the due date
(社会保险法 art. 86)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from shebao.core.errors import register_rule
from shebao.core.money import round_to_fen
from shebao.rules.params import ParamValue
from shebao.rules.trace import Result, Trace

register_rule(
    "LATE-DAYS",
    "滞纳天数 = 实际缴纳日 − 应缴日（按日计算，不早于应缴日）",
    "Days late = payment date − due date (calendar days, never negative)",
    "社会保险法 art. 86",
    kind="calculation",
)
register_rule(
    "LATE-FEE",
    "滞纳金 = 欠缴金额 × 日滞纳金比例 × 滞纳天数，四舍五入到分",
    "Late fee = unpaid amount × daily rate × days late, rounded half-up to the fen",
    "社会保险法 art. 86",
    kind="calculation",
)


@dataclass(frozen=True)
class LateFee:
    days: int
    late_fee: Decimal


def late_fee(*, amount: Decimal, due: date, paid: date, daily_rate: ParamValue) -> Result[LateFee]:
    trace = Trace()
    days = max((paid - due).days, 0)
    trace.add("LATE-DAYS", f"{paid} − {due}", days)
    fee = round_to_fen(amount * daily_rate.decimal() * days)
    trace.add("LATE-FEE", f"{amount} × {daily_rate.value} × {days}", fee, daily_rate.ref)
    return Result(LateFee(days=days, late_fee=fee), trace)
