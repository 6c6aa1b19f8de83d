"""Work injury (工伤): the recognition record (工伤认定结论登记, SBRG017) with the own wage
(本人工资) worked out from the contribution bases of the 12 months before the injury, and the
work-ability assessment record (劳动能力鉴定结论登记, SBRG018). Both decisions are made
elsewhere (the labour authority, the assessment committee); shebao records them, reviewed by
a second person. The assessment is in ``work_injury_assessment``, the benefits that follow
in ``work_injury_benefits`` (disability), ``work_injury_medical`` (medical costs) and
``work_injury_death`` (death at work).

rules.md §7.1; 工伤保险条例 arts. 17, 22, 64.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from shebao.benefits.models import Injury
from shebao.contributions.models import AssessmentLine, HistoricalContribution
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.money import fen_to_yuan, format_yuan, yuan_to_fen
from shebao.core.periods import period_add, period_of
from shebao.core.permissions import OutOfScope, ensure_in_scope, scope_filter
from shebao.registry.models import Employer, InsuredRelation, Person, Scheme
from shebao.registry.services.common import open_request
from shebao.rules.calculators.work_injury import OwnWageLimits, clamp_own_wage
from shebao.rules.params import ParameterSource
from shebao.rules.store import DatabaseParameters
from shebao.rules.trace import Trace
from shebao.services.models import FINISHED_STATUSES, OPEN_STATUSES, Case
from shebao.services.services import case_record_link

ITEM_RECOGNITION = "SBRG017"
ITEM_ASSESSMENT = "SBRG018"
ITEM_MEDICAL = "SBBN027"
ITEM_DISABILITY = "SBBN032"
ITEM_DEATH = "SBBN033"
OWN_WAGE_MONTHS = 12
_REG = "工伤保险条例"

register_rule(
    "WI-STAFF-ONLY",
    "工伤业务须由经办人员受理。",
    "A work-injury item must be accepted by a member of staff.",
)
register_rule(
    "WI-DECISION-NO-REQUIRED",
    "请填写工伤认定决定书编号。",
    "Give the number of the injury recognition decision.",
    f"{_REG} art. 20",
)
register_rule(
    "WI-DECISION-EXISTS",
    "工伤认定决定书 {decision_no} 已登记。",
    "Injury recognition decision {decision_no} is already recorded.",
)
register_rule(
    "WI-DECISION-PENDING",
    "工伤认定决定书 {decision_no} 已有未办结的登记办件（{receipt}）。",
    "Injury recognition decision {decision_no} already has an open case ({receipt}).",
)
register_rule(
    "WI-DATE-ORDER",
    "日期有误：受伤日期 {injured_on} 不能晚于认定日期 {decided_on}，认定日期不能晚于今天。",
    "The dates do not fit: the injury ({injured_on}) comes before the decision "
    "({decided_on}), and the decision is not in the future.",
)
register_rule(
    "WI-DEATH-DATE",
    "因工死亡须填写死亡日期（不早于受伤日期 {injured_on}，不晚于今天）；非因工死亡不填。",
    "A death at work needs the date of death (not before the injury on {injured_on}, not in "
    "the future); leave it empty otherwise.",
)
register_rule(
    "WI-NOT-INSURED",
    "{employer} 在受伤当月 {month} 未为该人员参加工伤保险，基金不支付工伤保险待遇，"
    "由用人单位支付。",
    "{employer} had not insured this person for work injury in {month}, the month of the "
    "injury: the fund pays nothing, the employer owes the benefits.",
    "社会保险法 art. 41; 工伤保险条例 art. 62",
)
register_rule(
    "WI-OWN-WAGE-NO-MONTHS",
    "受伤前12个月（{first}–{last}）没有已到账的工伤或养老保险缴费基数，无法核定本人工资。",
    "No paid work-injury or pension contribution base in the 12 months before the injury "
    "({first}–{last}): the own wage cannot be worked out.",
    f"{_REG} art. 64",
)
register_rule(
    "WI-OWN-WAGE-AVERAGE",
    "本人工资 = 受伤前12个月月缴费工资之和 ÷ 有缴费的月数（工伤险种优先，无则养老险种；"
    "已到账核定优先于历史记录），四舍五入到分",
    "Own wage = the monthly contribution bases of the 12 months before the injury ÷ the months "
    "contributed (work-injury scheme first, else pension; paid assessment lines before "
    "historical months), rounded half-up to the fen",
    f"{_REG} art. 64",
    kind="calculation",
)
register_rule(
    "WI-FIGURES-CHANGED",
    "受理后核定数据已变化（受理时 {before}，现为 {after}），请退回经办人重新受理。",
    "The figures changed since the case was accepted ({before} then, {after} now): return "
    "the case so the clerk makes it again.",
)
register_rule(
    "WI-ITEM",
    "办件 {receipt} 不是本工伤的 {item} 办件。",
    "Case {receipt} is not a {item} case of this injury.",
)


# --- reads --------------------------------------------------------------------------------------


def injuries_visible(actor: Actor) -> QuerySet[Injury]:
    return scope_filter(
        Injury.objects.select_related("person", "employer", "agency"), actor, "agency"
    )


def injury_get(actor: Actor, injury_id: int) -> Injury:
    """An injury of the actor's subtree; any other answers as absent (404)."""
    injury = injuries_visible(actor).filter(pk=injury_id).first()
    if injury is None:
        raise OutOfScope()
    return injury


def injury_cases(injury: Injury) -> QuerySet[Case]:
    """Every case about the injury: its recognition and the cases that name it."""
    return (
        Case.objects.filter(Q(pk=injury.case_id) | Q(data__injury_id=injury.pk))
        .select_related("item")
        .order_by("pk")
    )


def pending_case(item_code: str, **data: Any) -> Case | None:
    """An open case of ``item_code`` whose data holds ``data`` (an injury, a decision)."""
    lookups = {f"data__{key}": value for key, value in data.items()}
    return (
        Case.objects.filter(item__code=item_code, status__in=OPEN_STATUSES, **lookups)
        .order_by("pk")
        .first()
    )


def finished_case(item_code: str, **data: Any) -> Case | None:
    lookups = {f"data__{key}": value for key, value in data.items()}
    return (
        Case.objects.filter(item__code=item_code, status__in=FINISHED_STATUSES, **lookups)
        .order_by("pk")
        .first()
    )


def ensure_staff(actor: Actor) -> None:
    if actor.user is None:
        raise RuleViolation("WI-STAFF-ONLY")


def ensure_case_of(case: Case, item_code: str) -> None:
    if case.item.code != item_code:
        raise RuleViolation("WI-ITEM", receipt=case.receipt_no, item=item_code)


def case_injury_locked(case: Case, item_code: str) -> Injury:
    """A handler's first step: the case is of ``item_code``, and its injury is locked so two
    approvals on one injury run one after the other."""
    ensure_case_of(case, item_code)
    return (
        Injury.objects.select_for_update()
        .select_related("person", "agency")
        .get(pk=case.data["injury_id"])
    )


def figures_unchanged(accepted: dict[str, Any], now: dict[str, Any], total_key: str) -> None:
    """The approval works the figures out again: any difference sends the case back."""
    if accepted != now:
        raise RuleViolation(
            "WI-FIGURES-CHANGED",
            before=_amount(accepted.get(total_key)),
            after=_amount(now.get(total_key)),
        )


def _amount(value: Any) -> str:
    return format_yuan(value) if isinstance(value, int) else str(value)


# --- own wage (本人工资), rules.md §7.1 ---------------------------------------------------------


@dataclass(frozen=True)
class OwnWage:
    """The own wage of an injury with the months it comes from and its trace."""

    first_month: int
    last_month: int
    months: list[dict[str, Any]]  # period, base_fen, scheme, origin
    average_fen: int
    own_wage_fen: int
    trace: list[dict[str, Any]]
    parameters: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _paid_bases(person: Person, scheme: str, first: int, last: int) -> dict[int, int]:
    rows = (
        AssessmentLine.objects.filter(
            person=person,
            scheme=scheme,
            paid_on__isnull=False,
            period__gte=first,
            period__lte=last,
        )
        .values("period")
        .annotate(base=Sum("base_fen"))
        .order_by("period")
    )
    return {row["period"]: int(row["base"]) for row in rows if row["base"] > 0}


def _historical_bases(person: Person, scheme: str, first: int, last: int) -> dict[int, int]:
    return dict(
        HistoricalContribution.objects.filter(
            person_id=person.pk, scheme=scheme, period__gte=first, period__lte=last, base_fen__gt=0
        ).values_list("period", "base_fen")
    )


def contribution_bases_before(
    person: Person, injured_on: date
) -> tuple[int, int, list[dict[str, Any]]]:
    """The monthly contribution wage of each of the 12 months before the injury month: the
    work-injury base where there is one, else the pension base (the same wage in a normal
    employment); shebao's paid assessment lines before the months loaded from a city system."""
    last = period_add(period_of(injured_on), -1)
    first = period_add(last, -(OWN_WAGE_MONTHS - 1))
    sources = [
        (Scheme.WORK_INJURY, "assessment", _paid_bases(person, Scheme.WORK_INJURY, first, last)),
        (Scheme.WORK_INJURY, "history", _historical_bases(person, Scheme.WORK_INJURY, first, last)),
        (Scheme.PENSION, "assessment", _paid_bases(person, Scheme.PENSION, first, last)),
        (Scheme.PENSION, "history", _historical_bases(person, Scheme.PENSION, first, last)),
    ]
    months: dict[int, dict[str, Any]] = {}
    for scheme, origin, bases in sources:
        for period, base_fen in bases.items():
            months.setdefault(
                period,
                {"period": period, "base_fen": base_fen, "scheme": str(scheme), "origin": origin},
            )
    return first, last, [months[p] for p in sorted(months)]


def own_wage_limits(source: ParameterSource, region: str, on: date) -> OwnWageLimits:
    # The regional average monthly wage of art. 64 is the reference wage Hubei publishes for
    # its city tiers, the value in force being the previous year's (as the calc adapter reads).
    return OwnWageLimits(
        average_wage=source.lookup("wage.reference_average_monthly", region, on),
        floor_ratio=source.lookup("work_injury.own_wage_floor_ratio", region, on),
        cap_ratio=source.lookup("work_injury.own_wage_cap_ratio", region, on),
    )


def own_wage_of(
    *, person: Person, injured_on: date, region: str, source: ParameterSource
) -> OwnWage:
    """Own wage = the average monthly contribution wage of the 12 months before the injury,
    clamped to [60%, 300%] of the regional average wage (rules.md §7.1). Fewer than 12
    contributed months average over the months there are; none is refused."""
    first, last, months = contribution_bases_before(person, injured_on)
    if not months:
        raise RuleViolation("WI-OWN-WAGE-NO-MONTHS", first=first, last=last)
    total_fen = sum(month["base_fen"] for month in months)
    average = (Decimal(total_fen) / len(months)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    average_fen = int(average)
    trace = Trace()
    trace.add(
        "WI-OWN-WAGE-AVERAGE",
        f"{format_yuan(total_fen)} ÷ {len(months)} months ({first}–{last})",
        format_yuan(average_fen),
    )
    clamped = clamp_own_wage(
        fen_to_yuan(average_fen), own_wage_limits(source, region, injured_on), trace
    )
    steps = [step.as_dict() for step in trace.steps]
    return OwnWage(
        first_month=first,
        last_month=last,
        months=months,
        average_fen=average_fen,
        own_wage_fen=yuan_to_fen(clamped),
        trace=steps,
        parameters=[ref.as_dict() for ref in trace.params_used()],
    )


# --- recognition (SBRG017) ----------------------------------------------------------------------


@dataclass(frozen=True)
class InjuryRecord:
    """What the clerk copies from the recognition decision (工伤认定决定书)."""

    decision_no: str
    decided_on: date
    injured_on: date
    employer_id: int
    description: str
    fatal: bool = False
    died_on: date | None = None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("decided_on", "injured_on", "died_on"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InjuryRecord:
        return cls(
            decision_no=data["decision_no"],
            decided_on=date.fromisoformat(data["decided_on"]),
            injured_on=date.fromisoformat(data["injured_on"]),
            employer_id=data["employer_id"],
            description=data["description"],
            fatal=data["fatal"],
            died_on=date.fromisoformat(data["died_on"]) if data["died_on"] else None,
        )


@dataclass(frozen=True)
class RecognitionAssessment:
    record: InjuryRecord
    relation: InsuredRelation
    own_wage: OwnWage

    def as_json(self) -> dict[str, Any]:
        return {
            "record": self.record.as_json(),
            "relation_id": self.relation.pk,
            "agency_id": self.relation.agency_id,
            "own_wage": self.own_wage.as_json(),
        }


def work_injury_relation(person: Person, employer: Employer, injured_on: date) -> InsuredRelation:
    """The employer's work-injury relation of the person covering the injury month."""
    month = period_of(injured_on)
    relation = (
        InsuredRelation.objects.select_related("agency")
        .filter(
            person=person,
            employer=employer,
            scheme=Scheme.WORK_INJURY,
            start_period__lte=month,
        )
        .filter(Q(end_period__isnull=True) | Q(end_period__gte=month))
        .order_by("-start_period", "pk")
        .first()
    )
    if relation is None:
        raise RuleViolation("WI-NOT-INSURED", employer=employer.name, month=month)
    return relation


def _check_record(record: InjuryRecord, today: date) -> None:
    if not record.decision_no.strip():
        raise RuleViolation("WI-DECISION-NO-REQUIRED")
    if not (record.injured_on <= record.decided_on <= today):
        raise RuleViolation(
            "WI-DATE-ORDER",
            injured_on=record.injured_on.isoformat(),
            decided_on=record.decided_on.isoformat(),
        )
    died_ok = (
        record.died_on is not None and record.injured_on <= record.died_on <= today
        if record.fatal
        else record.died_on is None
    )
    if not died_ok:
        raise RuleViolation("WI-DEATH-DATE", injured_on=record.injured_on.isoformat())
    if Injury.objects.filter(decision_no=record.decision_no.strip()).exists():
        raise RuleViolation("WI-DECISION-EXISTS", decision_no=record.decision_no.strip())


def injury_assess(
    *,
    actor: Actor,
    person: Person,
    record: InjuryRecord,
    today: date | None = None,
    source: ParameterSource | None = None,
) -> RecognitionAssessment:
    """Check the record and work out the own wage; writes nothing."""
    today = today or timezone.localdate()
    source = source or DatabaseParameters()
    record = InjuryRecord(**{**asdict(record), "decision_no": record.decision_no.strip()})
    _check_record(record, today)
    employer = Employer.objects.filter(pk=record.employer_id).first()
    if employer is None:
        raise OutOfScope()
    relation = work_injury_relation(person, employer, record.injured_on)
    ensure_in_scope(actor, relation.agency)
    own_wage = own_wage_of(
        person=person,
        injured_on=record.injured_on,
        region=relation.agency.division_code,
        source=source,
    )
    return RecognitionAssessment(record, relation, own_wage)


def injury_request(
    *,
    actor: Actor,
    person: Person,
    record: InjuryRecord,
    channel: str = "counter",
    today: date | None = None,
) -> Case:
    """Open the recognition case (SBRG017) with the own wage of the preview; the injury is
    recorded when a second person approves."""
    ensure_staff(actor)
    assessment = injury_assess(actor=actor, person=person, record=record, today=today)
    decision_no = assessment.record.decision_no
    with transaction.atomic(durable=True):
        Person.objects.select_for_update().get(pk=person.pk)  # one request at a time
        pending = pending_case(ITEM_RECOGNITION, record__decision_no=decision_no)
        if pending is not None:
            raise RuleViolation(
                "WI-DECISION-PENDING", decision_no=decision_no, receipt=pending.receipt_no
            )
        case = open_request(
            actor=actor,
            item_code=ITEM_RECOGNITION,
            channel=channel,
            person=person,
            data=assessment.as_json(),
        )
        audit_record(
            actor=actor,
            action="injury.request",
            target=case,
            target_agency=assessment.relation.agency,
            after={
                "person": person.pk,
                "decision_no": decision_no,
                "own_wage_fen": assessment.own_wage.own_wage_fen,
                "case": case.receipt_no,
            },
        )
    return case


def apply_recognition(case: Case, actor: Actor, today: date | None = None) -> Injury:
    """The SBRG017 handler: the own wage worked out again, the injury recorded."""
    ensure_case_of(case, ITEM_RECOGNITION)
    existing = Injury.objects.filter(case_id=case.pk).first()
    if existing is not None:
        return existing
    assert case.applicant_person_id is not None
    person = Person.objects.select_for_update().get(pk=case.applicant_person_id)
    record = InjuryRecord.from_json(case.data["record"])
    # The approver checks as of the day the decision was accepted against the figures then.
    assessment = injury_assess(actor=actor, person=person, record=record, today=today)
    accepted = case.data["own_wage"]
    now = assessment.own_wage.as_json()
    figures_unchanged(
        {"own_wage_fen": accepted["own_wage_fen"], "months": accepted["months"]},
        {"own_wage_fen": now["own_wage_fen"], "months": now["months"]},
        "own_wage_fen",
    )
    injury = Injury.objects.create(
        person=person,
        employer_id=record.employer_id,
        agency=assessment.relation.agency,
        decision_no=record.decision_no,
        decided_on=record.decided_on,
        injured_on=record.injured_on,
        description=record.description,
        fatal=record.fatal,
        died_on=record.died_on,
        own_wage_fen=assessment.own_wage.own_wage_fen,
        case_id=case.pk,
        recorded_by=actor.username,
    )
    case_record_link(case=case, record=injury, effect="created")
    audit_record(
        actor=actor,
        action="injury.record",
        target=injury,
        target_agency=injury.agency,
        after={
            "decision_no": injury.decision_no,
            "person": person.pk,
            "employer": record.employer_id,
            "injured_on": record.injured_on.isoformat(),
            "fatal": record.fatal,
            "died_on": record.died_on.isoformat() if record.died_on else None,
            "own_wage_fen": injury.own_wage_fen,
            "case": case.receipt_no,
        },
    )
    return injury


def own_wage_calculation(injury: Injury) -> dict[str, Any]:
    """The own wage's months and trace, as the recognition case stored them."""
    case = Case.objects.filter(pk=injury.case_id).first() if injury.case_id else None
    return dict(case.data.get("own_wage", {})) if case else {}
