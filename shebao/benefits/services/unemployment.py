"""Unemployment benefit (失业保险金): the registration and claim as one case, the benefit it
opens on approval, and its stops (rules.md §6; 失业保险条例 arts. 14–18; 社会保险法 arts. 45–51).

Items: SBBN011 失业保险金申领 records the unemployment registration (失业登记) with the claim,
is reviewed, and its approval opens the benefit; SBBC008 失业保险金停发 is a clerk's stop with a
reason, reviewed. Re-employment is detected without a clerk: a new insured relation that starts
after the registration month stops the benefit the month before, and a pension award stops it
in the retirement month: the stops are in ``unemployment_stops``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shebao.benefits.models import (
    Benefit,
    BenefitKind,
    BenefitStatus,
    LineStatus,
    PayrollLine,
    Pension,
    PensionStatus,
    UnemploymentClaim,
)
from shebao.benefits.services.benefits import Payee, benefit_open
from shebao.contributions.models import AssessmentLine, HistoricalContribution
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.money import format_yuan, yuan_to_fen
from shebao.core.periods import months_between, period_add, period_format, period_of
from shebao.core.permissions import ensure_acts_for
from shebao.registry.models import (
    Employer,
    InsuredRelation,
    Person,
    RelationStatus,
    Scheme,
)
from shebao.registry.rules import check_end_period
from shebao.registry.services.common import open_request
from shebao.registry.services.persons import ensure_person_active
from shebao.rules.calculators.unemployment import UnemploymentClaim as ClaimFacts
from shebao.rules.calculators.unemployment import (
    UnemploymentRules,
    unemployment_benefit,
    unmet_conditions,
)
from shebao.rules.params import ParameterSource
from shebao.rules.store import DatabaseParameters
from shebao.services.models import OPEN_STATUSES, Case
from shebao.services.services import case_record_link

ITEM_CLAIM = "SBBN011"
_REGULATION = "失业保险条例"
MEDICAL_KEY = "unemployment.medical_contribution_monthly"

# Why the work ended (失业原因): only an end the claimant did not choose gives a right to the
# benefit (失业保险条例 art. 14(2); 实施《社会保险法》若干规定 art. 13 lists the cases).
SEPARATION_REASONS: dict[str, tuple[str, str, bool]] = {
    "dismissal": ("用人单位解除劳动合同", "dismissed by the employer", True),
    "contract_end": (
        "劳动合同期满，用人单位不续订",
        "contract ended and not renewed by the employer",
        True,
    ),
    "employer_closed": (
        "用人单位破产、关闭、撤销或提前解散",
        "employer bankrupt, closed or dissolved",
        True,
    ),
    "mutual_by_employer": (
        "用人单位提出协商一致解除劳动合同",
        "mutual termination proposed by the employer",
        True,
    ),
    "forced_resignation": (
        "因用人单位过错本人被迫解除劳动合同（劳动合同法第三十八条）",
        "resigned because of the employer's fault (labour contract law art. 38)",
        True,
    ),
    "resignation": ("本人辞职", "voluntary resignation", False),
    "mutual_by_employee": (
        "本人提出协商一致解除劳动合同",
        "mutual termination proposed by the employee",
        False,
    ),
}
# The relation's removal reason the registry knows for each separation reason.
_REMOVAL_REASON = {"dismissal": "dismissal", "contract_end": "contract_end"}

register_rule(
    "UNE-CLAIM-STAFF-ONLY",
    "失业保险金申领须由经办人员受理。",
    "An unemployment claim must be accepted by a member of staff.",
)
register_rule(
    "UNE-CLAIM-NOT-PREPARED",
    "该办件未经失业保险金申领页面受理，没有核定数据；请退回经办人在申领页面重新受理。",
    "This case was not made on the unemployment claim page and holds no figures: return it so "
    "the clerk makes the claim there.",
)
register_rule(
    "UNE-CLAIM-REASON",
    "失业原因“{reason}”不在可选范围内。",
    "'{reason}' is not a known reason for the end of work.",
)
register_rule(
    "UNE-CLAIM-DATES",
    "失业登记日期 {registered} 不能早于离职日期 {separated}，也不能晚于今天 {today}。",
    "The registration date {registered} may be neither before the end of work {separated} nor "
    "after today {today}.",
    _REGULATION + " art. 16",
)
register_rule(
    "UNE-CLAIM-EMPLOYER",
    "该人员在所填用人单位没有失业保险参保记录。",
    "The person was not insured for unemployment with the employer given.",
    _REGULATION + " art. 16",
)
register_rule(
    "UNE-CLAIM-SHORT",
    "失业前缴纳失业保险费 {have} 个月，不满 {minimum} 个月。",
    "{have} contribution months before unemployment, fewer than the {minimum} required.",
    _REGULATION + " art. 14(1); 社会保险法 art. 45",
)
register_rule(
    "UNE-CLAIM-OPEN",
    "该人员已有未办结的失业保险金申领（{receipt}），请先办结。",
    "An unemployment claim of this person is still open ({receipt}): finish it first.",
)
register_rule(
    "UNE-CLAIM-RUNNING",
    "该人员正在领取失业保险金（至 {end}），不能再次申领。",
    "This person already draws unemployment benefit (through {end}) and cannot claim again.",
    _REGULATION + " art. 17",
)
register_rule(
    "UNE-CLAIM-PENSION",
    "该人员已享受基本养老保险待遇，不能领取失业保险金。",
    "This person draws a pension and cannot receive unemployment benefit.",
    _REGULATION + " art. 15(2); 社会保险法 art. 51",
)
register_rule(
    "UNE-CLAIM-BANK",
    "请填写发放失业保险金的银行和账号。",
    "Give the bank and the account the benefit is paid to.",
)
register_rule(
    "UNE-FIGURES-CHANGED",
    "受理后核定数据已变化（受理时 {before}，现为 {after}），请退回经办人重新受理。",
    "The figures changed since the claim was accepted ({before} then, {after} now): return the "
    "case so the clerk makes it again.",
)
register_rule(
    "UNE-CONTRIBUTION-MONTHS",
    "缴费月数 = 已到账失业保险核定月份 ∪ 历史失业保险缴费月份（同一月份只计一次），截至离职月；"
    "再次失业的，自前次失业登记月份之后重新计算",
    "Contribution months = paid unemployment assessment months ∪ historical unemployment months "
    "(each month once) through the month work ended; after an earlier claim, counted anew from "
    "the month after its registration",
    _REGULATION + " arts. 14, 17",
    kind="calculation",
)
register_rule(
    "UNE-UNUSED-MONTHS",
    "前次失业应领而尚未领取的月数 = 前次最长领取月数 − 已发放月数",
    "Unused months of the earlier claim = its maximum months − the months paid",
    _REGULATION + " art. 17",
    kind="calculation",
)
register_rule(
    "UNE-PERIOD",
    "自失业登记之月起发放，最后月份 = 首月 + 最长领取月数 − 1",
    "Paid from the registration month; last month = first month + maximum months − 1",
    "社会保险法 art. 50",
    kind="calculation",
)
register_rule(
    "UNE-MEDICAL",
    "失业保险基金代缴的基本医疗保险费（月额）",
    "Medical contribution the fund pays each month for the claimant",
    "社会保险法 art. 48",
    kind="calculation",
)


@dataclass(frozen=True)
class UnemploymentRequest:
    """What the clerk enters for the registration and claim."""

    separated_on: date
    separation_reason: str
    registered_on: date
    employer_id: int | None = None
    bank_name: str = ""
    bank_account: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {
            "separated_on": self.separated_on.isoformat(),
            "registered_on": self.registered_on.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UnemploymentRequest:
        return cls(
            **data
            | {
                "separated_on": date.fromisoformat(data["separated_on"]),
                "registered_on": date.fromisoformat(data["registered_on"]),
            }
        )


@dataclass(frozen=True)
class UnemploymentFigures:
    contribution_months: int
    from_assessment: int
    from_history: int
    counted_from: int | None  # the first month counted after an earlier claim
    entitled_months: int  # by this claim's contribution years
    carried_months: int  # unused months of the earlier claim
    max_months: int
    monthly_fen: int
    medical_fen: int
    medical_open: bool  # no parameter yet: the amount is open
    start_period: int
    end_period: int
    region: str


@dataclass(frozen=True)
class UnemploymentAssessment:
    request: UnemploymentRequest
    figures: UnemploymentFigures
    calculation: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "request": self.request.as_json(),
            "figures": asdict(self.figures),
            "calculation": self.calculation,
        }


# --- the figures --------------------------------------------------------------------------------


def contribution_months(
    person: Person, *, through: int, after: int | None = None
) -> tuple[int, int, int]:
    """Months of unemployment contributions through ``through`` (and after ``after``): total,
    from paid assessment lines, and from the historical months not already in the lines."""
    lines = AssessmentLine.objects.filter(
        person=person, scheme=Scheme.UNEMPLOYMENT, paid_on__isnull=False, period__lte=through
    )
    history = HistoricalContribution.objects.filter(
        person_id=person.pk, scheme=Scheme.UNEMPLOYMENT, period__lte=through
    )
    if after is not None:
        lines, history = lines.filter(period__gt=after), history.filter(period__gt=after)
    assessed = set(lines.values_list("period", flat=True))
    historical = set(history.values_list("period", flat=True)) - assessed
    return len(assessed) + len(historical), len(assessed), len(historical)


def months_paid(benefit: Benefit) -> int:
    """Distinct months of the benefit's payroll lines the bank kept."""
    return (
        PayrollLine.objects.filter(benefit_id=benefit.pk)
        .exclude(status=LineStatus.FAILED)
        .values("period")
        .distinct()
        .count()
    )


def earlier_benefit(person: Person) -> Benefit | None:
    """The person's latest earlier unemployment benefit (its maximum already holds what was
    carried into it)."""
    return (
        Benefit.objects.filter(person=person, kind=BenefitKind.UNEMPLOYMENT)
        .order_by("-start_period", "-pk")
        .first()
    )


def _max_months_of(benefit: Benefit) -> int:
    claim = UnemploymentClaim.objects.filter(benefit=benefit).first()
    if claim is not None:
        return claim.max_months
    return months_between(benefit.start_period, benefit.end_period or benefit.start_period) + 1


def medical_monthly_fen(source: ParameterSource, region: str, on: date) -> tuple[int, bool]:
    """The medical contribution the fund pays a month, if the parameters hold it; (0, open)
    otherwise: no figure is invented."""
    try:
        value = source.lookup(MEDICAL_KEY, region, on)
    except RuleViolation as refusal:
        if refusal.code in {"PARAM-UNKNOWN-KEY", "PARAM-NO-VALUE", "PARAM-VALUE-UNPUBLISHED"}:
            return 0, True
        raise
    return yuan_to_fen(value.decimal()), False


def _step(rule: str, description: str, value: Any) -> dict[str, Any]:
    return {"rule": rule, "description": description, "value": str(value), "params": []}


def unemployment_assess(
    *,
    person: Person,
    request: UnemploymentRequest,
    today: date | None = None,
    source: ParameterSource | None = None,
) -> UnemploymentAssessment:
    """Eligibility, maximum months with carry-over, and the amount; refuses with a rule code.
    Writes nothing."""
    source = source or DatabaseParameters()
    today = today or timezone.localdate()
    if request.separation_reason not in SEPARATION_REASONS:
        raise RuleViolation("UNE-CLAIM-REASON", reason=request.separation_reason)
    if not request.separated_on <= request.registered_on <= today:
        raise RuleViolation(
            "UNE-CLAIM-DATES",
            registered=request.registered_on,
            separated=request.separated_on,
            today=today,
        )
    if (
        request.employer_id is not None
        and not InsuredRelation.objects.filter(
            person=person, employer_id=request.employer_id, scheme=Scheme.UNEMPLOYMENT
        ).exists()
    ):
        raise RuleViolation("UNE-CLAIM-EMPLOYER")
    region = person.managing_agency.division_code
    on = request.registered_on
    earlier = earlier_benefit(person)
    counted_after = earlier.start_period if earlier is not None else None
    through = period_of(request.separated_on)
    months, assessed, historical = contribution_months(person, through=through, after=counted_after)
    carried = 0
    trace = [
        _step(
            "UNE-CONTRIBUTION-MONTHS",
            f"{assessed} assessed + {historical} historical through {period_format(through)}"
            + (f", after {period_format(counted_after)}" if counted_after else ""),
            months,
        )
    ]
    if earlier is not None:
        earlier_max, earlier_paid = _max_months_of(earlier), months_paid(earlier)
        carried = max(earlier_max - earlier_paid, 0)
        trace.append(
            _step("UNE-UNUSED-MONTHS", f"#{earlier.pk}: {earlier_max} − {earlier_paid}", carried)
        )
    facts = ClaimFacts(
        contribution_months=months,
        involuntary=SEPARATION_REASONS[request.separation_reason][2],
        registered=True,
        carried_over_months=carried,
    )
    rules = UnemploymentRules(
        min_contribution_months=source.lookup("unemployment.min_contribution_months", region, on),
        max_months_by_years=source.lookup("unemployment.max_months_by_years", region, on),
        max_months_cap=source.lookup("unemployment.max_months_cap", region, on),
    )
    unmet = unmet_conditions(facts, rules.min_contribution_months)
    if "UNE-ELIG-CONTRIBUTION" in unmet:
        raise RuleViolation(
            "UNE-CLAIM-SHORT", have=months, minimum=rules.min_contribution_months.integer()
        )
    if unmet:
        raise RuleViolation(unmet[0])
    # A null minimum wage or ratio refuses here with the store's PARAM-VALUE-UNPUBLISHED.
    result = unemployment_benefit(
        claim=facts,
        rules=rules,
        minimum_wage=source.lookup("wage.minimum_monthly", region, on),
        benefit_ratio=source.lookup("unemployment.benefit_ratio", region, on),
    )
    benefit = result.value
    steps = result.trace_dict()
    start = period_of(request.registered_on)
    end = period_add(start, benefit.max_months - 1)
    medical_fen, medical_open = medical_monthly_fen(source, region, on)
    trace += [
        *steps["trace"],
        _step(
            "UNE-PERIOD",
            f"{period_format(start)} + {benefit.max_months} − 1",
            period_format(end),
        ),
        _step(
            "UNE-MEDICAL",
            f"parameter {MEDICAL_KEY}" + (": not in the parameters, open" if medical_open else ""),
            format_yuan(medical_fen),
        ),
    ]
    figures = UnemploymentFigures(
        contribution_months=months,
        from_assessment=assessed,
        from_history=historical,
        counted_from=period_add(counted_after, 1) if counted_after else None,
        entitled_months=next(
            int(step.value) for step in result.trace.steps if step.rule == "UNE-MAX-MONTHS"
        ),
        carried_months=carried,
        max_months=benefit.max_months,
        monthly_fen=yuan_to_fen(benefit.monthly_amount),
        medical_fen=medical_fen,
        medical_open=medical_open,
        start_period=start,
        end_period=end,
        region=region,
    )
    return UnemploymentAssessment(
        request, figures, {"trace": trace, "parameters": steps["parameters"]}
    )


# --- the claim case -----------------------------------------------------------------------------


def open_claim_case(person: Person) -> Case | None:
    return (
        Case.objects.filter(
            item__code=ITEM_CLAIM, applicant_person=person, status__in=OPEN_STATUSES
        )
        .order_by("pk")
        .first()
    )


def running_benefit(person: Person, from_period: int) -> Benefit | None:
    """An unemployment benefit still in payment in or after ``from_period``."""
    return (
        Benefit.objects.filter(
            person=person, kind=BenefitKind.UNEMPLOYMENT, status=BenefitStatus.ACTIVE
        )
        .filter(Q(end_period__isnull=True) | Q(end_period__gte=from_period))
        .order_by("pk")
        .first()
    )


def check_may_claim(actor: Actor, person: Person, today: date | None = None) -> None:
    ensure_acts_for(actor, person)
    ensure_person_active(person)
    pending = open_claim_case(person)
    if pending is not None:
        raise RuleViolation("UNE-CLAIM-OPEN", receipt=pending.receipt_no)
    running = running_benefit(person, period_of(today or timezone.localdate()))
    if running is not None:
        raise RuleViolation("UNE-CLAIM-RUNNING", end=running.end_period or "—")
    if Pension.objects.filter(person=person).exclude(status=PensionStatus.STOPPED).exists():
        raise RuleViolation("UNE-CLAIM-PENSION")


def unemployment_claim_request(
    *,
    actor: Actor,
    person: Person,
    request: UnemploymentRequest,
    channel: str = "counter",
    today: date | None = None,
) -> Case:
    """Open the SBBN011 case (registration and claim) with the preview's figures; nothing else
    is written until a second person approves."""
    if actor.user is None:
        raise RuleViolation("UNE-CLAIM-STAFF-ONLY")
    check_may_claim(actor, person, today)
    bank_name = request.bank_name.strip() or person.bank_name
    bank_account = request.bank_account.strip() or person.bank_account
    if not (bank_name and bank_account):
        raise RuleViolation("UNE-CLAIM-BANK")
    request = UnemploymentRequest(
        **asdict(request) | {"bank_name": bank_name, "bank_account": bank_account}
    )
    assessment = unemployment_assess(person=person, request=request, today=today)
    with transaction.atomic(durable=True):
        locked = Person.objects.select_for_update().get(pk=person.pk)
        check_may_claim(actor, locked, today)  # a concurrent claim of the same person waits
        case = open_request(
            actor=actor,
            item_code=ITEM_CLAIM,
            channel=channel,
            person=person,
            data=assessment.as_json(),
        )
        audit_record(
            actor=actor,
            action="unemployment.claim_request",
            target=case,
            target_agency=person.managing_agency,
            after={
                "person": person.pk,
                "registered_on": request.registered_on,
                "reason": request.separation_reason,
                "max_months": assessment.figures.max_months,
                "monthly_fen": assessment.figures.monthly_fen,
                "case": case.receipt_no,
            },
        )
    return case


def apply_unemployment_claim(case: Case, actor: Actor, today: date | None = None) -> Benefit:
    """Applied on approval inside the case's transaction: the figures worked out again, the
    claim recorded, the benefit opened, the unemployment relation ended. A replay finds the
    claim of this case and writes nothing."""
    if case.applicant_person_id is None or "request" not in case.data:
        raise RuleViolation("UNE-CLAIM-NOT-PREPARED")
    person = Person.objects.select_for_update().get(pk=case.applicant_person_id)
    done = UnemploymentClaim.objects.filter(case_id=case.pk).select_related("benefit").first()
    if done is not None and done.benefit is not None:
        return done.benefit
    request = UnemploymentRequest.from_json(case.data["request"])
    today = today or max(timezone.localdate(), request.registered_on)
    running = running_benefit(person, period_of(request.registered_on))
    if running is not None:
        raise RuleViolation("UNE-CLAIM-RUNNING", end=running.end_period or "—")
    assessment = unemployment_assess(person=person, request=request, today=today)
    figures = assessment.figures
    accepted = case.data["figures"]
    if asdict(figures) != accepted:
        raise RuleViolation(
            "UNE-FIGURES-CHANGED",
            before=f"{accepted['max_months']}m × {format_yuan(accepted['monthly_fen'])}",
            after=f"{figures.max_months}m × {format_yuan(figures.monthly_fen)}",
        )
    benefit = benefit_open(
        actor=actor,
        person=person,
        scheme=Scheme.UNEMPLOYMENT,
        kind=BenefitKind.UNEMPLOYMENT,
        payee=Payee(
            person.name, person.resident_id, "self", request.bank_name, request.bank_account
        ),
        agency=person.managing_agency,
        start_period=figures.start_period,
        end_period=figures.end_period,
        monthly_fen=figures.monthly_fen,
        medical_fen=figures.medical_fen,
        case_id=case.pk,
        source=f"{ITEM_CLAIM} {case.receipt_no}",
        calculation=assessment.calculation,
    )
    claim = UnemploymentClaim.objects.create(
        person=person,
        agency=person.managing_agency,
        case_id=case.pk,
        employer_id=request.employer_id,
        separated_on=request.separated_on,
        separation_reason=request.separation_reason,
        registered_on=request.registered_on,
        contribution_months=figures.contribution_months,
        entitled_months=figures.entitled_months,
        carried_months=figures.carried_months,
        max_months=figures.max_months,
        monthly_fen=figures.monthly_fen,
        benefit=benefit,
        calculation=assessment.as_json(),
    )
    case_record_link(case=case, record=claim, effect="created")
    case_record_link(case=case, record=benefit, effect="created")
    for relation in _relations_to_end(person, request):
        _relation_end(case, actor, relation, request)
    audit_record(
        actor=actor,
        action="unemployment.claim_approve",
        target=claim,
        target_agency=claim.agency,
        after={
            "benefit": benefit.pk,
            "start_period": figures.start_period,
            "end_period": figures.end_period,
            "max_months": figures.max_months,
            "carried_months": figures.carried_months,
            "monthly_fen": figures.monthly_fen,
            "case": case.receipt_no,
        },
    )
    return benefit


def _relations_to_end(person: Person, request: UnemploymentRequest) -> list[InsuredRelation]:
    """The person's still active unemployment relations (of the employer given, if any)."""
    relations = InsuredRelation.objects.select_for_update().filter(
        person=person, scheme=Scheme.UNEMPLOYMENT, status=RelationStatus.ACTIVE
    )
    if request.employer_id is not None:
        relations = relations.filter(employer_id=request.employer_id)
    return list(relations.order_by("pk"))


def _relation_end(
    case: Case, actor: Actor, relation: InsuredRelation, request: UnemploymentRequest
) -> None:
    """Ended in the month work ended, as a staff removal would (人员减少)."""
    month = period_of(request.separated_on)
    check_end_period(relation.start_period, month)
    before = {"status": relation.status, "end_period": relation.end_period}
    relation.status = RelationStatus.ENDED
    relation.end_period = month
    relation.end_reason = _REMOVAL_REASON.get(request.separation_reason, "other")
    relation.save(update_fields=["status", "end_period", "end_reason"])
    case_record_link(case=case, record=relation, effect="changed")
    audit_record(
        actor=actor,
        action="relation.remove",
        target=relation,
        target_agency=relation.agency,
        before=before,
        after={
            "status": relation.status,
            "end_period": month,
            "reason": relation.end_reason,
            "unemployment": request.separation_reason,
            "case": case.receipt_no,
        },
    )


def claims_of(person: Person) -> list[UnemploymentClaim]:
    return list(
        UnemploymentClaim.objects.filter(person=person)
        .select_related("benefit", "employer")
        .order_by("-registered_on", "-pk")
    )


def employers_of(person: Person) -> list[Employer]:
    """Employers the person was insured for unemployment with, newest relation first."""
    ids = list(
        InsuredRelation.objects.filter(
            person=person, scheme=Scheme.UNEMPLOYMENT, employer__isnull=False
        )
        .order_by("-start_period")
        .values_list("employer_id", flat=True)
    )
    by_id = Employer.objects.in_bulk(ids)
    return [by_id[i] for i in dict.fromkeys(ids)]
