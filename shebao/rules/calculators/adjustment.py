"""Yearly basic pension adjustment (养老金调整) of a retiree.

The nation sets an overall rate each year; the province splits it into a flat amount (定额调整),
amounts linked to the person's pension and to whole contribution years (挂钩调整), and extras
for older retirees (倾斜调整) (rules.md §5). The increase is rounded half-up to the fen once,
after summing the parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shebao.core.errors import RuleViolation, register_rule
from shebao.core.money import round_to_fen
from shebao.rules.params import ParamValue
from shebao.rules.trace import Result, Trace

_BASIS = "人力资源社会保障部 财政部 yearly notice on adjusting basic pensions; province's rules"

register_rule(
    "ADJ-AGE-EXTRAS-INVALID",
    "参数 adjustment.age_extras 应为“周岁: 金额”，请管理员更正。",
    "Parameter adjustment.age_extras must map whole years of age to amounts; "
    "an administrator must correct it.",
)
register_rule(
    "ADJ-OVERALL-RATE",
    "对照：全国总体调整水平",
    "For reference: the national overall adjustment rate",
    _BASIS,
    kind="calculation",
)
register_rule(
    "ADJ-FLAT",
    "定额调整：每人相同的增加金额",
    "Flat part: the same amount for every retiree",
    _BASIS,
    kind="calculation",
)
register_rule(
    "ADJ-PROPORTIONAL",
    "挂钩调整：本人月基本养老金 × 调整比例",
    "Proportional part: current monthly pension × rate",
    _BASIS,
    kind="calculation",
)
register_rule(
    "ADJ-CONTRIBUTION-YEARS",
    "挂钩调整：每满1年缴费年限（含视同缴费年限）增加的金额 × 缴费年限（整年）",
    "Contribution-year part: amount per year × whole contribution years (deemed included)",
    _BASIS,
    kind="calculation",
)
register_rule(
    "ADJ-AGE-EXTRA",
    "倾斜调整：按本人年龄取不超过其年龄的最高一档额外金额（不累加）",
    "Age extra: the amount of the highest age row not above the person's age (not cumulative)",
    _BASIS,
    kind="calculation",
)
register_rule(
    "ADJ-INCREASE",
    "调整额 = 定额 + 挂钩（养老金）+ 挂钩（缴费年限）+ 倾斜，四舍五入到分",
    "Increase = flat + proportional + contribution-year + age extra, rounded half-up to the fen",
    _BASIS,
    kind="calculation",
)
register_rule(
    "ADJ-NEW-PENSION",
    "调整后养老金 = 调整前养老金 + 调整额",
    "New pension = current pension + increase",
    _BASIS,
    kind="calculation",
)


@dataclass(frozen=True)
class AdjustmentParams:
    overall_rate: ParamValue  # national, for reference only
    flat_amount: ParamValue
    proportional_rate: ParamValue
    per_contribution_year: ParamValue
    age_extras: ParamValue  # table: minimum age in years → monthly amount

    @property
    def split(self) -> tuple[ParamValue, ...]:
        return (
            self.flat_amount,
            self.proportional_rate,
            self.per_contribution_year,
            self.age_extras,
        )


@dataclass(frozen=True)
class Adjustment:
    increase: Decimal
    new_pension: Decimal
    contribution_years: int
    overall_rate: Decimal
    split_verified: bool  # False while any part of the province's split is an unverified default


def age_extra(age_years: int, extras: ParamValue) -> Decimal:
    """The amount of the highest row whose age is not above ``age_years``; 0 below every row."""
    rows: dict[int, Decimal] = {}
    for minimum_age, amount in extras.table().items():
        if not minimum_age.isdigit() or isinstance(amount, bool):
            raise RuleViolation("ADJ-AGE-EXTRAS-INVALID")
        rows[int(minimum_age)] = Decimal(amount)
    reached = [minimum_age for minimum_age in rows if minimum_age <= age_years]
    return rows[max(reached)] if reached else Decimal(0)


def pension_adjustment(
    *,
    current_pension: Decimal,
    contribution_months: int,
    age_years: int,
    params: AdjustmentParams,
) -> Result[Adjustment]:
    trace = Trace()
    overall = params.overall_rate
    trace.add("ADJ-OVERALL-RATE", "national overall rate", overall.value, overall.ref)

    flat = params.flat_amount.decimal()
    trace.add("ADJ-FLAT", "flat amount", flat, params.flat_amount.ref)

    rate = params.proportional_rate
    proportional = current_pension * rate.decimal()
    trace.add("ADJ-PROPORTIONAL", f"{current_pension} × {rate.value}", proportional, rate.ref)

    years = contribution_months // 12
    per_year = params.per_contribution_year
    seniority = per_year.decimal() * years
    trace.add("ADJ-CONTRIBUTION-YEARS", f"{per_year.value} × {years}", seniority, per_year.ref)

    extra = age_extra(age_years, params.age_extras)
    trace.add("ADJ-AGE-EXTRA", f"age {age_years}", extra, params.age_extras.ref)

    increase = round_to_fen(flat + proportional + seniority + extra)
    trace.add("ADJ-INCREASE", f"{flat} + {proportional} + {seniority} + {extra}", increase)
    new_pension = current_pension + increase
    trace.add("ADJ-NEW-PENSION", f"{current_pension} + {increase}", new_pension)
    return Result(
        Adjustment(
            increase=increase,
            new_pension=new_pension,
            contribution_years=years,
            overall_rate=overall.decimal(),
            split_verified=all(p.confidence == "verified" for p in params.split),
        ),
        trace,
    )
