"""Statutory retirement age (法定退休年龄) under the 2024 gradual increase, the minimum
contribution months (最低缴费年限) by year of retirement, and the flexible early/late window
(弹性退休).

Basis: the 2024-09-13 decision of the NPC Standing Committee and the State Council measures on
gradually raising the statutory retirement age, in force 2025-01-01 (rules.md §4, §3.6).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shebao.core.errors import RuleViolation, register_rule
from shebao.rules.params import ParamValue
from shebao.rules.trace import Result, Trace

_DECISION = "全国人大常委会关于实施渐进式延迟法定退休年龄的决定"
_MEASURES = "国务院关于渐进式延迟法定退休年龄的办法"

register_rule(
    "RET-GROUP-UNKNOWN",
    "退休人员类别“{group}”无效：应为 {allowed} 之一。",
    "Unknown retirement group '{group}': expected one of {allowed}.",
    f"{_DECISION}; {_MEASURES} art. 1",
)
register_rule(
    "RET-BIRTH-INVALID",
    "出生年月“{value}”无效：应为 {first} 至 {last} 之间的年月 YYYY-MM。",
    "Invalid birth month '{value}': expected a month YYYY-MM from {first} to {last}.",
)
register_rule(
    "RET-PARAM-TABLE-INVALID",
    "参数“{key}”缺少整数项“{field}”，请管理员更正。",
    "Parameter '{key}' lacks the whole-number entry '{field}'; an administrator must correct it.",
)
register_rule(
    "RET-MIN-CONTRIBUTION-UNDEFINED",
    "退休年份 {year} 没有配置最低缴费月数。",
    "No minimum contribution period is configured for retirement year {year}.",
    _MEASURES + " art. 2",
)
register_rule(
    "RET-ORIGINAL-MONTH",
    "原退休年月 = 出生年月 + 原法定退休年龄",
    "Original retirement month = birth month + original statutory age",
    "国发〔1978〕104号; " + _MEASURES + " art. 1",
    kind="calculation",
)
register_rule(
    "RET-REFORM-COUNT",
    "自改革起始月（计为第1个月）至原退休年月的月数 n",
    "n = months from the reform's first month (counted as 1) to the original retirement month",
    _MEASURES + " art. 1",
    kind="calculation",
)
register_rule(
    "RET-DELAY",
    "延迟月数 = ⌈n ÷ 每延迟1个月所需月数⌉，不超过（目标年龄 − 原年龄）× 12；n < 1 不延迟",
    "Delay = ceil(n ÷ months per month of delay), at most (target − original age) × 12; "
    "none when n < 1",
    _MEASURES + " art. 1",
    kind="calculation",
)
register_rule(
    "RET-AGE",
    "法定退休年龄 = 原法定退休年龄 + 延迟月数；退休年月 = 原退休年月 + 延迟月数",
    "Statutory age = original age + delay; retirement month = original month + delay",
    _MEASURES + " art. 1",
    kind="calculation",
)
register_rule(
    "RET-MIN-CONTRIBUTION",
    "最低缴费月数按法定退休年份确定（2030年起每年提高6个月，至20年）",
    "Minimum contribution months by the year of statutory retirement "
    "(from 2030 up 6 months a year, to 20 years)",
    _MEASURES + " art. 2; 社会保险法 art. 16",
    kind="calculation",
)
register_rule(
    "RET-FLEX-EARLY",
    "弹性提前退休：最早为法定退休年龄前若干月，不低于原法定退休年龄，且须达到最低缴费年限",
    "Flexible early retirement: at most the set months before the statutory age, never below "
    "the original age, and only with the minimum contribution period met",
    _MEASURES + " art. 3",
    kind="calculation",
)
register_rule(
    "RET-FLEX-LATE",
    "弹性延迟退休：经单位与职工协商一致，最晚为法定退休年龄后若干月",
    "Flexible late retirement: by agreement, at most the set months after the statutory age",
    _MEASURES + " art. 3",
    kind="calculation",
)

GROUPS = ("male", "female-50", "female-55")


@dataclass(frozen=True)
class RetirementParams:
    """The parameters one group's calculation uses."""

    group: ParamValue  # table: original_age_years, target_age_years, delay_step_months
    reform_start: ParamValue  # date: the month counted as 1
    max_early_months: ParamValue
    max_late_months: ParamValue
    min_contribution_months: ParamValue  # table: year of retirement → months


@dataclass(frozen=True)
class Retirement:
    original_age_months: int
    original_month: int
    delay_months: int
    max_delay_months: int
    age_months: int
    retirement_month: int
    min_contribution_months: int
    earliest_age_months: int
    earliest_month: int
    latest_age_months: int
    latest_month: int


def group_param_key(group: str) -> str:
    """``female-50`` → ``retirement.group.female_50``."""
    return "retirement.group." + group.replace("-", "_")


def _table_int(param: ParamValue, field: str) -> int:
    raw = param.table().get(field)
    if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
        raise RuleViolation("RET-PARAM-TABLE-INVALID", key=param.key, field=field)
    return raw


# Birth months reach back before 1950, where contribution periods (shebao.core.periods) stop:
# plain YYYYMM arithmetic here.
def _month_index(yyyymm: int) -> int:
    return (yyyymm // 100) * 12 + yyyymm % 100 - 1


def _add_months(yyyymm: int, months: int) -> int:
    year, month0 = divmod(_month_index(yyyymm) + months, 12)
    return year * 100 + month0 + 1


def _months_between(start: int, end: int) -> int:
    return _month_index(end) - _month_index(start)


def _format(yyyymm: int) -> str:
    return f"{yyyymm // 100:04d}-{yyyymm % 100:02d}"


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def statutory_retirement(*, birth: int, params: RetirementParams) -> Result[Retirement]:
    """Retirement age and month for a person born in ``birth`` (YYYYMM) in the given group."""
    trace = Trace()
    group = params.group
    original_age = _table_int(group, "original_age_years") * 12
    original_month = _add_months(birth, original_age)
    trace.add(
        "RET-ORIGINAL-MONTH",
        f"{_format(birth)} + {original_age} months",
        _format(original_month),
        group.ref,
    )

    start = params.reform_start.value
    if not isinstance(start, date):
        raise RuleViolation("RET-PARAM-TABLE-INVALID", key=params.reform_start.key, field="date")
    first_month = start.year * 100 + start.month
    n = _months_between(first_month, original_month) + 1
    trace.add(
        "RET-REFORM-COUNT",
        f"{_format(first_month)} … {_format(original_month)}",
        n,
        params.reform_start.ref,
    )

    step = _table_int(group, "delay_step_months")
    if step < 1:
        raise RuleViolation("RET-PARAM-TABLE-INVALID", key=group.key, field="delay_step_months")
    max_delay = _table_int(group, "target_age_years") * 12 - original_age
    delay = 0 if n < 1 else min(_ceil_div(n, step), max_delay)
    trace.add(
        "RET-DELAY",
        f"min(ceil({n} / {step}), {max_delay})" if n >= 1 else "n < 1",
        delay,
        group.ref,
    )

    age_months = original_age + delay
    retirement_month = _add_months(original_month, delay)
    trace.add("RET-AGE", f"{original_age} + {delay} months", _format(retirement_month))

    minimum = _min_contribution(retirement_month // 100, params.min_contribution_months)
    trace.add(
        "RET-MIN-CONTRIBUTION",
        f"year {retirement_month // 100}",
        minimum,
        params.min_contribution_months.ref,
    )

    earliest_age, latest_age = _flexible_window(
        trace, params, original_age, age_months, reformed=n >= 1
    )
    return Result(
        Retirement(
            original_age_months=original_age,
            original_month=original_month,
            delay_months=delay,
            max_delay_months=max_delay,
            age_months=age_months,
            retirement_month=retirement_month,
            min_contribution_months=minimum,
            earliest_age_months=earliest_age,
            earliest_month=_add_months(birth, earliest_age),
            latest_age_months=latest_age,
            latest_month=_add_months(birth, latest_age),
        ),
        trace,
    )


def _flexible_window(
    trace: Trace, params: RetirementParams, original_age: int, age_months: int, *, reformed: bool
) -> tuple[int, int]:
    """Earliest and latest age (in months) of flexible retirement.

    Flexible retirement is part of the 2024 measures: a person whose original retirement month
    came before the reform had no window, so both ends are the statutory age.
    """
    if not reformed:
        trace.add("RET-FLEX-EARLY", "before the reform: no flexible window", age_months)
        trace.add("RET-FLEX-LATE", "before the reform: no flexible window", age_months)
        return age_months, age_months
    early = params.max_early_months
    earliest_age = max(original_age, age_months - early.integer())
    trace.add(
        "RET-FLEX-EARLY",
        f"max({original_age}, {age_months} − {early.value}) months",
        earliest_age,
        early.ref,
    )
    late = params.max_late_months
    latest_age = age_months + late.integer()
    trace.add("RET-FLEX-LATE", f"{age_months} + {late.value} months", latest_age, late.ref)
    return earliest_age, latest_age


def _min_contribution(year: int, table: ParamValue) -> int:
    """The row with the greatest year not after ``year``."""
    first_years = list(table.table())
    if not all(first_year.isdigit() for first_year in first_years):
        raise RuleViolation("RET-PARAM-TABLE-INVALID", key=table.key, field="YYYY")
    applicable = sorted((y for y in first_years if int(y) <= year), key=int)
    if not applicable:
        raise RuleViolation("RET-MIN-CONTRIBUTION-UNDEFINED", year=year)
    return _table_int(table, applicable[-1])
