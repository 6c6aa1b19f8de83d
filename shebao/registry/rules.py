"""The rules of insured relations, as pure checks shared by the counter services and the
batch import. Each refusal names its rule code."""

from __future__ import annotations

from datetime import date

from shebao.core.errors import RuleViolation, register_rule
from shebao.core.periods import period_add, period_of

register_rule(
    "REG-REL-DUPLICATE-ACTIVE",
    "该人员已在{employer}（{agency}）参加企业职工基本养老保险，全省只能有一个有效的养老保险关系。",
    "This person already holds an active pension relation with {employer} ({agency}); "
    "only one is allowed in the whole province.",
    "社会保险法 art. 19; 省级统筹",
)
register_rule(
    "REG-REL-PAST-RETIREMENT",
    "该人员已于{retirement}达到法定退休年龄，不能新参保（延长缴费至最低缴费年限的除外）。",
    "This person reached the statutory retirement age in {retirement}; no new enrolment "
    "unless contributions continue to reach the minimum years.",
    "全国人大常委会关于实施渐进式延迟法定退休年龄的决定 (2024)",
)
register_rule(
    "REG-REL-START-TOO-LATE",
    "参保开始期{start}不能晚于下月（{latest}）。",
    "The start period {start} may not be later than next month ({latest}).",
)
register_rule(
    "REG-REL-END-BEFORE-START",
    "终止期{end}不能早于开始期{start}。",
    "The end period {end} may not be before the start period {start}.",
)
register_rule(
    "REG-REL-FLEX-EMPLOYER",
    "灵活就业人员参保不关联用人单位。",
    "A flexible worker's relation has no employer.",
)
register_rule(
    "REG-REL-EMPLOYER-REQUIRED",
    "职工参保须指定用人单位。",
    "An employee's relation needs an employer.",
)
register_rule(
    "REG-REL-FLEX-PENSION-ONLY",
    "灵活就业人员只参加基本养老保险。",
    "Flexible workers join the pension scheme only.",
)

ADDITION_REASONS = {
    "new_hire": ("新招用", "new hire"),
    "transfer_in": ("转入", "transfer in"),
    "resume": ("续保", "resumption"),
    "flexible": ("灵活就业参保", "flexible employment"),
}
REMOVAL_REASONS = {
    "resignation": ("辞职", "resignation"),
    "dismissal": ("解除劳动合同", "dismissal"),
    "contract_end": ("劳动合同到期", "contract end"),
    "retirement": ("退休", "retirement"),
    "death": ("死亡", "death"),
    "transfer_out": ("转出", "transfer out"),
    "suspension": ("停保", "suspension"),
    "other": ("其他", "other"),
}
# The status a removal leaves the relation in.
REMOVAL_STATUS = {
    "retirement": "retired",
    "death": "deceased",
    "transfer_out": "transferred_out",
    "suspension": "suspended",
}


def latest_start_period(today: date) -> int:
    return period_add(period_of(today), 1)


def check_start_period(start: int, today: date) -> None:
    latest = latest_start_period(today)
    if start > latest:
        raise RuleViolation("REG-REL-START-TOO-LATE", start=start, latest=latest)


def check_end_period(start: int, end: int) -> None:
    if end < start:
        raise RuleViolation("REG-REL-END-BEFORE-START", end=end, start=start)


def check_kind(kind: str, has_employer: bool, scheme: str) -> None:
    if kind == "flexible" and has_employer:
        raise RuleViolation("REG-REL-FLEX-EMPLOYER")
    if kind == "flexible" and scheme != "pension":
        raise RuleViolation("REG-REL-FLEX-PENSION-ONLY")
    if kind == "employee" and not has_employer:
        raise RuleViolation("REG-REL-EMPLOYER-REQUIRED")


def check_not_past_retirement(start: int, retirement_month: int, *, continuing: bool) -> None:
    """Enrolment after the statutory retirement month is refused, except for a person who
    continues contributing to reach the minimum years (延长缴费)."""
    if start > retirement_month and not continuing:
        raise RuleViolation("REG-REL-PAST-RETIREMENT", retirement=retirement_month)


def mask_employer_name(name: str) -> str:
    """For a viewer outside the other employer's agency: keep the ends only."""
    if len(name) <= 4:
        return name[:1] + "*" * (len(name) - 1)
    return name[:2] + "*" * (len(name) - 4) + name[-2:]
