"""Retirement application and pension award (退休申请, 基本养老金待遇核定): eligibility under the
2024 reform, the contribution history, the pension with its full trace, and on approval the
pension opened, the relations retired and the award notice written.

Items: SBBN001 normal retirement (the statutory month, or later up to the flexible window by
agreement with the employer) and SBBN004 flexible early retirement (弹性提前退休).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from shebao.accounts.models import AccountEntry, EntryKind
from shebao.accounts.services.transfers import part_year_interest
from shebao.benefits.models import NoticeKind, Pension, PensionGroup, PensionNotice
from shebao.benefits.services.history import HistorySummary, contribution_history
from shebao.benefits.services.pensions import AwardFigures, pension_open
from shebao.benefits.services.unemployment_stops import unemployment_stop_on_pension
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.money import fen_to_yuan, format_yuan, yuan_to_fen
from shebao.core.periods import period_add
from shebao.core.permissions import ensure_acts_for
from shebao.registry.models import InsuredRelation, Person, RelationStatus, Scheme, Sex
from shebao.registry.rules import check_end_period
from shebao.registry.services.common import open_request
from shebao.registry.services.persons import ensure_person_active
from shebao.rules.adapters.retirement import retirement_params
from shebao.rules.calculators.pension import PensionClaim, PensionParams, pension_at_retirement
from shebao.rules.calculators.retirement import Retirement, statutory_retirement
from shebao.rules.params import ParameterSource, ParamValue
from shebao.rules.store import DatabaseParameters
from shebao.services.models import OPEN_STATUSES, Case
from shebao.services.services import case_record_link

ITEM_NORMAL = "SBBN001"
ITEM_FLEXIBLE_EARLY = "SBBN004"
RETIREMENT_ITEMS = (ITEM_NORMAL, ITEM_FLEXIBLE_EARLY)
_MEASURES = "国务院关于渐进式延迟法定退休年龄的办法"

register_rule(
    "RET-APP-GROUP",
    "女职工须选择退休人员类别：原50周岁（工人）或原55周岁（干部）。",
    "For a woman choose the group: original age 50 (worker) or 55 (cadre).",
    _MEASURES + " art. 1",
)
register_rule(
    "RET-APP-ITEM",
    "事项 {item} 不是退休申请。",
    "Item {item} is not a retirement application.",
)
register_rule(
    "RET-APP-PENSION-EXISTS",
    "该人员已领取基本养老金，不能再次申请退休。",
    "This person already draws a pension and cannot apply for retirement again.",
)
register_rule(
    "RET-APP-OPEN",
    "该人员已有未办结的退休申请（{receipt}），请先办结。",
    "A retirement application of this person is still open ({receipt}): finish it first.",
)
register_rule(
    "RET-APP-STAFF-ONLY",
    "退休申请须由经办人员受理。",
    "A retirement application must be accepted by a member of staff.",
)
register_rule(
    "RET-APP-NORMAL-MONTH",
    "正常退休的退休年月为法定退休年月 {statutory}（经协商一致可延至 {latest}）；更早退休请"
    "申请弹性提前退休。",
    "A normal retirement is in the statutory month {statutory} (later up to {latest} by "
    "agreement); an earlier month is a flexible early retirement.",
    _MEASURES + " art. 3",
)
register_rule(
    "RET-APP-LATE-AGREEMENT",
    "晚于法定退休年月 {statutory} 退休须与用人单位协商一致，请勾选并留存协议。",
    "Retiring after the statutory month {statutory} needs an agreement with the employer: tick "
    "it and keep the agreement on file.",
    _MEASURES + " art. 3",
)
register_rule(
    "RET-APP-LATE-LIMIT",
    "弹性延迟退休最晚至 {latest}，所选 {chosen} 超出。",
    "Flexible late retirement reaches at most {latest}; {chosen} is later.",
    _MEASURES + " art. 3",
)
register_rule(
    "RET-APP-EARLY-WINDOW",
    "弹性提前退休的退休年月须在 {earliest} 至 {last} 之间（所选 {chosen}）。",
    "A flexible early retirement must fall from {earliest} to {last} (chosen {chosen}).",
    _MEASURES + " art. 3",
)
register_rule(
    "RET-MIN-CONTRIBUTION-SHORT",
    "缴费月数 {have} 个月，未达到 {year} 年退休的最低缴费月数 {minimum} 个月，还差 {missing} "
    "个月：可延长缴费、一次性补缴、转入城乡居民养老保险，或终止关系领取个人账户储存额。",
    "{have} contribution months fall short of the {minimum} months required for retirement in "
    "{year} by {missing}: extend contributions, pay the gap in one sum, transfer to the "
    "residents' scheme, or end the relation and take the account balance.",
    _MEASURES + " art. 2; 人社部令第13号",
)
register_rule(
    "RET-BENEFIT-BASE-UNPUBLISHED",
    "统筹地区 {region} 尚无 {year} 年及以前可用的计发基数（pension.benefit_base），请管理员录入。",
    "No benefit base (pension.benefit_base) of {year} or an earlier year is entered for region "
    "{region}; an administrator must enter it.",
    "rules.md §3.4",
)
register_rule(
    "RET-ACCOUNT-NEGATIVE",
    "个人账户余额为 {balance} 元，不能为负；请先办理账户更正。",
    "The account balance is {balance} yuan and may not be negative: correct the account first.",
)
register_rule(
    "RET-FIGURES-CHANGED",
    "受理后核定数据已变化（受理时 {before} 元，现为 {after} 元），请退回经办人重新受理。",
    "The figures changed since the application was accepted ({before} then, {after} now): "
    "return the case so the clerk makes it again.",
)
register_rule(
    "RET-MINIMUM-MET",
    "缴费月数（含视同）达到法定退休年份的最低缴费月数",
    "Contribution months (deemed included) reach the minimum of the statutory retirement year",
    _MEASURES + " art. 2",
    kind="calculation",
)
register_rule(
    "RET-CHOSEN-MONTH",
    "退休年月：正常为法定退休年月；弹性提前不早于最早年月；弹性延迟经协商一致不晚于最晚年月",
    "Retirement month: the statutory month for a normal retirement; flexible early not before "
    "the earliest month; later only by agreement and not after the latest month",
    _MEASURES + " art. 3",
    kind="calculation",
)
register_rule(
    "RET-AGE-AT-RETIREMENT",
    "退休年龄 = 退休年月 − 出生年月（按月计）",
    "Retirement age = retirement month − birth month (in months)",
    "国发〔2005〕38号 annex",
    kind="calculation",
)
register_rule(
    "RET-BENEFIT-BASE",
    "计发基数取首次领取待遇月份所在年度本地区公布值；未公布的按最近已公布年度暂计，公布后重算多退少补",
    "Benefit base of the region for the year of the first paid month; while unpublished, the "
    "latest published year's provisionally, recomputed when published",
    "rules.md §3.4",
    kind="calculation",
)
register_rule(
    "RET-ACCOUNT-BALANCE",
    "退休时个人账户储存额 = 账户余额 + 当年至退休月的暂计利息",
    "Account at retirement = journal balance + the year's provisional interest to the "
    "retirement month",
    "劳办发〔1997〕116号; rules.md §2.4",
    kind="calculation",
)

# rules.md §3.6 (人社部令第13号): what a person short of the minimum may do.
SHORTFALL_OPTIONS = ("extend", "lump_sum", "residents_scheme", "account_payout")


@dataclass(frozen=True)
class RetirementRequest:
    """What the clerk enters."""

    group: str
    item_code: str = ITEM_NORMAL
    retirement_month: int | None = None  # None: the statutory month
    deemed_months: int = 0
    agreement: bool = False  # a later month agreed with the employer


@dataclass(frozen=True)
class Eligibility:
    group: str
    birth_month: int
    statutory_month: int
    statutory_age_months: int
    earliest_month: int
    latest_month: int
    min_contribution_months: int
    retirement_month: int
    retirement_age_months: int
    timing: str  # statutory / early / late
    trace: list[dict[str, Any]]
    parameters: list[dict[str, Any]]


@dataclass(frozen=True)
class RetirementAssessment:
    """Everything the preview shows and the case stores."""

    request: RetirementRequest
    eligibility: Eligibility
    history: HistorySummary
    figures: AwardFigures

    def as_json(self) -> dict[str, Any]:
        figures = asdict(self.figures)
        figures.pop("calculation")
        return {
            "request": asdict(self.request),
            "figures": figures,
            "calculation": self.figures.calculation,
        }


def group_for(person: Person, chosen: str) -> str:
    """Men are one group; for a woman the clerk chooses from the personnel file."""
    if person.sex == Sex.MALE:
        return PensionGroup.MALE
    if chosen not in (PensionGroup.FEMALE_50, PensionGroup.FEMALE_55):
        raise RuleViolation("RET-APP-GROUP")
    return chosen


def _month(yyyymm: int) -> str:
    return f"{yyyymm // 100:04d}-{yyyymm % 100:02d}"


def _age(months: int) -> str:
    return f"{months // 12}y{months % 12}m"


def _months_from(start: int, end: int) -> int:
    return (end // 100 - start // 100) * 12 + end % 100 - start % 100


def _chosen_month(request: RetirementRequest, statutory: Retirement) -> tuple[int, str]:
    """The retirement month asked for and whether it is statutory, early or late."""
    legal = statutory.retirement_month
    chosen = request.retirement_month or legal
    if request.item_code == ITEM_FLEXIBLE_EARLY:
        last = period_add(legal, -1)
        if not statutory.earliest_month <= chosen <= last:
            raise RuleViolation(
                "RET-APP-EARLY-WINDOW",
                earliest=_month(statutory.earliest_month),
                last=_month(last),
                chosen=_month(chosen),
            )
        return chosen, "early"
    if chosen < legal:
        raise RuleViolation(
            "RET-APP-NORMAL-MONTH",
            statutory=_month(legal),
            latest=_month(statutory.latest_month),
        )
    if chosen > statutory.latest_month:
        raise RuleViolation(
            "RET-APP-LATE-LIMIT", latest=_month(statutory.latest_month), chosen=_month(chosen)
        )
    if chosen > legal and not request.agreement:
        raise RuleViolation("RET-APP-LATE-AGREEMENT", statutory=_month(legal))
    return chosen, "late" if chosen > legal else "statutory"


def eligibility_of(
    *, person: Person, request: RetirementRequest, source: ParameterSource, today: date
) -> Eligibility:
    """Statutory age and month by group, the flexible window and the month asked for."""
    if request.item_code not in RETIREMENT_ITEMS:
        raise RuleViolation("RET-APP-ITEM", item=request.item_code)
    group = group_for(person, request.group)
    birth = person.birth_date.year * 100 + person.birth_date.month
    result = statutory_retirement(birth=birth, params=retirement_params(source, group, today))
    statutory = result.value
    chosen, timing = _chosen_month(request, statutory)
    age = _months_from(birth, chosen)
    steps = result.trace_dict()
    steps["trace"] += [
        {
            "rule": "RET-CHOSEN-MONTH",
            "description": f"{request.item_code} {timing}: window "
            f"{_month(statutory.earliest_month)} … {_month(statutory.latest_month)}"
            + (", agreed with the employer" if request.agreement else ""),
            "value": _month(chosen),
            "params": [],
        },
        {
            "rule": "RET-AGE-AT-RETIREMENT",
            "description": f"{_month(chosen)} − {_month(birth)}",
            "value": _age(age),
            "params": [],
        },
    ]
    return Eligibility(
        group=group,
        birth_month=birth,
        statutory_month=statutory.retirement_month,
        statutory_age_months=statutory.age_months,
        earliest_month=statutory.earliest_month,
        latest_month=statutory.latest_month,
        min_contribution_months=statutory.min_contribution_months,
        retirement_month=chosen,
        retirement_age_months=age,
        timing=timing,
        trace=steps["trace"],
        parameters=steps["parameters"],
    )


def benefit_base(source: ParameterSource, region: str, year: int) -> tuple[ParamValue, bool]:
    """The base of ``year``; while unpublished, the latest published earlier year's
    (provisional). A year with no entry at all before it is refused."""
    for candidate in range(year, year - 30, -1):
        try:
            value = source.lookup("pension.benefit_base", region, date(candidate, 1, 1))
        except RuleViolation as refusal:
            if refusal.code == "PARAM-VALUE-UNPUBLISHED":
                continue
            if refusal.code == "PARAM-NO-VALUE":
                break
            raise
        return value, value.effective_from.year < year
    raise RuleViolation("RET-BENEFIT-BASE-UNPUBLISHED", year=year, region=region)


def account_at_retirement(
    *, person: Person, retirement_month: int, source: ParameterSource
) -> dict[str, Any]:
    """The journal balance and the provisional interest of the retirement year to the
    retirement month, as a transfer out works it out. A year already credited by the yearly
    run earns nothing more."""
    year = retirement_month // 100
    credited = AccountEntry.objects.filter(
        person=person, kind=EntryKind.INTEREST, year__gte=year, provisional=False
    ).exists()
    interest = part_year_interest(person=person, period=retirement_month, source=source)
    if interest.balance_fen < 0:
        raise RuleViolation("RET-ACCOUNT-NEGATIVE", balance=format_yuan(interest.balance_fen))
    interest_fen = 0 if credited else interest.interest_fen
    step = {
        "rule": "RET-ACCOUNT-BALANCE",
        "description": f"{format_yuan(interest.balance_fen)} + {format_yuan(interest_fen)}"
        + (f" (the {year} interest is already credited)" if credited else ""),
        "value": format_yuan(interest.balance_fen + interest_fen),
        "params": [],
    }
    return {
        "balance_fen": interest.balance_fen,
        "interest_fen": interest_fen,
        "rate": interest.rate,
        "rate_year": interest.rate_year,
        "provisional": interest.provisional and not credited,
        "account_fen": interest.balance_fen + interest_fen,
        "trace": ([] if credited else interest.trace) + [step],
        "parameters": [] if credited else interest.parameters,
    }


def retirement_assess(
    *,
    person: Person,
    request: RetirementRequest,
    today: date | None = None,
    source: ParameterSource | None = None,
) -> RetirementAssessment:
    """Eligibility, history and pension for the request; refuses with a rule code. Writes
    nothing."""
    source = source or DatabaseParameters()
    today = today or timezone.localdate()
    eligibility = eligibility_of(person=person, request=request, source=source, today=today)
    region = person.managing_agency.division_code
    history = contribution_history(
        person=person,
        through=eligibility.retirement_month,
        deemed_months=request.deemed_months,
        region=region,
        source=source,
    )
    if history.total_months < eligibility.min_contribution_months:
        raise RuleViolation(
            "RET-MIN-CONTRIBUTION-SHORT",
            have=history.total_months,
            minimum=eligibility.min_contribution_months,
            year=eligibility.statutory_month // 100,
            missing=eligibility.min_contribution_months - history.total_months,
        )
    eligibility.trace.append(
        {
            "rule": "RET-MINIMUM-MET",
            "description": f"{history.total_months} ≥ {eligibility.min_contribution_months}",
            "value": history.total_months,
            "params": [],
        }
    )
    start = period_add(eligibility.retirement_month, 1)
    base, provisional = benefit_base(source, region, start // 100)
    account = account_at_retirement(
        person=person, retirement_month=eligibility.retirement_month, source=source
    )
    on = date(start // 100, 1, 1)
    result = pension_at_retirement(
        claim=PensionClaim(
            benefit_base=base.decimal(),
            average_index=history.index,
            contribution_months=history.total_months,
            deemed_months=history.deemed_months,
            account_balance=fen_to_yuan(account["account_fen"]),
            retirement_age_months=eligibility.retirement_age_months,
        ),
        params=PensionParams(
            basic_rate=source.lookup("pension.basic.rate_per_year", region, on),
            divisor_table=source.lookup("pension.divisor.table", region, on),
            divisor_rule=source.lookup("pension.divisor.part_year_rule", region, on),
            transitional_rate=source.lookup("pension.transitional.rate_per_year", region, on),
        ),
        published_base=base,
    )
    pension = result.value
    base_step = {
        "rule": "RET-BENEFIT-BASE",
        "description": f"region {region}, year {start // 100}: base of {base.effective_from.year}"
        + (" (provisional)" if provisional else ""),
        "value": format(base.decimal(), "f"),
        "params": [f"{base.key}@{base.region}#v{base.version}"],
    }
    pension_steps = result.trace_dict()
    figures = AwardFigures(
        benefit_base_fen=yuan_to_fen(base.decimal()),
        benefit_base_year=base.effective_from.year,
        provisional=provisional,
        average_index=history.average_index,
        contribution_months=history.total_months,
        deemed_months=history.deemed_months,
        account_balance_fen=account["account_fen"],
        retirement_age_months=eligibility.retirement_age_months,
        basic_fen=yuan_to_fen(pension.basic),
        account_fen=yuan_to_fen(pension.account),
        transitional_fen=yuan_to_fen(pension.transitional),
        total_fen=yuan_to_fen(pension.total),
        calculation={
            "retirement_month": eligibility.retirement_month,
            "start_period": start,
            "region": region,
            "eligibility": asdict(eligibility)
            | {
                "statutory_age": _age(eligibility.statutory_age_months),
                "retirement_age": _age(eligibility.retirement_age_months),
            },
            "history": history.as_json(),
            "account": account,
            "benefit_base": {
                "year": start // 100,
                "base_year": base.effective_from.year,
                "amount": format(base.decimal(), "f"),
                "provisional": provisional,
            },
            "divisor": pension.divisor,
            "divisor_age_years": pension.divisor_age_years,
            "trace": [
                *eligibility.trace,
                *history.trace,
                *account["trace"],
                base_step,
                *pension_steps["trace"],
            ],
            "parameters": _unique(
                [
                    *eligibility.parameters,
                    *history.parameters,
                    *account["parameters"],
                    *pension_steps["parameters"],
                ]
            ),
        },
    )
    return RetirementAssessment(request, eligibility, history, figures)


def _unique(parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[tuple[str, str, int], dict[str, Any]] = {}
    for parameter in parameters:
        seen.setdefault((parameter["key"], parameter["region"], parameter["version"]), parameter)
    return list(seen.values())


# --- the case ---------------------------------------------------------------------------------


def open_retirement_case(person: Person) -> Case | None:
    return (
        Case.objects.filter(
            item__code__in=RETIREMENT_ITEMS, applicant_person=person, status__in=OPEN_STATUSES
        )
        .order_by("pk")
        .first()
    )


def check_may_apply(actor: Actor, person: Person) -> None:
    ensure_acts_for(actor, person)
    ensure_person_active(person)
    if Pension.objects.filter(person=person).exists():
        raise RuleViolation("RET-APP-PENSION-EXISTS")
    pending = open_retirement_case(person)
    if pending is not None:
        raise RuleViolation("RET-APP-OPEN", receipt=pending.receipt_no)


def retirement_request(
    *,
    actor: Actor,
    person: Person,
    request: RetirementRequest,
    bank_name: str = "",
    bank_account: str = "",
    channel: str = "counter",
    today: date | None = None,
) -> Case:
    """Open the retirement case with every figure of the preview; nothing else is written
    until a second person approves."""
    if actor.user is None:
        raise RuleViolation("RET-APP-STAFF-ONLY")
    check_may_apply(actor, person)
    assessment = retirement_assess(person=person, request=request, today=today)
    data = assessment.as_json() | {
        "bank_name": bank_name.strip() or person.bank_name,
        "bank_account": bank_account.strip() or person.bank_account,
    }
    with transaction.atomic(durable=True):
        locked = Person.objects.select_for_update().get(pk=person.pk)
        check_may_apply(actor, locked)  # a concurrent request of the same person waits here
        case = open_request(
            actor=actor, item_code=request.item_code, channel=channel, person=person, data=data
        )
        audit_record(
            actor=actor,
            action="retirement.request",
            target=case,
            target_agency=person.managing_agency,
            after={
                "person": person.pk,
                "item": request.item_code,
                "retirement_month": assessment.eligibility.retirement_month,
                "total_fen": assessment.figures.total_fen,
                "case": case.receipt_no,
            },
        )
    return case


def request_of(case: Case) -> RetirementRequest:
    return RetirementRequest(**case.data["request"])


def apply_retirement(case: Case, actor: Actor, today: date | None = None) -> Pension:
    """Applied on approval inside the case's transaction: the figures worked out again, the
    pension opened, the relations retired, the award notice written. A replay finds the
    pension of this case and writes nothing."""
    if case.applicant_person_id is None:
        raise RuleViolation("RET-APP-ITEM", item=case.item.code)
    person = Person.objects.select_for_update().get(pk=case.applicant_person_id)
    existing = Pension.objects.filter(person=person).first()
    if existing is not None:
        if existing.award_case_id == case.pk:
            return existing
        raise RuleViolation("RET-APP-PENSION-EXISTS")
    request = request_of(case)
    assessment = retirement_assess(person=person, request=request, today=today)
    now = assessment.as_json()["figures"]
    accepted = case.data["figures"]
    if now != accepted:
        raise RuleViolation(
            "RET-FIGURES-CHANGED",
            before=format_yuan(accepted["total_fen"]),
            after=format_yuan(now["total_fen"]),
        )
    month = assessment.eligibility.retirement_month
    pension = pension_open(
        actor=actor,
        person=person,
        agency=person.managing_agency,
        group=assessment.eligibility.group,
        retirement_month=month,
        figures=assessment.figures,
        case_id=case.pk,
    )
    bank_name, bank_account = case.data.get("bank_name", ""), case.data.get("bank_account", "")
    if (bank_name, bank_account) != (pension.bank_name, pension.bank_account):
        pension.bank_name, pension.bank_account = bank_name, bank_account
        pension.save(update_fields=["bank_name", "bank_account", "updated_at"])
    case_record_link(case=case, record=pension, effect="created")
    unemployment_stop_on_pension(actor=actor, person=person, retirement_month=month)
    for relation in _relations_to_retire(person):
        _relation_retire(case, actor, relation, month)
    notice = PensionNotice.objects.create(
        pension=pension,
        kind=NoticeKind.AWARD,
        period=pension.start_period,
        details={
            "case": case.receipt_no,
            "retirement_month": month,
            "monthly_fen": pension.monthly_fen,
            "basic_fen": assessment.figures.basic_fen,
            "account_fen": assessment.figures.account_fen,
            "transitional_fen": assessment.figures.transitional_fen,
            "provisional": assessment.figures.provisional,
        },
        created_by=actor.username,
    )
    case_record_link(case=case, record=notice, effect="created")
    return pension


def _relations_to_retire(person: Person) -> list[InsuredRelation]:
    """The person's open pension relations and the unemployment and work-injury relations of
    the same employment."""
    open_statuses = (RelationStatus.ACTIVE, RelationStatus.SUSPENDED)
    relations = list(
        InsuredRelation.objects.select_for_update()
        .filter(person=person, status__in=open_statuses)
        .order_by("pk")
    )
    employers = {
        relation.employer_id for relation in relations if relation.scheme == Scheme.PENSION
    }
    return [
        relation
        for relation in relations
        if relation.scheme == Scheme.PENSION or relation.employer_id in employers
    ]


def _relation_retire(case: Case, actor: Actor, relation: InsuredRelation, month: int) -> None:
    check_end_period(relation.start_period, month)
    before = {"status": relation.status, "end_period": relation.end_period}
    relation.status = RelationStatus.RETIRED
    relation.end_period = month
    relation.end_reason = "retirement"
    relation.save(update_fields=["status", "end_period", "end_reason"])
    case_record_link(case=case, record=relation, effect="changed")
    audit_record(
        actor=actor,
        action="relation.retire",
        target=relation,
        target_agency=relation.agency,
        before=before,
        after={"status": relation.status, "end_period": month, "case": case.receipt_no},
    )


def shortfall_of(refusal: RuleViolation) -> dict[str, Any] | None:
    """The months missing and the options of rules.md §3.6, for a refusal for short years."""
    if refusal.code != "RET-MIN-CONTRIBUTION-SHORT":
        return None
    return {**refusal.params, "options": SHORTFALL_OPTIONS}
