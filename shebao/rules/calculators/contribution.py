"""Contributions (社会保险费): base clamping, employer and individual amounts per scheme, the
individual-account credit, flexible employment (灵活就业), the 110% rule for an employer that
does not declare, and the employer's work-injury rate by risk class (rules.md §1, §2.1).

Each amount is base × rate rounded half-up to the fen on its own (rules.md §1.5); a split of
one amount into parts (the flexible worker's account and pooled shares) is made so that the
parts add up to the amount paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shebao.core.errors import RuleViolation, register_rule
from shebao.core.money import round_to_fen
from shebao.rules.params import ParamValue
from shebao.rules.trace import ParamRef, Result, Trace

_CALC = "calculation"
register_rule(
    "CON-BASE-CLAMP",
    "缴费基数 = 申报工资，低于下限按下限、高于上限按上限核定",
    "Contribution base = declared wage clamped to the published floor and cap",
    "社会保险费征缴暂行条例; 鄂人社发〔2025〕28号",
    kind=_CALC,
)
register_rule(
    "CON-PENSION-EMPLOYER",
    "养老保险单位缴费 = 缴费基数 × 单位缴费比例，四舍五入到分",
    "Employer pension = base × employer rate, rounded half-up to the fen",
    "社会保险法 art. 12; 国办发〔2019〕13号",
    kind=_CALC,
)
register_rule(
    "CON-PENSION-INDIVIDUAL",
    "养老保险个人缴费 = 缴费基数 × 个人缴费比例，四舍五入到分",
    "Employee pension = base × individual rate, rounded half-up to the fen",
    "社会保险法 art. 12; 国发〔2005〕38号",
    kind=_CALC,
)
register_rule(
    "CON-UNEMPLOYMENT-EMPLOYER",
    "失业保险单位缴费 = 缴费基数 × 单位缴费比例，四舍五入到分",
    "Employer unemployment = base × employer rate, rounded half-up to the fen",
    "失业保险条例 art. 6",
    kind=_CALC,
)
register_rule(
    "CON-UNEMPLOYMENT-INDIVIDUAL",
    "失业保险个人缴费 = 缴费基数 × 个人缴费比例，四舍五入到分",
    "Employee unemployment = base × individual rate, rounded half-up to the fen",
    "失业保险条例 art. 6",
    kind=_CALC,
)
register_rule(
    "CON-WI-RATE",
    "工伤保险费率 = 行业基准费率 × 经办机构确定的浮动档次",
    "Work-injury rate = base rate of the risk class × the floating tier the agency fixed",
    "工伤保险条例 art. 8; 人社部发〔2015〕71号",
    kind=_CALC,
)
register_rule(
    "CON-WI-EMPLOYER",
    "工伤保险单位缴费 = 缴费基数 × 工伤保险费率，四舍五入到分；个人不缴费",
    "Employer work injury = base × work-injury rate, rounded half-up to the fen; no employee share",
    "社会保险法 art. 33; 工伤保险条例 art. 10",
    kind=_CALC,
)
register_rule(
    "CON-ACCOUNT-CREDIT",
    "记入个人账户 = 缴费基数 × 个人账户记账比例，四舍五入到分；单位缴费不记入",
    "Account credit = base × account credit rate, rounded half-up; employer money is not credited",
    "社会保险法 art. 14; 国发〔2005〕38号",
    kind=_CALC,
)
register_rule(
    "CON-POOLED",
    "记入统筹基金 = 养老保险缴费合计 − 记入个人账户部分",
    "Pooled fund share = pension paid − account credit",
    "社会保险法 art. 12; 国发〔2005〕38号",
    kind=_CALC,
)
register_rule(
    "CON-FLEX-PENSION",
    "灵活就业人员养老保险缴费 = 自选缴费基数 × 缴费比例，四舍五入到分；不缴失业、工伤保险",
    "Flexible worker's pension = chosen base × rate, rounded half-up; "
    "no unemployment or work-injury contribution",
    "社会保险法 art. 10; 国发〔2005〕38号",
    kind=_CALC,
)
register_rule(
    "CON-UNDECLARED-DUE",
    "未按规定申报的用人单位，按上月缴费额的110%确定应缴数额，四舍五入到分",
    "An employer that does not declare owes 110% of its previous month's amount, rounded half-up",
    "社会保险法 art. 62",
    kind=_CALC,
)
register_rule(
    "CON-FLEX-BASE-RANGE",
    "灵活就业人员自选缴费基数 {base} 不在当期上下限 [{floor}, {cap}] 之内。",
    "The flexible worker's chosen base {base} is outside this period's floor and cap "
    "[{floor}, {cap}].",
    "社会保险法 art. 10; 鄂人社发〔2025〕28号",
)
register_rule(
    "CON-WI-CLASS-UNKNOWN",
    "行业风险类别 {risk_class} 不存在（应为 {classes}）。",
    "Risk class {risk_class} does not exist (expected one of {classes}).",
    "人社部发〔2015〕71号",
)
register_rule(
    "CON-WI-TIER-NOT-ALLOWED",
    "{risk_class}类行业不能适用 {tier}% 的浮动档次（可选：{allowed}）。",
    "Floating tier {tier}% is not allowed for risk class {risk_class} (allowed: {allowed}).",
    "工伤保险条例 art. 8; 人社部发〔2015〕71号",
)


@dataclass(frozen=True)
class BaseBounds:
    """Floor and cap of the contribution base (缴费基数上下限) in force, as published."""

    floor: ParamValue
    cap: ParamValue


@dataclass(frozen=True)
class EmployeeRates:
    pension_employer: ParamValue
    pension_individual: ParamValue
    unemployment_employer: ParamValue
    unemployment_individual: ParamValue
    account_credit: ParamValue


@dataclass(frozen=True)
class FlexibleRates:
    pension: ParamValue
    account_credit: ParamValue


@dataclass(frozen=True)
class WorkInjuryTables:
    base_rates: ParamValue
    tiers_class_1: ParamValue
    tiers_class_2_to_8: ParamValue


@dataclass(frozen=True)
class WorkInjuryRate:
    """The employer's work-injury rate (工伤保险费率) and where it came from."""

    rate: Decimal
    basis: str
    refs: tuple[ParamRef, ...] = ()


@dataclass(frozen=True)
class Contribution:
    base: Decimal
    pension_employer: Decimal
    pension_individual: Decimal
    unemployment_employer: Decimal
    unemployment_individual: Decimal
    work_injury_employer: Decimal
    account_credit: Decimal
    pooled: Decimal

    @property
    def total(self) -> Decimal:
        return (
            self.pension_employer
            + self.pension_individual
            + self.unemployment_employer
            + self.unemployment_individual
            + self.work_injury_employer
        )


def _clamp(declared: Decimal, bounds: BaseBounds, trace: Trace) -> Decimal:
    floor, cap = bounds.floor.decimal(), bounds.cap.decimal()
    if floor > cap:
        raise ValueError(f"base floor {floor} is above the cap {cap}: the parameters are wrong")
    base = min(max(declared, floor), cap)
    trace.add(
        "CON-BASE-CLAMP",
        f"{declared} within [{floor}, {cap}]",
        base,
        bounds.floor.ref,
        bounds.cap.ref,
    )
    return base


def base_clamp(*, declared_wage: Decimal, bounds: BaseBounds) -> Result[Decimal]:
    """The verified base (核定缴费基数) of a declared wage: clamped to the floor and cap."""
    trace = Trace()
    return Result(_clamp(declared_wage, bounds, trace), trace)


def _share(trace: Trace, rule: str, base: Decimal, rate: ParamValue) -> Decimal:
    amount = round_to_fen(base * rate.decimal())
    trace.add(rule, f"{base} × {rate.value}", amount, rate.ref)
    return amount


def employee_contribution(
    *,
    declared_wage: Decimal,
    bounds: BaseBounds,
    rates: EmployeeRates,
    work_injury: WorkInjuryRate | None,
) -> Result[Contribution]:
    """An employee's monthly contributions; ``work_injury`` None means the rate is not known
    (the employer amount is then 0.00 and the trace says so)."""
    trace = Trace()
    base = _clamp(declared_wage, bounds, trace)
    pension_employer = _share(trace, "CON-PENSION-EMPLOYER", base, rates.pension_employer)
    pension_individual = _share(trace, "CON-PENSION-INDIVIDUAL", base, rates.pension_individual)
    unemployment_employer = _share(
        trace, "CON-UNEMPLOYMENT-EMPLOYER", base, rates.unemployment_employer
    )
    unemployment_individual = _share(
        trace, "CON-UNEMPLOYMENT-INDIVIDUAL", base, rates.unemployment_individual
    )
    if work_injury is None:
        work_injury_employer = Decimal("0.00")
        trace.add(
            "CON-WI-EMPLOYER", "no work-injury rate given: not computed", work_injury_employer
        )
    else:
        work_injury_employer = round_to_fen(base * work_injury.rate)
        trace.add(
            "CON-WI-EMPLOYER",
            f"{base} × {work_injury.rate} ({work_injury.basis})",
            work_injury_employer,
            *work_injury.refs,
        )
    account_credit = _share(trace, "CON-ACCOUNT-CREDIT", base, rates.account_credit)
    # Employer pension money is pooled whole (rules.md §2.1); the employee's goes to the account.
    trace.add("CON-POOLED", "employer pension, not credited", pension_employer)
    contribution = Contribution(
        base=base,
        pension_employer=pension_employer,
        pension_individual=pension_individual,
        unemployment_employer=unemployment_employer,
        unemployment_individual=unemployment_individual,
        work_injury_employer=work_injury_employer,
        account_credit=account_credit,
        pooled=pension_employer,
    )
    return Result(contribution, trace)


def flexible_contribution(
    *, chosen_base: Decimal, bounds: BaseBounds, rates: FlexibleRates
) -> Result[Contribution]:
    """A flexible worker's monthly pension contribution on the base the person chose.

    The base is refused, not clamped, outside [floor, cap]: the person chooses it, and paying
    on another base than the one asked for would surprise them.
    """
    floor, cap = bounds.floor.decimal(), bounds.cap.decimal()
    if not floor <= chosen_base <= cap:
        raise RuleViolation("CON-FLEX-BASE-RANGE", base=chosen_base, floor=floor, cap=cap)
    trace = Trace()
    base = _clamp(chosen_base, bounds, trace)
    pension = round_to_fen(base * rates.pension.decimal())
    trace.add(
        "CON-FLEX-PENSION",
        f"{base} × {rates.pension.value}; no unemployment or work-injury contribution",
        pension,
        rates.pension.ref,
    )
    account_credit = _share(trace, "CON-ACCOUNT-CREDIT", base, rates.account_credit)
    pooled = pension - account_credit
    trace.add("CON-POOLED", f"{pension} − {account_credit}", pooled)
    zero = Decimal("0.00")
    contribution = Contribution(
        base=base,
        pension_employer=zero,
        pension_individual=pension,
        unemployment_employer=zero,
        unemployment_individual=zero,
        work_injury_employer=zero,
        account_credit=account_credit,
        pooled=pooled,
    )
    return Result(contribution, trace)


def work_injury_rate(
    *, risk_class: int, floating_tier: int, tables: WorkInjuryTables
) -> Result[WorkInjuryRate]:
    """The employer's rate from its industry risk class (1–8) and floating tier (a percent)."""
    base_rates = tables.base_rates.table()
    if str(risk_class) not in base_rates:
        raise RuleViolation(
            "CON-WI-CLASS-UNKNOWN", risk_class=risk_class, classes=", ".join(base_rates)
        )
    tiers_param = tables.tiers_class_1 if risk_class == 1 else tables.tiers_class_2_to_8
    tiers = tiers_param.table()
    if str(floating_tier) not in tiers:
        raise RuleViolation(
            "CON-WI-TIER-NOT-ALLOWED",
            risk_class=risk_class,
            tier=floating_tier,
            allowed=", ".join(f"{tier}%" for tier in tiers),
        )
    base_rate, multiplier = base_rates[str(risk_class)], tiers[str(floating_tier)]
    rate = (base_rate * multiplier).normalize()
    trace = Trace()
    refs = (tables.base_rates.ref, tiers_param.ref)
    trace.add("CON-WI-RATE", f"class {risk_class}: {base_rate} × {multiplier}", rate, *refs)
    basis = f"class {risk_class} at {floating_tier}% of {base_rate}"
    return Result(WorkInjuryRate(rate=rate, basis=basis, refs=refs), trace)


def max_work_injury_rate(tables: WorkInjuryTables) -> Decimal:
    """The highest rate any employer can be fixed at (highest base rate × highest tier)."""
    highest_tier = max(
        [*tables.tiers_class_1.table().values(), *tables.tiers_class_2_to_8.table().values()]
    )
    return max(tables.base_rates.table().values()) * highest_tier


def undeclared_due(*, previous_due: Decimal, factor: ParamValue) -> Result[Decimal]:
    """The amount due from an employer that did not declare: 110% of last month's."""
    trace = Trace()
    due = round_to_fen(previous_due * factor.decimal())
    trace.add("CON-UNDECLARED-DUE", f"{previous_due} × {factor.value}", due, factor.ref)
    return Result(due, trace)
