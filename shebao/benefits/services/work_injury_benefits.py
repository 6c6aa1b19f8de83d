"""Disability benefits of an assessed level (伤残待遇申领, SBBN032): the one-time subsidy, the
monthly allowance (fund or employer) and the nursing allowance. A reviewed case: the clerk's
preview is stored with the case, the approval works the figures out again (refusing if they
changed) and opens the benefits through ``services.benefits.benefit_open``. Also the checks
the medical claims (``work_injury_medical``) share: a living worker, a payee with a bank.

rules.md §7.2–§7.3; 工伤保险条例 arts. 30, 34–37.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from shebao.benefits.models import (
    Benefit,
    BenefitKind,
    BenefitPayer,
    Dependence,
    Injury,
    WorkAbilityAssessment,
)
from shebao.benefits.services.benefits import Payee, benefit_open
from shebao.benefits.services.work_injury import (
    ITEM_DISABILITY,
    case_injury_locked,
    ensure_staff,
    figures_unchanged,
    finished_case,
    own_wage_limits,
    pending_case,
)
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.money import fen_to_yuan, yuan_to_fen
from shebao.core.periods import period_add, period_of
from shebao.core.permissions import ensure_in_scope
from shebao.registry.models import Scheme
from shebao.registry.services.common import open_request
from shebao.rules.calculators.work_injury import (
    DisabilityRules,
    disability_benefits,
    has_allowance,
)
from shebao.rules.params import ParameterSource
from shebao.rules.store import DatabaseParameters
from shebao.services.models import Case
from shebao.services.services import case_record_link

_REG = "工伤保险条例"

register_rule(
    "WI-INJURY-FATAL-CLAIM",
    "该工伤为因工死亡：请办理工亡待遇申领，不办理伤残或医疗待遇。",
    "This injury was fatal: claim the death-at-work benefits, not disability or medical ones.",
)
register_rule(
    "WI-ASSESSMENT-OTHER",
    "所选劳动能力鉴定结论不属于该工伤。",
    "The chosen work-ability assessment is not one of this injury.",
)
register_rule(
    "WI-DISABILITY-EXISTS",
    "该工伤的伤残待遇已核定（{receipt}）；鉴定结论变化请办理工伤保险待遇变更。",
    "The disability benefits of this injury were already awarded ({receipt}); a changed "
    "assessment is a work-injury benefit change.",
)
register_rule(
    "WI-DISABILITY-PENDING",
    "该工伤已有未办结的伤残待遇申领（{receipt}）。",
    "A disability-benefit case of this injury is still open ({receipt}).",
)
register_rule(
    "WI-BANK-REQUIRED",
    "{name} 没有登记银行账户，请填写开户银行和账号。",
    "{name} has no bank account on record: give the bank and the account.",
)
register_rule(
    "WI-SUITABLE-WORK",
    "五、六级伤残，用人单位安排适当工作的，由用人单位支付工资，不发伤残津贴",
    "Levels 5–6: when the employer offers suitable work it pays a wage, and no disability "
    "allowance is due",
    f"{_REG} art. 36",
    kind="calculation",
)
register_rule(
    "WI-ALLOWANCE-START",
    "伤残津贴、生活护理费自劳动能力鉴定结论作出的次月起发放；一次性伤残补助金在该月一次发放",
    "The disability and nursing allowances are paid from the month after the assessment "
    "conclusion; the one-time subsidy once, in that month",
    f"{_REG} arts. 34–36",
    kind="calculation",
)


def _step(rule: str, description: str, value: object) -> dict[str, Any]:
    return {"rule": rule, "description": description, "value": str(value), "params": []}


def payee_of(person_name: str, resident_id: str, bank_name: str, bank_account: str) -> Payee:
    if not (bank_name.strip() and bank_account.strip()):
        raise RuleViolation("WI-BANK-REQUIRED", name=person_name)
    return Payee(person_name, resident_id, "self", bank_name.strip(), bank_account.strip())


def check_living(injury: Injury) -> None:
    if injury.fatal:
        raise RuleViolation("WI-INJURY-FATAL-CLAIM")


# --- disability benefits (SBBN032) ---------------------------------------------------------------


@dataclass(frozen=True)
class DisabilityAssessment:
    """Everything the preview shows and the case stores."""

    figures: dict[str, Any]
    calculation: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"figures": self.figures, "calculation": self.calculation}


def disability_assess(
    *,
    injury: Injury,
    assessment: WorkAbilityAssessment,
    suitable_work: bool = False,
    source: ParameterSource | None = None,
) -> DisabilityAssessment:
    """The disability benefits of the assessed level with the calculator's trace, as of the
    assessment's conclusion date in the injury's region. Writes nothing."""
    check_living(injury)
    if assessment.injury_id != injury.pk:
        raise RuleViolation("WI-ASSESSMENT-OTHER")
    source = source or DatabaseParameters()
    on = assessment.concluded_on
    region = injury.agency.division_code
    rules = DisabilityRules(
        subsidy_months=source.lookup("work_injury.disability_subsidy_months", region, on),
        allowance_ratio=source.lookup("work_injury.disability_allowance_ratio", region, on),
        fund_max_level=source.lookup("work_injury.allowance_fund_max_level", region, on),
        nursing_ratio=source.lookup("work_injury.nursing_allowance_ratio", region, on),
    )
    needs_minimum = has_allowance(assessment.level, rules.allowance_ratio)
    result = disability_benefits(
        level=assessment.level,
        own_wage=fen_to_yuan(injury.own_wage_fen or 0),
        dependence=None if assessment.dependence == Dependence.NONE else assessment.dependence,
        limits=own_wage_limits(source, region, on),
        rules=rules,
        minimum_wage=source.lookup("wage.minimum_monthly", region, on) if needs_minimum else None,
    )
    value = result.value
    steps = result.trace_dict()
    start = period_add(period_of(on), 1)
    opened = value.allowance_payer == "fund" or (
        value.allowance_payer == "employer" and not suitable_work
    )
    if value.allowance_payer == "employer" and suitable_work:
        steps["trace"].append(
            _step("WI-SUITABLE-WORK", "suitable work offered by the employer", "0.00")
        )
    steps["trace"].append(_step("WI-ALLOWANCE-START", f"concluded {on.isoformat()}", start))
    nursing_fen = None if value.nursing_allowance is None else yuan_to_fen(value.nursing_allowance)
    figures = {
        "level": assessment.level,
        "dependence": assessment.dependence,
        "suitable_work": suitable_work,
        "own_wage_fen": yuan_to_fen(value.own_wage_clamped),
        "lump_sum_fen": yuan_to_fen(value.one_time_subsidy),
        "allowance_fen": yuan_to_fen(value.monthly_allowance) if opened else 0,
        "allowance_payer": value.allowance_payer if opened else "none",
        "topped_up": value.topped_up and opened,
        "nursing_fen": nursing_fen,
        "start_period": start,
    }
    calculation = {"on": on.isoformat(), "region": region, **steps}
    return DisabilityAssessment(figures, calculation)


def _check_no_disability_case(injury: Injury, exclude: int | None = None) -> None:
    done = finished_case(ITEM_DISABILITY, injury_id=injury.pk)
    if done is not None and done.pk != exclude:
        raise RuleViolation("WI-DISABILITY-EXISTS", receipt=done.receipt_no)
    if exclude is None:
        pending = pending_case(ITEM_DISABILITY, injury_id=injury.pk)
        if pending is not None:
            raise RuleViolation("WI-DISABILITY-PENDING", receipt=pending.receipt_no)


def disability_request(
    *,
    actor: Actor,
    injury: Injury,
    assessment: WorkAbilityAssessment,
    suitable_work: bool = False,
    bank_name: str = "",
    bank_account: str = "",
    channel: str = "counter",
) -> Case:
    """Open the disability-benefit case (SBBN032) with the preview's figures."""
    ensure_staff(actor)
    ensure_in_scope(actor, injury.agency)
    person = injury.person
    payee = payee_of(
        person.name,
        person.resident_id,
        bank_name or person.bank_name,
        bank_account or person.bank_account,
    )
    preview = disability_assess(injury=injury, assessment=assessment, suitable_work=suitable_work)
    with transaction.atomic(durable=True):
        Injury.objects.select_for_update().get(pk=injury.pk)
        _check_no_disability_case(injury)
        case = open_request(
            actor=actor,
            item_code=ITEM_DISABILITY,
            channel=channel,
            person=person,
            data={
                "injury_id": injury.pk,
                "assessment_id": assessment.pk,
                "suitable_work": suitable_work,
                "bank_name": payee.bank_name,
                "bank_account": payee.bank_account,
                **preview.as_json(),
            },
        )
        audit_record(
            actor=actor,
            action="injury.disability_request",
            target=case,
            target_agency=injury.agency,
            after={"injury": injury.pk, **preview.figures, "case": case.receipt_no},
        )
    return case


def apply_disability(case: Case, actor: Actor) -> list[Benefit]:
    """The SBBN032 handler: the figures worked out again, then the one-time subsidy, the
    allowance (fund or employer) and the nursing allowance opened. A replay writes nothing."""
    injury = case_injury_locked(case, ITEM_DISABILITY)
    already = list(Benefit.objects.filter(case_id=case.pk).order_by("pk"))
    if already:
        return already
    _check_no_disability_case(injury, exclude=case.pk)
    assessment = WorkAbilityAssessment.objects.get(pk=case.data["assessment_id"])
    now = disability_assess(
        injury=injury, assessment=assessment, suitable_work=case.data["suitable_work"]
    )
    accepted = case.data["figures"]
    figures_unchanged(accepted, now.figures, "lump_sum_fen")
    person = injury.person
    payee = Payee(
        person.name, person.resident_id, "self", case.data["bank_name"], case.data["bank_account"]
    )
    common: dict[str, Any] = {
        "actor": actor,
        "person": person,
        "scheme": Scheme.WORK_INJURY,
        "payee": payee,
        "agency": injury.agency,
        "start_period": accepted["start_period"],
        "case_id": case.pk,
        "source": f"injury:{injury.pk}",
        "calculation": now.calculation,
    }
    opened = [
        benefit_open(
            kind=BenefitKind.DISABILITY_LUMP_SUM, monthly_fen=accepted["lump_sum_fen"], **common
        )
    ]
    if accepted["allowance_payer"] != "none":
        opened.append(
            benefit_open(
                kind=BenefitKind.DISABILITY_ALLOWANCE,
                monthly_fen=accepted["allowance_fen"],
                payer=BenefitPayer.FUND
                if accepted["allowance_payer"] == "fund"
                else BenefitPayer.EMPLOYER,
                **common,
            )
        )
    if accepted["nursing_fen"]:
        opened.append(
            benefit_open(
                kind=BenefitKind.NURSING_ALLOWANCE, monthly_fen=accepted["nursing_fen"], **common
            )
        )
    for benefit in opened:
        case_record_link(case=case, record=benefit, effect="created")
    audit_record(
        actor=actor,
        action="injury.disability",
        target=injury,
        target_agency=injury.agency,
        after={
            "assessment": assessment.pk,
            "benefits": [b.pk for b in opened],
            **accepted,
            "case": case.receipt_no,
        },
    )
    return opened
