"""Survivor benefits on the death of a pension participant (企业职工基本养老保险遗属待遇):
funeral subsidy (丧葬补助金) and survivor payment (抚恤金), for a working member or a retiree
(人社部发〔2021〕18号; 社会保险法 art. 17; rules.md §8).

Survivor months are counted in twelfths of a month internally: years above 15 count "to the
month", so one more contribution month adds 1/12 month, and one month of pension drawn takes
1/12 month away. Whole twelfths keep the payment exact: M × twelfths / 12 is rounded once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from shebao.core.errors import register_rule
from shebao.core.money import round_to_fen
from shebao.rules.params import ParamValue
from shebao.rules.trace import Result, Trace

_BASIS = "人社部发〔2021〕18号"

register_rule(
    "DEATH-FUNERAL",
    "丧葬补助金 = 本省上一年度城镇居民月人均可支配收入 × 2，四舍五入到分",
    "Funeral subsidy = the province's previous-year monthly urban per-capita disposable "
    "income × 2, rounded half-up to the fen",
    f"{_BASIS}; 社会保险法 art. 17",
    kind="calculation",
)
register_rule(
    "DEATH-SURVIVOR-MONTHS",
    "抚恤金计发月数：缴费年限不满5年3个月，满5年不满10年6个月，满10年至15年9个月；"
    "15年以上每多1年（按月折算）加1个月，缴费年限最多按30年计算",
    "Survivor months: <5 years → 3, 5 to <10 → 6, 10 to 15 → 9; above 15 years +1 month a "
    "year counted to the month; years above 30 count as 30",
    _BASIS,
    kind="calculation",
)
register_rule(
    "DEATH-RETIREE-MONTHS",
    "退休人员：以最高计发月数为基础，每领取1年基本养老金（按月折算）减少1个月，最低不少于9个月",
    "Retiree: the maximum survivor months less one month per year of pension drawn (to the "
    "month), never below 9",
    _BASIS,
    kind="calculation",
)
register_rule(
    "DEATH-SURVIVOR-PAYMENT",
    "抚恤金 = 本省上一年度城镇居民月人均可支配收入 × 计发月数，四舍五入到分",
    "Survivor payment = the monthly base × survivor months, rounded half-up to the fen",
    _BASIS,
    kind="calculation",
)
register_rule(
    "DEATH-OWN-CONTRIBUTIONS-CAP",
    "缴费年限不满5年的，抚恤金不超过本人个人缴费额",
    "Below 5 contribution years the survivor payment may not exceed the person's own contributions",
    _BASIS,
    kind="calculation",
)

STATUSES = ("working", "retired")


@dataclass(frozen=True)
class DeathBenefitRules:
    funeral_months: ParamValue
    months_by_years: ParamValue
    extra_from_years: ParamValue
    months_per_extra_year: ParamValue
    years_cap: ParamValue
    retiree_floor: ParamValue
    own_contributions_cap_below_years: ParamValue


@dataclass(frozen=True)
class DeathBenefit:
    funeral_subsidy: Decimal
    survivor_twelfths: int  # survivor months × 12
    survivor_payment: Decimal
    capped_by_own_contributions: bool

    @property
    def survivor_months(self) -> Decimal:
        """Months to at most 4 decimals, half-up, no trailing zeros: 15.25, 9.0833, 24."""
        months = (Decimal(self.survivor_twelfths) / 12).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP
        )
        return months.normalize() if months != months.to_integral_value() else months.quantize(1)


def death_benefit(
    *,
    status: str,
    contribution_months: int,
    months_drawn: int,
    monthly_income_base: Decimal,
    own_contributions: Decimal | None,
    rules: DeathBenefitRules,
) -> Result[DeathBenefit]:
    """Funeral subsidy and survivor payment; ``status`` is ``working`` or ``retired``."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}")
    trace = Trace()
    funeral = round_to_fen(monthly_income_base * rules.funeral_months.integer())
    trace.add(
        "DEATH-FUNERAL",
        f"{monthly_income_base} × {rules.funeral_months.value}",
        funeral,
        rules.funeral_months.ref,
    )
    if status == "working":
        twelfths = survivor_twelfths(contribution_months, rules, trace)
    else:
        twelfths = _retiree_twelfths(months_drawn, rules, trace)
    payment = round_to_fen(monthly_income_base * twelfths / 12)
    trace.add("DEATH-SURVIVOR-PAYMENT", f"{monthly_income_base} × {twelfths}/12", payment)
    capped = False
    below = rules.own_contributions_cap_below_years.integer() * 12
    if status == "working" and own_contributions is not None and contribution_months < below:
        capped = payment > own_contributions
        payment = round_to_fen(min(payment, own_contributions))
        trace.add(
            "DEATH-OWN-CONTRIBUTIONS-CAP",
            f"min(payment, own contributions {own_contributions})",
            payment,
            rules.own_contributions_cap_below_years.ref,
        )
    return Result(DeathBenefit(funeral, twelfths, payment, capped), trace)


def survivor_twelfths(contribution_months: int, rules: DeathBenefitRules, trace: Trace) -> int:
    """Survivor months (in twelfths) earned by the contribution months, deemed included."""
    counted = min(contribution_months, rules.years_cap.integer() * 12)
    bracket_months, extra = _earned(counted, rules)
    twelfths = bracket_months * 12 + extra
    trace.add(
        "DEATH-SURVIVOR-MONTHS",
        f"{contribution_months} contribution months (counted {counted}): "
        f"{bracket_months} + {extra}/12",
        f"{twelfths}/12",
        rules.months_by_years.ref,
        rules.extra_from_years.ref,
        rules.months_per_extra_year.ref,
        rules.years_cap.ref,
    )
    return twelfths


def _earned(counted: int, rules: DeathBenefitRules) -> tuple[int, int]:
    """The bracket's whole months, and the twelfths added for months above the threshold."""
    extra_from = rules.extra_from_years.integer() * 12
    reached = [
        (int(years) * 12, int(months))
        for years, months in rules.months_by_years.table().items()
        if int(years) * 12 <= min(counted, extra_from)
    ]
    bracket_months = max(reached, default=(0, 0))[1]
    return bracket_months, max(counted - extra_from, 0) * rules.months_per_extra_year.integer()


def _retiree_twelfths(months_drawn: int, rules: DeathBenefitRules, trace: Trace) -> int:
    # "The maximum from the rule" (rules.md §8) is the working-member rule at the year cap
    # (30 years → 24 months), whatever the retiree's own contribution years.
    bracket_months, extra = _earned(rules.years_cap.integer() * 12, rules)
    maximum = bracket_months * 12 + extra
    floor = rules.retiree_floor.integer() * 12
    twelfths = max(maximum - months_drawn, floor)
    trace.add(
        "DEATH-RETIREE-MONTHS",
        f"max({maximum}/12 − {months_drawn} months drawn/12, {rules.retiree_floor.value})",
        f"{twelfths}/12",
        rules.months_by_years.ref,
        rules.extra_from_years.ref,
        rules.months_per_extra_year.ref,
        rules.years_cap.ref,
        rules.retiree_floor.ref,
    )
    return twelfths
