"""Monthly basic pension at retirement (基本养老金): basic pension (基础养老金), individual-account
pension (个人账户养老金) and Hubei's transitional pension (过渡性养老金).

Basis: 国发〔2005〕38号 (formula and divisor table); 鄂政发〔2006〕42号 (Hubei transitional
pension). Each part is rounded half-up to the fen; the total is the sum of the rounded parts
(rules.md §3).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shebao.core.errors import RuleViolation, register_rule
from shebao.core.money import round_to_fen
from shebao.rules.params import ParamValue
from shebao.rules.trace import Result, Trace

register_rule(
    "PEN-DEEMED-EXCEEDS-TOTAL",
    "视同缴费月数（{deemed}）不能多于全部缴费月数（{total}）。",
    "Deemed months ({deemed}) cannot exceed all contribution months ({total}).",
    "国发〔2005〕38号",
)
register_rule(
    "PEN-DIVISOR-AGE-OUT-OF-RANGE",
    "退休年龄 {age} 周岁不在计发月数表范围内（{first}–{last} 周岁）。",
    "Retirement age {age} is outside the divisor table ({first}–{last} years).",
    "国发〔2005〕38号 annex",
)
register_rule(
    "PEN-DIVISOR-RULE-UNKNOWN",
    "计发月数取法“{rule}”无法识别，请管理员更正参数 pension.divisor.part_year_rule。",
    "Unknown divisor rule '{rule}'; an administrator must correct pension.divisor.part_year_rule.",
)
register_rule(
    "PEN-DIVISOR-TABLE-INVALID",
    "参数 pension.divisor.table 应为“周岁: 整数月数”，请管理员更正。",
    "Parameter pension.divisor.table must map whole years to whole months; "
    "an administrator must correct it.",
)
register_rule(
    "PEN-BASIC",
    "基础养老金 = (计发基数 + 计发基数 × 平均缴费指数) ÷ 2 × 缴费年限 × 1%，"
    "缴费年限 = 缴费月数 ÷ 12（含视同缴费年限），四舍五入到分",
    "Basic pension = (B + B × I) ÷ 2 × N × 1%, N = contribution months ÷ 12 (deemed included), "
    "rounded half-up to the fen",
    "国发〔2005〕38号 item 6",
    kind="calculation",
)
register_rule(
    "PEN-DIVISOR",
    "计发月数按退休年龄查表（含月数的年龄按参数规定取值，默认按已满周岁）",
    "Divisor from the table by retirement age (an age with extra months per the parameter; "
    "default: completed whole years)",
    "国发〔2005〕38号 annex",
    kind="calculation",
)
register_rule(
    "PEN-ACCOUNT",
    "个人账户养老金 = 个人账户储存额 ÷ 计发月数，四舍五入到分",
    "Account pension = account balance ÷ divisor, rounded half-up to the fen",
    "国发〔2005〕38号 item 6",
    kind="calculation",
)
register_rule(
    "PEN-TRANSITIONAL",
    "过渡性养老金 = 计发基数 × 本人平均缴费指数 × 视同缴费年限 × 过渡系数，四舍五入到分",
    "Transitional pension = B × own average index × deemed years × coefficient, "
    "rounded half-up to the fen",
    "鄂政发〔2006〕42号",
    kind="calculation",
)
register_rule(
    "PEN-TOTAL",
    "基本养老金 = 基础养老金 + 个人账户养老金 + 过渡性养老金（各部分已取整到分）",
    "Pension = basic + account + transitional (each part already rounded to the fen)",
    "国发〔2005〕38号; 鄂政发〔2006〕42号",
    kind="calculation",
)
register_rule(
    "PEN-BENEFIT-BASE-PUBLISHED",
    "对照：本地区该年度公布的计发基数",
    "For comparison: the benefit base published for the region and year",
    "rules.md §3.4",
    kind="calculation",
)

COMPLETED_YEARS = "completed_years"


@dataclass(frozen=True)
class PensionParams:
    basic_rate: ParamValue
    divisor_table: ParamValue  # age in years → months
    divisor_rule: ParamValue  # how an age with extra months picks its row
    transitional_rate: ParamValue


@dataclass(frozen=True)
class PensionClaim:
    """What the person brings: the benefit base B applied, own index I, months, balance."""

    benefit_base: Decimal
    average_index: Decimal
    contribution_months: int  # all, deemed included
    deemed_months: int  # before the individual account opened (1996-01 in Hubei)
    account_balance: Decimal
    retirement_age_months: int


@dataclass(frozen=True)
class Pension:
    basic: Decimal
    account: Decimal
    transitional: Decimal
    total: Decimal
    divisor: int
    divisor_age_years: int
    published_benefit_base: Decimal | None


def divisor_for_age(age_months: int, table: ParamValue, rule: ParamValue) -> tuple[int, int]:
    """(age row used, divisor); refuses ages outside the table."""
    if rule.value != COMPLETED_YEARS:
        raise RuleViolation("PEN-DIVISOR-RULE-UNKNOWN", rule=rule.value)
    raw = table.table()
    if not all(
        age.isdigit() and isinstance(months, int) and months > 0 for age, months in raw.items()
    ):
        raise RuleViolation("PEN-DIVISOR-TABLE-INVALID")
    rows = {int(age): int(months) for age, months in raw.items()}
    years = age_months // 12
    if years not in rows:
        raise RuleViolation(
            "PEN-DIVISOR-AGE-OUT-OF-RANGE", age=years, first=min(rows), last=max(rows)
        )
    return years, rows[years]


def pension_at_retirement(
    *, claim: PensionClaim, params: PensionParams, published_base: ParamValue | None = None
) -> Result[Pension]:
    if claim.deemed_months > claim.contribution_months:
        raise RuleViolation(
            "PEN-DEEMED-EXCEEDS-TOTAL", deemed=claim.deemed_months, total=claim.contribution_months
        )
    trace = Trace()
    b, i = claim.benefit_base, claim.average_index
    if published_base is not None:
        trace.add(
            "PEN-BENEFIT-BASE-PUBLISHED",
            f"applied {b}, published {published_base.value}",
            published_base.value,
            published_base.ref,
        )

    rate = params.basic_rate
    months = claim.contribution_months
    basic = round_to_fen((b + b * i) / 2 * months * rate.decimal() / 12)
    trace.add("PEN-BASIC", f"({b} + {b} × {i}) ÷ 2 × {months}/12 × {rate.value}", basic, rate.ref)

    age_row, divisor = divisor_for_age(
        claim.retirement_age_months, params.divisor_table, params.divisor_rule
    )
    trace.add(
        "PEN-DIVISOR",
        f"age {claim.retirement_age_months // 12}y"
        f"{claim.retirement_age_months % 12}m → row {age_row}",
        divisor,
        params.divisor_table.ref,
        params.divisor_rule.ref,
    )
    account = round_to_fen(claim.account_balance / divisor)
    trace.add("PEN-ACCOUNT", f"{claim.account_balance} ÷ {divisor}", account)

    coefficient = params.transitional_rate
    deemed = claim.deemed_months
    transitional = round_to_fen(b * i * deemed * coefficient.decimal() / 12)
    trace.add(
        "PEN-TRANSITIONAL",
        f"{b} × {i} × {deemed}/12 × {coefficient.value}",
        transitional,
        coefficient.ref,
    )

    total = basic + account + transitional
    trace.add("PEN-TOTAL", f"{basic} + {account} + {transitional}", total)
    return Result(
        Pension(
            basic=basic,
            account=account,
            transitional=transitional,
            total=total,
            divisor=divisor,
            divisor_age_years=age_row,
            published_benefit_base=None if published_base is None else published_base.decimal(),
        ),
        trace,
    )
