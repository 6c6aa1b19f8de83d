"""A person's pension contribution history as retirement sees it (缴费历史汇总): the months
contributed, the deemed months (视同缴费月数) before the individual account opened, and the
average contribution index (平均缴费指数).

A month counts once. Paid assessment lines (shebao's own collection) win over the historical
months loaded from a city system or confirmed from a personnel file (rules.md §3.1, §3.3).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shebao.accounts.services.transfers import paid_monthly_bases
from shebao.contributions.models import HistoricalContribution
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.money import yuan_to_fen
from shebao.registry.models import Person, Scheme
from shebao.rules.params import ParameterSource, ParamValue

# Hubei opened the individual accounts in January 1996 (鄂政发〔1995〕111号): working years
# before it are deemed contribution years (rules.md §3.3).
ACCOUNTS_OPENED = 199601
# The youngest age at which work counts (劳动法 art. 15 forbids employing anyone under 16).
EARLIEST_WORKING_AGE_YEARS = 16
INDEX_PLACES = Decimal("0.0001")
_UNPUBLISHED = {"PARAM-VALUE-UNPUBLISHED", "PARAM-NO-VALUE"}
_ACCOUNTS = "鄂政发〔1995〕111号"

register_rule(
    "RET-DEEMED-NEGATIVE",
    "视同缴费月数不能为负数。",
    "Deemed months may not be negative.",
    _ACCOUNTS,
)
register_rule(
    "RET-DEEMED-TOO-MANY",
    "视同缴费月数 {deemed} 超过可认定的 {available} 个月：视同缴费只能认定 1996年1月个人账户"
    "建立前、年满16周岁（{first}）以后且未实际缴费的月份。",
    "Deemed months {deemed} exceed the {available} months that can be deemed: only months "
    "before the individual accounts opened in 1996-01, from age 16 ({first}) on, and not "
    "contributed, count.",
    _ACCOUNTS + "; 劳动法 art. 15",
)
register_rule(
    "RET-WAGE-UNPUBLISHED",
    "统筹地区 {region} 尚无 {year} 年的社会平均工资（wage.reference_average_monthly），无法计算"
    "平均缴费指数；请管理员录入该年度数值。",
    "The reference average wage of {year} (wage.reference_average_monthly) is not entered for "
    "region {region}, so the average contribution index cannot be worked out; an "
    "administrator must enter that year's figure.",
    "国发〔2005〕38号",
)
register_rule(
    "RET-HISTORY-MONTHS",
    "实际缴费月数 = 已到账核定月份 ∪ 历史缴费月份（同一月份只计一次，以核定记录为准）",
    "Contributed months = paid assessment months ∪ historical months (a month counts once; the "
    "assessment line wins)",
    "社会保险法 art. 16",
    kind="calculation",
)
register_rule(
    "RET-DEEMED",
    "视同缴费月数按人事档案认定，限于 1996年1月前、年满16周岁后",
    "Deemed months as confirmed from the personnel file, before 1996-01 and from age 16",
    _ACCOUNTS,
    kind="calculation",
)
register_rule(
    "RET-INDEX-YEAR",
    "某年缴费指数之和 = Σ（当月缴费基数 ÷ 当年社会平均工资）",
    "Year's index sum = Σ (month's base ÷ that year's reference wage)",
    "国发〔2005〕38号",
    kind="calculation",
)
register_rule(
    "RET-INDEX",
    "平均缴费指数 = 各实际缴费月指数之和 ÷ 实际缴费月数，四舍五入保留4位小数",
    "Average contribution index = sum of the monthly indices ÷ contributed months, rounded "
    "half-up to 4 decimal places",
    "国发〔2005〕38号; rounding: shebao's choice (open)",
    kind="calculation",
)
register_rule(
    "RET-MONTHS-TOTAL",
    "缴费月数 = 实际缴费月数 + 视同缴费月数",
    "Contribution months = contributed months + deemed months",
    "国发〔2005〕38号",
    kind="calculation",
)


@dataclass(frozen=True)
class YearSummary:
    year: int
    months: int
    base_fen: int  # the year's bases added up
    wage: str  # the reference wage applied (the value in force in the year's first month)
    index_sum: str


@dataclass(frozen=True)
class HistorySummary:
    """What the pension calculation takes from the history, with its trace."""

    through: int
    contributed_months: int
    from_assessment: int
    from_history: int
    deemed_months: int
    total_months: int
    average_index: str
    first_month: int | None
    last_month: int | None
    years: list[YearSummary]
    trace: list[dict[str, Any]]
    parameters: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def index(self) -> Decimal:
        return Decimal(self.average_index)


def _month_index(yyyymm: int) -> int:
    # Birth months reach before 1950, where shebao.core.periods stops: plain arithmetic.
    return (yyyymm // 100) * 12 + yyyymm % 100 - 1


def _from_index(index: int) -> int:
    year, month0 = divmod(index, 12)
    return year * 100 + month0 + 1


def deemable_months(person: Person, contributed_before_1996: int) -> tuple[int, int]:
    """(first month that may be deemed, how many months may be deemed)."""
    birth = person.birth_date.year * 100 + person.birth_date.month
    first = _from_index(_month_index(birth) + EARLIEST_WORKING_AGE_YEARS * 12)
    available = max(0, _month_index(ACCOUNTS_OPENED) - _month_index(first))
    return first, max(0, available - contributed_before_1996)


def contribution_months(person: Person, *, through: int) -> dict[int, tuple[int, str]]:
    """Each contributed month up to ``through``: (base in fen, where it comes from)."""
    months: dict[int, tuple[int, str]] = {
        period: (base_fen, "history")
        for period, base_fen in HistoricalContribution.objects.filter(
            person_id=person.pk, scheme=Scheme.PENSION, period__lte=through, base_fen__gt=0
        ).values_list("period", "base_fen")
    }
    for line in paid_monthly_bases(person, through=through):
        months[line.period] = (yuan_to_fen(line.base), "assessment")
    return dict(sorted(months.items()))


def _wage(source: ParameterSource, region: str, period: int) -> ParamValue:
    year, month = divmod(period, 100)
    try:
        wage = source.lookup("wage.reference_average_monthly", region, date(year, month, 1))
    except RuleViolation as refusal:
        if refusal.code in _UNPUBLISHED:
            raise RuleViolation("RET-WAGE-UNPUBLISHED", year=year, region=region) from None
        raise
    return wage


def contribution_history(
    *, person: Person, through: int, deemed_months: int, region: str, source: ParameterSource
) -> HistorySummary:
    """The history of ``person`` up to ``through`` (the retirement month) for the pension."""
    if deemed_months < 0:
        raise RuleViolation("RET-DEEMED-NEGATIVE")
    months = contribution_months(person, through=through)
    before_1996 = sum(1 for period in months if period < ACCOUNTS_OPENED)
    first_deemable, available = deemable_months(person, before_1996)
    if deemed_months > available:
        raise RuleViolation(
            "RET-DEEMED-TOO-MANY",
            deemed=deemed_months,
            available=available,
            first=f"{first_deemable // 100}-{first_deemable % 100:02d}",
        )
    from_assessment = sum(1 for _base, origin in months.values() if origin == "assessment")
    trace: list[dict[str, Any]] = [
        _step(
            "RET-HISTORY-MONTHS",
            f"{from_assessment} paid assessment months + {len(months) - from_assessment} "
            f"historical months, through {through}",
            len(months),
        ),
        _step(
            "RET-DEEMED",
            f"{deemed_months} of at most {available} (from {first_deemable} to 199512)",
            deemed_months,
        ),
    ]
    years: dict[int, dict[str, Any]] = {}
    wages_used: dict[tuple[str, str, int], ParamValue] = {}
    total = Decimal(0)
    for period, (base_fen, _origin) in months.items():
        wage = _wage(source, region, period)
        wages_used.setdefault((wage.key, wage.region, wage.version), wage)
        ratio = Decimal(base_fen) / 100 / wage.decimal()
        total += ratio
        year = years.setdefault(
            period // 100,
            {"months": 0, "base_fen": 0, "wage": wage, "index_sum": Decimal(0)},
        )
        year["months"] += 1
        year["base_fen"] += base_fen
        year["index_sum"] += ratio
    summaries = []
    for year_number, year in years.items():
        wage_value: ParamValue = year["wage"]
        index_sum = year["index_sum"].quantize(INDEX_PLACES, rounding=ROUND_HALF_UP)
        summaries.append(
            YearSummary(
                year=year_number,
                months=year["months"],
                base_fen=year["base_fen"],
                wage=format(wage_value.decimal(), "f"),
                index_sum=format(index_sum, "f"),
            )
        )
        trace.append(
            _step(
                "RET-INDEX-YEAR",
                f"{year_number}: {year['months']} months, bases {year['base_fen'] / 100:.2f} ÷ "
                f"wage {wage_value.value} (shown to 4 places; the sum is exact)",
                index_sum,
                wage_value,
            )
        )
    count = len(months)
    average = (total / count).quantize(INDEX_PLACES, rounding=ROUND_HALF_UP) if count else None
    index = average if average is not None else Decimal("0.0000")
    trace.append(
        _step(
            "RET-INDEX",
            f"{total.quantize(INDEX_PLACES, rounding=ROUND_HALF_UP)} ÷ {count}, rounded half-up "
            "to 4 places (shebao's choice)"
            if count
            else "no contributed month: index 0",
            index,
        )
    )
    trace.append(_step("RET-MONTHS-TOTAL", f"{count} + {deemed_months}", count + deemed_months))
    periods = list(months)
    return HistorySummary(
        through=through,
        contributed_months=count,
        from_assessment=from_assessment,
        from_history=count - from_assessment,
        deemed_months=deemed_months,
        total_months=count + deemed_months,
        average_index=format(index, "f"),
        first_month=periods[0] if periods else None,
        last_month=periods[-1] if periods else None,
        years=summaries,
        trace=trace,
        parameters=[value.ref.as_dict() for value in wages_used.values()],
    )


def _step(rule: str, description: str, value: object, *params: ParamValue) -> dict[str, Any]:
    return {
        "rule": rule,
        "description": description,
        "value": str(value),
        "params": [f"{p.key}@{p.region}#v{p.version}" for p in params],
    }
