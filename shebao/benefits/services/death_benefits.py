"""Survivor benefits on the death of a participant (参保人员死亡待遇): the funeral subsidy
(丧葬补助金) and the survivor payment (抚恤金) of item SBBN009 for a working participant or a
retiree (rules.md §8, 人社部发〔2021〕18号), the pension months owed to the estate, and the
unemployment-fund variant of item SBBN013.

The SBBN009 case opens when the death is registered (``services.death``). The clerk enters
the applicant relative and, for a working participant without a pension award, the deemed
months; the figures are worked out and stored in the case, which goes to a second person.
The approval works the figures out again on the records as they then stand (a difference
refuses it) and opens the one-time benefits the monthly payroll pays: the funeral subsidy
(one per person across all schemes, ``BEN-FUNERAL-ONCE``), the survivor payment and, for a
retiree, the pension months owed to the estate (``source`` ``estate:pension:<id>``).

A working participant's death is registered by a direct audited service at the counter
(``participant_death_register``): it pays nothing itself, every payment that follows is
reviewed. A retiree's death goes through the reviewed SBBC004 (it stops a pension).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, NoReturn

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from shebao.benefits.models import (
    Benefit,
    BenefitKind,
    Death,
    DeathSource,
    Pension,
    PensionAward,
)
from shebao.benefits.services.benefits import Payee, benefit_open, funeral_grant_of
from shebao.benefits.services.death import (
    ITEM_DEATH_BENEFIT,
    death_benefit_case_open,
    death_register,
)
from shebao.benefits.services.history import contribution_months, deemable_months
from shebao.benefits.services.pensions import pension_differences
from shebao.contributions.models import AssessmentLine, HistoricalContribution
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.identifiers import resident_id_check
from shebao.core.models import Action, Agency
from shebao.core.money import fen_to_yuan, format_yuan, round_to_fen, yuan_to_fen
from shebao.core.periods import period_of, period_range
from shebao.core.permissions import ensure_can, ensure_in_scope
from shebao.registry.models import Person, Scheme
from shebao.rules.calculators.death_benefit import DeathBenefitRules, death_benefit
from shebao.rules.params import NATIONAL, ParameterSource
from shebao.rules.store import DatabaseParameters
from shebao.services.models import Case, CaseStatus
from shebao.services.services import case_record_link, case_transition

ITEM_UNEMPLOYMENT_DEATH = "SBBN013"
INCOME_BASE_KEY = "death.monthly_income_base"
ESTATE_SOURCE = "estate:pension"
_BASIS = "社会保险法 art. 17; 人社部发〔2021〕18号"

register_rule(
    "DBEN-NO-DEATH",
    "该人员尚未登记死亡，不能申领丧葬补助金、抚恤金或继承个人账户。",
    "This person's death is not registered: no funeral subsidy, survivor payment or "
    "inheritance can be claimed.",
    _BASIS,
)
register_rule(
    "DBEN-CASE-STATE",
    "该丧葬补助金、抚恤金办件当前为“{status}”，只有已受理的办件可以录入申领人并提交复核。",
    "The death-benefit case is '{status}': only an accepted case can take the applicant and "
    "go to review.",
    _BASIS,
)
register_rule(
    "DBEN-APPLICANT",
    "请完整填写申领人（遗属）的姓名、与死者关系、开户银行和银行账号。",
    "Give the applicant relative's name, relation to the deceased, bank and bank account.",
    _BASIS,
)
register_rule(
    "DBEN-APPLICANT-IS-DECEASED",
    "申领人不能是死者本人。",
    "The applicant cannot be the deceased.",
    _BASIS,
)
register_rule(
    "DBEN-NOT-PREPARED",
    "该办件尚未录入申领人和核定金额，不能审批。",
    "The case holds no applicant and no figures yet: it cannot be approved.",
    _BASIS,
)
register_rule(
    "DBEN-FIGURES-CHANGED",
    "核定金额已变化（受理时 {before} 元，现为 {after} 元），请退回经办人重新核定。",
    "The figures changed since the case was prepared ({before} yuan then, {after} yuan now): "
    "send it back to the clerk to work them out again.",
    _BASIS,
)
register_rule(
    "DEATH-USE-PENSION-END",
    "该人员领取养老金，其死亡请通过“养老保险待遇终止”（SBBC004）办理。",
    "This person draws a pension: register the death through the pension's end (SBBC004).",
    _BASIS,
)
register_rule(
    "UDEATH-NOT-CLAIMANT",
    "该人员死亡时（{month}）未在领取失业保险金，不适用失业保险丧葬补助金和抚恤金。",
    "This person was not drawing unemployment benefit when they died ({month}): the "
    "unemployment funeral subsidy and survivor payment do not apply.",
    "社会保险法 art. 49",
)
register_rule(
    "UDEATH-RULES-OPEN",
    "湖北省失业人员死亡的丧葬补助金和抚恤金标准尚未配置（参照当地在职职工死亡规定，待确认），"
    "暂不能核定；同一人只能领取一次丧葬补助金，可按养老保险（SBBN009）申领。",
    "Hubei's funeral subsidy and survivor payment for an unemployment claimant who dies are not "
    "configured (they follow the local rule for employees, not confirmed): nothing can be "
    "awarded yet. One funeral subsidy only per person: the pension scheme's (SBBN009) may be "
    "claimed.",
    "社会保险法 art. 49; 失业保险条例 art. 20",
)
register_rule(
    "DBEN-OWN-CONTRIBUTIONS",
    "本人个人缴费额 = 已到账养老保险个人缴费 + 历史缴费月份的缴费基数 × 当时个人缴费比例",
    "Own contributions = the paid individual pension contributions + each historical month's "
    "base × the individual rate then in force",
    _BASIS,
    kind="calculation",
)
register_rule(
    "DBEN-ESTATE",
    "死亡当月及以前应发未发的养老金，支付给申领人（遗属）",
    "Pension months owed up to the month of death and not paid go to the applicant relative",
    "社会保险法 art. 17; 继承法",
    kind="calculation",
)


@dataclass(frozen=True)
class DeathBenefitFigures:
    """What SBBN009 pays for a person's death, with the inputs and the trace."""

    person_id: int
    died_on: str
    death_month: int
    status: str  # working / retired
    contributed_months: int
    deemed_months: int
    deemed_from: str  # award / clerk
    contribution_months: int
    months_drawn: int
    income_base_fen: int
    own_contributions_fen: int | None
    funeral_fen: int
    survivor_months: str
    survivor_fen: int
    capped_by_own_contributions: bool
    pension_id: int | None
    estate_months: list[int] = field(default_factory=list)
    estate_fen: int = 0
    trace: list[dict[str, Any]] = field(default_factory=list)
    parameters: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total_fen(self) -> int:
        return self.funeral_fen + self.survivor_fen + self.estate_fen

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {"total_fen": self.total_fen}


def death_of(person: Person) -> Death:
    death = Death.objects.filter(person=person).first()
    if death is None:
        raise RuleViolation("DBEN-NO-DEATH")
    return death


def paying_agency(person: Person) -> Agency:
    """The agency that pays what arises from the person: the pension's, else the person's."""
    pension = Pension.objects.select_related("agency").filter(person=person).first()
    return pension.agency if pension is not None else person.managing_agency


def _latest_award(pension: Pension) -> PensionAward | None:
    return PensionAward.objects.filter(pension=pension).order_by("-id").first()


def own_contributions_fen(
    person: Person, *, through: int, source: ParameterSource, trace: list[dict[str, Any]]
) -> int:
    """The person's own pension contributions up to ``through``: the paid lines' individual
    amounts, and for the historical months (a city system recorded only the base) the base
    at the individual rate then in force, rounded to the fen month by month."""
    paid = AssessmentLine.objects.filter(
        person=person, scheme=Scheme.PENSION, paid_on__isnull=False, period__lte=through
    ).aggregate(total=Sum("individual_fen"))["total"]
    paid_fen = int(paid or 0)
    assessed = set(
        AssessmentLine.objects.filter(
            person=person, scheme=Scheme.PENSION, paid_on__isnull=False, period__lte=through
        ).values_list("period", flat=True)
    )
    history_fen = 0
    for period, base_fen in HistoricalContribution.objects.filter(
        person_id=person.pk, scheme=Scheme.PENSION, period__lte=through, base_fen__gt=0
    ).values_list("period", "base_fen"):
        if period in assessed:
            continue  # a month counts once; the assessment line wins
        year, month = divmod(period, 100)
        rate = source.lookup("contribution.pension.individual_rate", NATIONAL, date(year, month, 1))
        history_fen += yuan_to_fen(round_to_fen(fen_to_yuan(base_fen) * rate.decimal()))
    total = paid_fen + history_fen
    trace.append(
        {
            "rule": "DBEN-OWN-CONTRIBUTIONS",
            "description": f"{format_yuan(paid_fen)} paid + {format_yuan(history_fen)} historical",
            "value": format_yuan(total),
            "params": [],
        }
    )
    return total


def _rules(source: ParameterSource, on: date) -> DeathBenefitRules:
    return DeathBenefitRules(
        funeral_months=source.lookup("death.funeral_subsidy_months", NATIONAL, on),
        months_by_years=source.lookup("death.survivor_months_by_years", NATIONAL, on),
        extra_from_years=source.lookup("death.survivor_extra_from_years", NATIONAL, on),
        months_per_extra_year=source.lookup("death.survivor_months_per_extra_year", NATIONAL, on),
        years_cap=source.lookup("death.survivor_years_cap", NATIONAL, on),
        retiree_floor=source.lookup("death.retiree_survivor_months_floor", NATIONAL, on),
        own_contributions_cap_below_years=source.lookup(
            "death.own_contributions_cap_below_years", NATIONAL, on
        ),
    )


def _estate(pension: Pension, death_month: int) -> tuple[list[int], int, dict[str, Any]]:
    """The months up to the death owed and not paid (what the stop notice recorded)."""
    last = pension.end_period or death_month
    owed = [
        d
        for d in pension_differences(pension, first=pension.start_period, last=last)
        if d.difference_fen > 0
    ]
    amount = sum(d.difference_fen for d in owed)
    step = {
        "rule": "DBEN-ESTATE",
        "description": ", ".join(f"{d.period}: {format_yuan(d.difference_fen)}" for d in owed)
        or "none",
        "value": format_yuan(amount),
        "params": [],
    }
    return [d.period for d in owed], amount, step


def death_benefit_assess(
    *, person: Person, deemed_months: int | None = None, source: ParameterSource | None = None
) -> DeathBenefitFigures:
    """The funeral subsidy, survivor payment and estate months due on ``person``'s death.
    ``deemed_months`` is the clerk's entry for a working participant (ignored when the person
    has a pension award, whose deemed months count). Writes nothing."""
    source = source or DatabaseParameters()
    death = death_of(person)
    death_month = period_of(death.died_on)
    pension = Pension.objects.select_related("agency").filter(person=person).first()
    trace: list[dict[str, Any]] = []
    province = person.managing_agency.division_code[:2] + "0000"
    income = source.lookup(INCOME_BASE_KEY, province, death.died_on)
    rules = _rules(source, death.died_on)
    months = contribution_months(person, through=death_month)
    own: int | None = None
    if pension is not None:
        award = _latest_award(pension)
        status = "retired"
        deemed = award.deemed_months if award is not None else 0
        deemed_from = "award"
        total_months = pension.contribution_months
        drawn = len(period_range(pension.start_period, death_month))
    else:
        status = "working"
        deemed = deemed_months or 0
        deemed_from = "clerk"
        if deemed < 0:
            raise RuleViolation("RET-DEEMED-NEGATIVE")
        before_1996 = sum(1 for period in months if period < 199601)
        first, available = deemable_months(person, before_1996)
        if deemed > available:
            raise RuleViolation(
                "RET-DEEMED-TOO-MANY",
                deemed=deemed,
                available=available,
                first=f"{first // 100}-{first % 100:02d}",
            )
        total_months = len(months) + deemed
        drawn = 0
        if total_months < rules.own_contributions_cap_below_years.integer() * 12:
            own = own_contributions_fen(person, through=death_month, source=source, trace=trace)
    result = death_benefit(
        status=status,
        contribution_months=total_months,
        months_drawn=drawn,
        monthly_income_base=income.decimal(),
        own_contributions=fen_to_yuan(own) if own is not None else None,
        rules=rules,
    )
    steps = result.trace_dict()
    trace.insert(
        0,
        {
            "rule": "DEATH-SURVIVOR-MONTHS",
            "description": f"{status}: {len(months)} contributed months + {deemed} deemed "
            f"({deemed_from})" + (f"; {drawn} months of pension drawn" if drawn else ""),
            "value": str(total_months),
            "params": [],
        },
    )
    trace += steps["trace"]
    estate_months: list[int] = []
    estate_fen = 0
    if pension is not None:
        estate_months, estate_fen, step = _estate(pension, death_month)
        trace.append(step)
    outcome = result.value
    return DeathBenefitFigures(
        person_id=person.pk,
        died_on=death.died_on.isoformat(),
        death_month=death_month,
        status=status,
        contributed_months=len(months),
        deemed_months=deemed,
        deemed_from=deemed_from,
        contribution_months=total_months,
        months_drawn=drawn,
        income_base_fen=yuan_to_fen(income.decimal()),
        own_contributions_fen=own,
        funeral_fen=yuan_to_fen(outcome.funeral_subsidy),
        survivor_months=format(outcome.survivor_months, "f"),
        survivor_fen=yuan_to_fen(outcome.survivor_payment),
        capped_by_own_contributions=outcome.capped_by_own_contributions,
        pension_id=pension.pk if pension is not None else None,
        estate_months=estate_months,
        estate_fen=estate_fen,
        trace=trace,
        parameters=[income.ref.as_dict(), *steps["parameters"]],
    )


# --- the counter: registering a working participant's death ------------------------------------


def participant_death_register(
    *, actor: Actor, person: Person, died_on: date, reference: str = ""
) -> Death:
    """Register the death of a participant who draws no pension, reported at the counter:
    relations end with the month of death, every running benefit stops after it and the
    death-benefit case (SBBN009) opens. Audited, not reviewed: it pays nothing; what is paid
    afterwards goes through reviewed cases."""
    ensure_in_scope(actor, person.managing_agency)
    ensure_can(actor, Action.ACCEPT, item_code=ITEM_DEATH_BENEFIT, category="benefit")
    if Pension.objects.filter(person=person).exists():
        raise RuleViolation("DEATH-USE-PENSION-END")
    with transaction.atomic(durable=True):
        return death_register(
            actor=actor,
            person=person,
            died_on=died_on,
            source=DeathSource.COUNTER,
            reference=reference,
        )


# --- the SBBN009 case ----------------------------------------------------------------------------


def death_benefit_case_of(person: Person) -> Case | None:
    """The person's death-benefit case (there is one per person, opened with the death)."""
    return (
        Case.objects.filter(item__code=ITEM_DEATH_BENEFIT, applicant_person=person)
        .exclude(status=CaseStatus.WITHDRAWN)
        .select_related("item", "agency")
        .order_by("-pk")
        .first()
    )


def death_benefit_case_ensure(*, actor: Actor, person: Person) -> Case:
    """The open death-benefit case of a person whose death is registered; opened now for a
    death registered before the case existed."""
    ensure_in_scope(actor, paying_agency(person))
    death = death_of(person)
    case = death_benefit_case_of(person)
    if case is not None:
        return case
    with transaction.atomic(durable=True):
        return death_benefit_case_open(
            person=person, died_on=death.died_on, source=death.source, death=death
        )


def applicant_payee(
    *,
    person: Person,
    name: str,
    resident_id: str,
    relation: str,
    bank_name: str,
    bank_account: str,
) -> Payee:
    """The applicant relative as a payee, checked (a valid resident ID, not the deceased)."""
    if not (name.strip() and relation.strip() and bank_name.strip() and bank_account.strip()):
        raise RuleViolation("DBEN-APPLICANT")
    number = resident_id_check(resident_id.strip()).number
    if number == person.resident_id:
        raise RuleViolation("DBEN-APPLICANT-IS-DECEASED")
    return Payee(
        name=name.strip()[:50],
        resident_id=number,
        relation=relation.strip()[:20],
        bank_name=bank_name.strip()[:50],
        bank_account=bank_account.strip()[:30],
    )


def _ensure_no_funeral_grant(person: Person) -> None:
    granted = funeral_grant_of(person)
    if granted is not None:
        raise RuleViolation(
            "BEN-FUNERAL-ONCE",
            name=person.name,
            source=f"{granted.scheme} #{granted.pk} ({format_yuan(granted.monthly_fen)})",
        )


def death_benefit_prepare(
    *,
    actor: Actor,
    case: Case,
    payee: Payee,
    deemed_months: int | None = None,
    source: ParameterSource | None = None,
) -> Case:
    """Store the applicant and the figures in the accepted SBBN009 case and send it to review.

    Two steps, as the case service keeps its transitions in their own transaction: the claim
    is written (audited) once every check passed, then the case goes to review; a refusal of
    the second step leaves an accepted case holding a draft claim, nothing paid."""
    ensure_in_scope(actor, case.agency)
    ensure_can(actor, Action.ACCEPT, item_code=ITEM_DEATH_BENEFIT, category="benefit")
    person = case.applicant_person
    if case.item.code != ITEM_DEATH_BENEFIT or person is None:
        raise RuleViolation("DBEN-NOT-PREPARED")
    _ensure_no_funeral_grant(person)
    figures = death_benefit_assess(person=person, deemed_months=deemed_months, source=source)
    with transaction.atomic(durable=True):
        locked = Case.objects.select_for_update().select_related("item", "agency").get(pk=case.pk)
        if locked.status != CaseStatus.ACCEPTED:
            raise RuleViolation("DBEN-CASE-STATE", status=CaseStatus(locked.status).label)
        before = locked.data.get("claim")
        locked.data = {
            **locked.data,
            "claim": {
                "applicant": asdict(payee),
                "deemed_months": deemed_months,
                "figures": figures.as_json(),
            },
        }
        locked.save(update_fields=["data"])
        audit_record(
            actor=actor,
            action="death_benefit.prepare",
            target=locked,
            target_agency=locked.agency,
            before={"claim": bool(before)},
            after={
                "person": person.pk,
                "applicant": payee.name,
                "relation": payee.relation,
                "status": figures.status,
                "contribution_months": figures.contribution_months,
                "months_drawn": figures.months_drawn,
                "funeral_fen": figures.funeral_fen,
                "survivor_fen": figures.survivor_fen,
                "estate_fen": figures.estate_fen,
            },
        )
    return case_transition(actor=actor, case=locked, action="send_for_review")


def death_benefit_case_approved(case: Case, actor: Actor) -> list[Benefit]:
    """The SBBN009 handler: the figures again on the records as they stand, then the one-time
    benefits to the applicant. Refused as a whole (nothing written) if the funeral subsidy was
    granted meanwhile under another scheme or a figure changed."""
    claim = case.data.get("claim")
    person = case.applicant_person
    if not claim or person is None:
        raise RuleViolation("DBEN-NOT-PREPARED")
    Person.objects.select_for_update().get(pk=person.pk)
    figures = death_benefit_assess(person=person, deemed_months=claim.get("deemed_months"))
    prepared = claim["figures"]
    if (
        figures.funeral_fen,
        figures.survivor_fen,
        figures.estate_fen,
    ) != (prepared["funeral_fen"], prepared["survivor_fen"], prepared["estate_fen"]):
        raise RuleViolation(
            "DBEN-FIGURES-CHANGED",
            before=format_yuan(int(prepared["total_fen"])),
            after=format_yuan(figures.total_fen),
        )
    payee = Payee(**claim["applicant"])
    agency = paying_agency(person)
    month = period_of(timezone.localdate())
    calculation = figures.as_json()
    case_source = f"{ITEM_DEATH_BENEFIT}:{case.receipt_no}"

    def one_time(kind: str, amount_fen: int, source: str, details: dict[str, Any]) -> Benefit:
        return benefit_open(
            actor=actor,
            person=person,
            scheme=Scheme.PENSION,
            kind=kind,
            payee=payee,
            agency=agency,
            start_period=month,
            monthly_fen=amount_fen,
            case_id=case.pk,
            source=source,
            calculation=details,
        )

    opened = [one_time(BenefitKind.FUNERAL_GRANT, figures.funeral_fen, case_source, calculation)]
    if figures.survivor_fen > 0:
        opened.append(
            one_time(BenefitKind.SURVIVOR_PAYMENT, figures.survivor_fen, case_source, calculation)
        )
    if figures.estate_fen > 0:
        # The pension months owed to the estate: a survivor payment of its own, named by its
        # source, so the funeral subsidy and the survivor payment stay what the rule computed.
        opened.append(
            one_time(
                BenefitKind.SURVIVOR_PAYMENT,
                figures.estate_fen,
                f"{ESTATE_SOURCE}:{figures.pension_id}",
                {"months": figures.estate_months, "amount_fen": figures.estate_fen},
            )
        )
    for benefit in opened:
        case_record_link(case=case, record=benefit, effect="created")
    audit_record(
        actor=actor,
        action="death_benefit.approve",
        target=case,
        target_agency=case.agency,
        after={
            "person": person.pk,
            "benefits": [b.pk for b in opened],
            "funeral_fen": figures.funeral_fen,
            "survivor_fen": figures.survivor_fen,
            "estate_fen": figures.estate_fen,
            "payee": payee.name,
        },
    )
    return opened


def death_benefits_of(person: Person) -> list[Benefit]:
    """The one-time benefits granted on the person's death, oldest first."""
    return list(
        Benefit.objects.filter(
            person=person,
            kind__in=[
                BenefitKind.FUNERAL_GRANT,
                BenefitKind.SURVIVOR_PAYMENT,
                BenefitKind.DEATH_LUMP_SUM,
                BenefitKind.INHERITANCE,
            ],
        ).order_by("pk")
    )


# --- unemployment (SBBN013) --------------------------------------------------------------------


def unemployment_benefit_at_death(person: Person, death_month: int) -> Benefit | None:
    """The unemployment benefit the person was drawing in the month of death."""
    for benefit in Benefit.objects.filter(
        person=person, kind=BenefitKind.UNEMPLOYMENT, start_period__lte=death_month
    ).order_by("-pk"):
        last = min(
            p for p in (benefit.end_period, benefit.stop_period, death_month) if p is not None
        )
        if last >= death_month:
            return benefit
    return None


def unemployment_death_assess(*, person: Person) -> NoReturn:
    """The unemployment fund's funeral subsidy and survivor payment (社会保险法 art. 49).
    Checks the claimant was drawing the benefit at death and that no funeral subsidy was
    granted under another scheme; Hubei's amounts are not configured, so it then refuses
    (``UDEATH-RULES-OPEN``) rather than invent them."""
    death = death_of(person)
    month = period_of(death.died_on)
    if unemployment_benefit_at_death(person, month) is None:
        raise RuleViolation("UDEATH-NOT-CLAIMANT", month=f"{month // 100}-{month % 100:02d}")
    _ensure_no_funeral_grant(person)
    raise RuleViolation("UDEATH-RULES-OPEN")


def unemployment_death_case_approved(case: Case, actor: Actor) -> None:
    """The SBBN013 handler: refuses until the amounts are configured, so a case opened by
    hand cannot be approved without its effect."""
    person = case.applicant_person
    if person is None:
        raise RuleViolation("DBEN-NOT-PREPARED")
    unemployment_death_assess(person=person)
