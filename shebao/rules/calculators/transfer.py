"""Transfer out of the province (跨省转移接续) of a pension relation (国办发〔2009〕66号 art. 3):
the whole individual account moves, and the pooled fund (统筹基金) sends 12% of the actual
contribution base of each month from 1998-01 on (part years by month; rules.md §2.6)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from shebao.core.errors import RuleViolation, register_rule
from shebao.core.money import round_to_fen
from shebao.core.periods import period_of
from shebao.rules.params import ParamValue
from shebao.rules.trace import Result, Trace

_BASIS = "国办发〔2009〕66号 art. 3"
register_rule(
    "TRF-ACCOUNT",
    "个人账户储存额全部转移",
    "The whole individual account balance moves",
    _BASIS,
    kind="calculation",
)
register_rule(
    "TRF-POOLED-START",
    "统筹基金转移只计算1998年1月起各月的实际缴费基数，此前月份不计",
    "Only months from 1998-01 on count for the pooled-fund transfer; earlier months are ignored",
    _BASIS,
    kind="calculation",
)
register_rule(
    "TRF-POOLED",
    "统筹基金转移额 = 各月实际缴费基数之和 × 12%，四舍五入到分",
    "Pooled-fund transfer = sum of the actual monthly bases × 12%, rounded half-up to the fen",
    _BASIS,
    kind="calculation",
)
register_rule(
    "TRF-TOTAL",
    "转移资金合计 = 个人账户储存额 + 统筹基金转移额",
    "Transfer total = account balance + pooled-fund transfer",
    _BASIS,
    kind="calculation",
)
register_rule(
    "TRF-PERIOD-DUPLICATE",
    "缴费月份 {month} 重复出现；每月只能计算一次。",
    "The month {month} appears more than once; each month counts once.",
    _BASIS,
)


@dataclass(frozen=True)
class MonthlyBase:
    """The actual contribution base (实际缴费工资) of one paid period (YYYYMM)."""

    period: int
    base: Decimal


@dataclass(frozen=True)
class TransferOut:
    account: Decimal
    pooled: Decimal
    total: Decimal
    months_counted: int
    months_ignored: int


def transfer_out(
    *,
    account_balance: Decimal,
    monthly_bases: Sequence[MonthlyBase],
    pooled_rate: ParamValue,
    pooled_start: ParamValue,
) -> Result[TransferOut]:
    seen: set[int] = set()
    for item in monthly_bases:
        if item.period in seen:
            month = f"{item.period // 100:04d}-{item.period % 100:02d}"
            raise RuleViolation("TRF-PERIOD-DUPLICATE", month=month)
        seen.add(item.period)
    trace = Trace()
    trace.add("TRF-ACCOUNT", "account balance", account_balance)
    start = period_of(pooled_start.value)
    counted = [item for item in monthly_bases if item.period >= start]
    ignored = len(monthly_bases) - len(counted)
    trace.add(
        "TRF-POOLED-START",
        f"{len(counted)} months from {start // 100}-{start % 100:02d} counted, "
        f"{ignored} earlier months ignored",
        len(counted),
        pooled_start.ref,
    )
    bases_total = sum((item.base for item in counted), Decimal(0))
    # Rounded once, on the sum: 66号 defines the transfer as 12% of the total of the actual
    # bases ("按12%的总和转移") and sends one amount, so rounding each month would drift from
    # it by up to half a fen a month.
    pooled = round_to_fen(bases_total * pooled_rate.decimal())
    trace.add("TRF-POOLED", f"{bases_total} × {pooled_rate.value}", pooled, pooled_rate.ref)
    total = account_balance + pooled
    trace.add("TRF-TOTAL", f"{account_balance} + {pooled}", total)
    outcome = TransferOut(
        account=account_balance,
        pooled=pooled,
        total=total,
        months_counted=len(counted),
        months_ignored=ignored,
    )
    return Result(outcome, trace)
