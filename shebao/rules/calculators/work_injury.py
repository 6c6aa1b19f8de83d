"""Work-injury benefits (工伤保险待遇): the own-wage clamp, disability benefits by level,
the nursing allowance, and the benefits on death at work (工伤保险条例 arts. 34–39, 64;
rules.md §7)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from shebao.core.errors import RuleViolation, register_rule
from shebao.core.money import round_to_fen
from shebao.rules.params import ParamValue
from shebao.rules.trace import Result, Trace

_REG = "工伤保险条例"

register_rule(
    "WI-LEVEL-UNKNOWN",
    "伤残等级“{level}”无效：应为 1 至 10 级。",
    "Unknown disability level '{level}': expected 1 to 10.",
    f"{_REG} art. 22",
)
register_rule(
    "WI-DEPENDENCE-UNKNOWN",
    "生活自理障碍等级“{dependence}”无效：应为 {allowed} 之一。",
    "Unknown dependence level '{dependence}': expected one of {allowed}.",
    f"{_REG} arts. 22, 34",
)
register_rule(
    "WI-OWN-WAGE-CLAMP",
    "本人工资低于统筹地区职工平均工资60%的按60%计算，高于300%的按300%计算",
    "Own wage is clamped to [60%, 300%] of the regional average wage",
    f"{_REG} art. 64",
    kind="calculation",
)
register_rule(
    "WI-DISABILITY-SUBSIDY",
    "一次性伤残补助金 = 本人工资 × 伤残等级对应月数，四舍五入到分",
    "One-time disability subsidy = own wage × the months for the level, rounded half-up",
    f"{_REG} arts. 35–37",
    kind="calculation",
)
register_rule(
    "WI-DISABILITY-ALLOWANCE",
    "伤残津贴 = 本人工资 × 伤残等级对应比例（一至四级由基金支付，五、六级由用人单位支付；"
    "七至十级无伤残津贴）",
    "Disability allowance = own wage × the level's share (levels 1–4 paid by the fund, "
    "5–6 by the employer; none for 7–10)",
    f"{_REG} arts. 35, 36",
    kind="calculation",
)
register_rule(
    "WI-ALLOWANCE-TOP-UP",
    "伤残津贴实际金额低于当地最低工资标准的，补足差额",
    "A disability allowance below the local minimum wage is topped up to it",
    f"{_REG} arts. 35, 36",
    kind="calculation",
)
register_rule(
    "WI-NURSING-ALLOWANCE",
    "生活护理费 = 统筹地区上年度职工月平均工资 × 生活自理障碍等级对应比例（50%/40%/30%）",
    "Nursing allowance = regional previous-year average monthly wage × 50/40/30% by "
    "dependence level",
    f"{_REG} art. 34",
    kind="calculation",
)


@dataclass(frozen=True)
class OwnWageLimits:
    """The regional average monthly wage and the art. 64 floor and cap ratios."""

    average_wage: ParamValue
    floor_ratio: ParamValue
    cap_ratio: ParamValue


@dataclass(frozen=True)
class DisabilityRules:
    subsidy_months: ParamValue
    allowance_ratio: ParamValue
    fund_max_level: ParamValue
    nursing_ratio: ParamValue


@dataclass(frozen=True)
class DisabilityBenefits:
    own_wage_clamped: Decimal
    one_time_subsidy: Decimal
    monthly_allowance: Decimal
    allowance_payer: str  # fund | employer | none
    topped_up: bool
    nursing_allowance: Decimal | None  # None when no dependence level was assessed


def clamp_own_wage(own_wage: Decimal, limits: OwnWageLimits, trace: Trace) -> Decimal:
    """Own wage (本人工资) within [floor, cap] × the regional average, rounded to the fen."""
    average = limits.average_wage.decimal()
    floor = round_to_fen(average * limits.floor_ratio.decimal())
    cap = round_to_fen(average * limits.cap_ratio.decimal())
    clamped = round_to_fen(min(max(own_wage, floor), cap))
    trace.add(
        "WI-OWN-WAGE-CLAMP",
        f"{own_wage} within [{floor}, {cap}]",
        clamped,
        limits.average_wage.ref,
        limits.floor_ratio.ref,
        limits.cap_ratio.ref,
    )
    return clamped


def has_allowance(level: int, allowance_ratio: ParamValue) -> bool:
    """Whether a level carries a monthly disability allowance (levels 1–6)."""
    return str(level) in allowance_ratio.table()


def disability_benefits(
    *,
    level: int,
    own_wage: Decimal,
    dependence: str | None,
    limits: OwnWageLimits,
    rules: DisabilityRules,
    minimum_wage: ParamValue | None,
) -> Result[DisabilityBenefits]:
    """Benefits of a disability level (伤残待遇); ``minimum_wage`` is needed for levels 1–6."""
    months_table = rules.subsidy_months.table()
    if str(level) not in months_table:
        raise RuleViolation("WI-LEVEL-UNKNOWN", level=level)
    nursing_table = rules.nursing_ratio.table()
    if dependence is not None and dependence not in nursing_table:
        raise RuleViolation(
            "WI-DEPENDENCE-UNKNOWN", dependence=dependence, allowed=", ".join(nursing_table)
        )
    trace = Trace()
    clamped = clamp_own_wage(own_wage, limits, trace)
    months = months_table[str(level)]
    subsidy = round_to_fen(clamped * months)
    trace.add(
        "WI-DISABILITY-SUBSIDY",
        f"{clamped} × {months} (level {level})",
        subsidy,
        rules.subsidy_months.ref,
    )
    allowance, payer, topped_up = _allowance(level, clamped, rules, minimum_wage, trace)
    nursing = None
    if dependence is not None:
        ratio = nursing_table[dependence]
        nursing = round_to_fen(limits.average_wage.decimal() * ratio)
        trace.add(
            "WI-NURSING-ALLOWANCE",
            f"{limits.average_wage.value} × {ratio} ({dependence})",
            nursing,
            limits.average_wage.ref,
            rules.nursing_ratio.ref,
        )
    benefits = DisabilityBenefits(clamped, subsidy, allowance, payer, topped_up, nursing)
    return Result(benefits, trace)


def _allowance(
    level: int,
    clamped: Decimal,
    rules: DisabilityRules,
    minimum_wage: ParamValue | None,
    trace: Trace,
) -> tuple[Decimal, str, bool]:
    if not has_allowance(level, rules.allowance_ratio):
        trace.add("WI-DISABILITY-ALLOWANCE", f"level {level}: no allowance", Decimal("0.00"))
        return Decimal("0.00"), "none", False
    if minimum_wage is None:
        raise ValueError("levels with an allowance need the local minimum wage")
    ratio = rules.allowance_ratio.table()[str(level)]
    payer = "fund" if level <= rules.fund_max_level.integer() else "employer"
    allowance = round_to_fen(clamped * ratio)
    trace.add(
        "WI-DISABILITY-ALLOWANCE",
        f"{clamped} × {ratio}, paid by the {payer}",
        allowance,
        rules.allowance_ratio.ref,
        rules.fund_max_level.ref,
    )
    floor = minimum_wage.decimal()
    topped_up = allowance < floor
    if topped_up:
        allowance = round_to_fen(floor)
    trace.add(
        "WI-ALLOWANCE-TOP-UP",
        f"max(allowance, minimum wage {minimum_wage.value})",
        allowance,
        minimum_wage.ref,
    )
    return allowance, payer, topped_up


# --- death at work (因工死亡) ------------------------------------------------------------------

register_rule(
    "WI-RELATION-UNKNOWN",
    "供养亲属关系“{relation}”无效：应为 {allowed} 之一。",
    "Unknown dependant relation '{relation}': expected one of {allowed}.",
    f"{_REG} art. 39(2); 因工死亡职工供养亲属范围规定",
)
register_rule(
    "WI-DEATH-SUBSIDY",
    "一次性工亡补助金 = 上一年度全国城镇居民人均可支配收入 × 20",
    "One-time death subsidy = previous-year national urban per-capita disposable income × 20",
    f"{_REG} art. 39(3)",
    kind="calculation",
)
register_rule(
    "WI-FUNERAL-SUBSIDY",
    "丧葬补助金 = 统筹地区上年度职工月平均工资 × 6",
    "Funeral subsidy = regional previous-year average monthly wage × 6",
    f"{_REG} art. 39(1)",
    kind="calculation",
)
register_rule(
    "WI-SURVIVOR-PENSION",
    "供养亲属抚恤金 = 本人工资 × 比例（配偶40%，其他亲属30%；孤寡老人或孤儿加10%），四舍五入到分",
    "Survivor pension = own wage × share (spouse 40%, other dependants 30%; +10% for a lone "
    "elderly person or an orphan), rounded half-up to the fen",
    f"{_REG} art. 39(2)",
    kind="calculation",
)
register_rule(
    "WI-SURVIVOR-CAP",
    "抚恤金之和不得高于工亡职工本人工资；超过时按各人比例分配本人工资（按分取整，余数按最大余额法分配）",
    "The survivor pensions together may not exceed the own wage; above it, the own wage is "
    "shared in proportion to each share (to the fen, leftover fen by largest remainder)",
    f"{_REG} art. 39(2)",
    kind="calculation",
)


@dataclass(frozen=True)
class Dependant:
    """A relative the deceased supported (供养亲属)."""

    relation: str  # spouse | child | parent | other
    orphan: bool = False
    lone_elderly: bool = False


@dataclass(frozen=True)
class DeathAtWorkRules:
    subsidy_income: ParamValue
    subsidy_multiple: ParamValue
    funeral_months: ParamValue
    survivor_ratio: ParamValue
    lone_extra: ParamValue
    total_cap_ratio: ParamValue


@dataclass(frozen=True)
class SurvivorPension:
    relation: str
    ratio: Decimal  # the share of own wage before any cap
    amount: Decimal


@dataclass(frozen=True)
class DeathAtWorkBenefits:
    own_wage_clamped: Decimal
    one_time_subsidy: Decimal
    funeral_subsidy: Decimal
    survivor_pensions: tuple[SurvivorPension, ...]
    survivor_total: Decimal
    capped: bool


def death_at_work_benefits(
    *,
    own_wage: Decimal,
    dependants: Sequence[Dependant],
    limits: OwnWageLimits,
    rules: DeathAtWorkRules,
) -> Result[DeathAtWorkBenefits]:
    """Benefits to the family of a worker who died at work (工亡待遇)."""
    ratios = [survivor_ratio(d, rules) for d in dependants]
    trace = Trace()
    subsidy = round_to_fen(rules.subsidy_income.decimal() * rules.subsidy_multiple.integer())
    trace.add(
        "WI-DEATH-SUBSIDY",
        f"{rules.subsidy_income.value} × {rules.subsidy_multiple.value}",
        subsidy,
        rules.subsidy_income.ref,
        rules.subsidy_multiple.ref,
    )
    funeral = round_to_fen(limits.average_wage.decimal() * rules.funeral_months.integer())
    trace.add(
        "WI-FUNERAL-SUBSIDY",
        f"{limits.average_wage.value} × {rules.funeral_months.value}",
        funeral,
        limits.average_wage.ref,
        rules.funeral_months.ref,
    )
    clamped = clamp_own_wage(own_wage, limits, trace)
    amounts = [round_to_fen(clamped * ratio) for ratio in ratios]
    trace.add(
        "WI-SURVIVOR-PENSION",
        f"{clamped} × [{', '.join(format(r, 'f') for r in ratios)}]",
        ", ".join(format(a, "f") for a in amounts),
        rules.survivor_ratio.ref,
        rules.lone_extra.ref,
    )
    cap = round_to_fen(clamped * rules.total_cap_ratio.decimal())
    # Checked on the rounded amounts, so rounding can never lift the total above the cap.
    capped = sum(amounts, Decimal("0.00")) > cap
    if capped:
        amounts = share_out(cap, ratios)
    total = sum(amounts, Decimal("0.00"))
    trace.add(
        "WI-SURVIVOR-CAP",
        f"total within {cap}" + (", shared in proportion" if capped else ""),
        total,
        rules.total_cap_ratio.ref,
    )
    pensions = tuple(
        SurvivorPension(d.relation, r, a)
        for d, r, a in zip(dependants, ratios, amounts, strict=True)
    )
    return Result(DeathAtWorkBenefits(clamped, subsidy, funeral, pensions, total, capped), trace)


def survivor_ratio(dependant: Dependant, rules: DeathAtWorkRules) -> Decimal:
    """The dependant's share of own wage: by relation, +10% for an orphan or lone elderly person.

    Orphan and lone elderly do not add up: the regulation adds 10% once for either.
    """
    table = rules.survivor_ratio.table()
    if dependant.relation not in table:
        raise RuleViolation(
            "WI-RELATION-UNKNOWN", relation=dependant.relation, allowed=", ".join(table)
        )
    extra = rules.lone_extra.decimal() if dependant.orphan or dependant.lone_elderly else 0
    return Decimal(table[dependant.relation]) + extra


def share_out(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights``, to the fen, summing exactly to ``total``.

    Each share is first cut down to the whole fen; the fen left over go one each to the
    largest cut-off remainders, the earlier dependant first on a tie (largest-remainder
    method). Rounding each share half-up instead could overshoot the total by a fen.
    """
    total_fen = int(total.scaleb(2))
    weight_sum = sum(weights, Decimal(0))
    exact = [total_fen * w / weight_sum for w in weights]
    fen = [int(e) for e in exact]
    leftover = total_fen - sum(fen)
    by_remainder = sorted(range(len(weights)), key=lambda i: (fen[i] - exact[i], i))
    for i in by_remainder[:leftover]:
        fen[i] += 1
    return [Decimal(f).scaleb(-2) for f in fen]
