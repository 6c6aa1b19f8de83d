"""Unemployment benefit (失业保险金): eligibility, the maximum benefit period with unused
months of an earlier claim, and the monthly amount (失业保险条例 arts. 14, 17, 18;
社会保险法 arts. 45–47; rules.md §6)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shebao.core.errors import register_rule
from shebao.core.money import round_to_fen
from shebao.rules.params import ParamValue
from shebao.rules.trace import Result, Trace

register_rule(
    "UNE-ELIG-CONTRIBUTION",
    "失业前用人单位和本人缴纳失业保险费不满规定月数",
    "Fewer contribution months before unemployment than required",
    "失业保险条例 art. 14(1); 社会保险法 art. 45",
)
register_rule(
    "UNE-ELIG-INVOLUNTARY",
    "非因本人意愿中断就业的，方可领取失业保险金",
    "Only an involuntary end of work gives a right to unemployment benefit",
    "失业保险条例 art. 14(2); 社会保险法 art. 45",
)
register_rule(
    "UNE-ELIG-REGISTERED",
    "已进行失业登记并有求职要求的，方可领取失业保险金",
    "The claimant must be registered as unemployed and seeking work",
    "失业保险条例 art. 14(3); 社会保险法 art. 45",
)
register_rule(
    "UNE-ELIGIBLE",
    "领取条件：缴费满规定月数、非本人意愿中断就业、已办理失业登记",
    "Eligible when contributions reach the required months, work ended involuntarily, "
    "and the claimant is registered as unemployed",
    "失业保险条例 art. 14; 社会保险法 art. 45",
    kind="calculation",
)
register_rule(
    "UNE-MAX-MONTHS",
    "最长领取期限按累计缴费年限确定：满1年不足5年12个月，满5年不足10年18个月，10年以上24个月",
    "Maximum period by full contribution years: 1 to <5 → 12 months, 5 to <10 → 18, 10+ → 24",
    "失业保险条例 art. 17; 社会保险法 art. 46",
    kind="calculation",
)
register_rule(
    "UNE-CARRY-OVER",
    "与前次失业应领而尚未领取的期限合并计算，最长不超过24个月",
    "Unused months of an earlier claim are added; the total is at most 24 months",
    "失业保险条例 art. 17; 社会保险法 art. 46",
    kind="calculation",
)
register_rule(
    "UNE-MONTHLY-AMOUNT",
    "失业保险金月标准 = 当地月最低工资标准 × 省定比例，四舍五入到分",
    "Monthly benefit = local monthly minimum wage × the provincial share, rounded half-up "
    "to the fen",
    "失业保险条例 art. 18; 社会保险法 art. 47",
    kind="calculation",
)


@dataclass(frozen=True)
class UnemploymentClaim:
    """What the claimant's record and the unemployment registration (失业登记) say."""

    contribution_months: int
    involuntary: bool
    registered: bool
    carried_over_months: int = 0


@dataclass(frozen=True)
class UnemploymentRules:
    min_contribution_months: ParamValue
    max_months_by_years: ParamValue
    max_months_cap: ParamValue


@dataclass(frozen=True)
class UnemploymentBenefit:
    eligible: bool
    unmet: tuple[str, ...]  # rule codes of the conditions not met; empty when eligible
    max_months: int
    monthly_amount: Decimal


def unmet_conditions(
    claim: UnemploymentClaim, min_contribution_months: ParamValue
) -> tuple[str, ...]:
    """The rule codes of the eligibility conditions the claim fails, in the law's order."""
    unmet: list[str] = []
    if claim.contribution_months < min_contribution_months.integer():
        unmet.append("UNE-ELIG-CONTRIBUTION")
    if not claim.involuntary:
        unmet.append("UNE-ELIG-INVOLUNTARY")
    if not claim.registered:
        unmet.append("UNE-ELIG-REGISTERED")
    return tuple(unmet)


def unemployment_benefit(
    *,
    claim: UnemploymentClaim,
    rules: UnemploymentRules,
    minimum_wage: ParamValue | None,
    benefit_ratio: ParamValue | None,
) -> Result[UnemploymentBenefit]:
    """Eligibility, maximum months and monthly amount of a claim.

    ``minimum_wage`` and ``benefit_ratio`` may be None when the claim is not eligible (no
    amount is computed then, so a region and date without a published minimum wage can still
    be told why a claim fails).
    """
    trace = Trace()
    unmet = unmet_conditions(claim, rules.min_contribution_months)
    trace.add(
        "UNE-ELIGIBLE",
        f"{claim.contribution_months} months (≥ {rules.min_contribution_months.value}), "
        f"involuntary {claim.involuntary}, registered {claim.registered}",
        "eligible" if not unmet else "not eligible: " + ", ".join(unmet),
        rules.min_contribution_months.ref,
    )
    if unmet:
        return Result(UnemploymentBenefit(False, unmet, 0, Decimal("0.00")), trace)
    if minimum_wage is None or benefit_ratio is None:
        raise ValueError("an eligible claim needs the minimum wage and the benefit ratio")

    earned = _months_for_years(claim.contribution_months, rules.max_months_by_years)
    trace.add(
        "UNE-MAX-MONTHS",
        f"{claim.contribution_months // 12} full contribution years",
        earned,
        rules.max_months_by_years.ref,
    )
    cap = rules.max_months_cap.integer()
    max_months = min(earned + claim.carried_over_months, cap)
    trace.add(
        "UNE-CARRY-OVER",
        f"min({earned} + {claim.carried_over_months} carried over, {cap})",
        max_months,
        rules.max_months_cap.ref,
    )
    amount = round_to_fen(minimum_wage.decimal() * benefit_ratio.decimal())
    trace.add(
        "UNE-MONTHLY-AMOUNT",
        f"{minimum_wage.value} × {benefit_ratio.value}",
        amount,
        minimum_wage.ref,
        benefit_ratio.ref,
    )
    return Result(UnemploymentBenefit(True, (), max_months, amount), trace)


def _months_for_years(contribution_months: int, table: ParamValue) -> int:
    """The months of the highest bracket whose lowest full-year count the claimant reaches."""
    reached = [
        (int(years), months)
        for years, months in table.table().items()
        if contribution_months >= int(years) * 12
    ]
    return int(max(reached)[1]) if reached else 0
