"""Work-injury medical costs (工伤医疗（康复）待遇申请, SBBN027): the items of the bill with
their category and amount; items in the work-injury catalogues are reimbursed in full, those
outside them not at all, the hospital food subsidy is limited per day (工伤保险条例 art. 30).
A reviewed case; the approval applies the limits again and opens a one-time reimbursement."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from shebao.benefits.models import BenefitKind, Injury, MedicalClaim
from shebao.benefits.services.benefits import Payee, benefit_open
from shebao.benefits.services.work_injury import (
    ITEM_MEDICAL,
    case_injury_locked,
    ensure_staff,
    figures_unchanged,
)
from shebao.benefits.services.work_injury_benefits import check_living, payee_of
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.money import format_yuan, yuan_to_fen
from shebao.core.periods import period_of
from shebao.core.permissions import ensure_in_scope
from shebao.registry.models import Scheme
from shebao.registry.services.common import open_request
from shebao.rules.params import ParameterSource
from shebao.rules.store import DatabaseParameters
from shebao.rules.trace import Trace
from shebao.services.models import Case
from shebao.services.services import case_record_link

_REG = "工伤保险条例"

# --- medical costs (SBBN027) -----------------------------------------------------------------


class MedicalCategory:
    """What an item of a medical bill is, for the limits (工伤保险条例 art. 30)."""

    IN_CATALOGUE = "in_catalogue"  # in the work-injury drug / treatment / facility catalogues
    OUTSIDE_CATALOGUE = "outside_catalogue"
    HOSPITAL_FOOD = "hospital_food"  # 住院伙食补助费, a daily figure set by the region

    ALL = (IN_CATALOGUE, OUTSIDE_CATALOGUE, HOSPITAL_FOOD)


FOOD_KEY = "work_injury.hospital_food_subsidy_daily"

register_rule(
    "WI-MEDICAL-NO-ITEMS",
    "请至少填写一项医疗费用。",
    "Give at least one item of the medical bill.",
)
register_rule(
    "WI-MEDICAL-ITEM",
    "第 {number} 项有误：类别应为 {allowed} 之一，金额应大于零，住院伙食补助须填写住院天数。",
    "Item {number} is wrong: the category must be one of {allowed}, the amount above zero, and "
    "a hospital-food item needs the days in hospital.",
)
register_rule(
    "WI-MEDICAL-FOOD-UNPUBLISHED",
    "住院伙食补助费标准（{key}）尚未录入，暂不能申领；请管理员录入本地区标准后再受理该项目。",
    "The hospital food subsidy per day ({key}) is not entered yet, so it cannot be claimed; "
    "an administrator must enter the region's figure first.",
    f"{_REG} art. 30",
)
register_rule(
    "WI-MEDICAL-NOTHING",
    "所列费用均不在工伤保险目录内，无可报销金额。",
    "None of the items is in the work-injury catalogues: nothing can be reimbursed.",
    f"{_REG} art. 30",
)
register_rule(
    "WI-MEDICAL-CATALOGUE",
    "符合工伤保险诊疗项目目录、药品目录、住院服务标准的费用从工伤保险基金全额支付",
    "Costs within the work-injury treatment, drug and in-patient catalogues are paid in full "
    "by the fund",
    f"{_REG} art. 30",
    kind="calculation",
)
register_rule(
    "WI-MEDICAL-OUTSIDE",
    "不符合工伤保险目录的费用不从工伤保险基金支付",
    "Costs outside the work-injury catalogues are not paid by the fund",
    f"{_REG} art. 30",
    kind="calculation",
)
register_rule(
    "WI-MEDICAL-FOOD",
    "住院伙食补助费 = min（申报金额，住院天数 × 每日标准）",
    "Hospital food subsidy = min(amount claimed, days in hospital × the daily figure)",
    f"{_REG} art. 30",
    kind="calculation",
)


@dataclass(frozen=True)
class MedicalItem:
    category: str
    description: str
    amount_fen: int
    days: int = 0


def medical_assess(
    *, injury: Injury, items: list[MedicalItem], on: date, source: ParameterSource | None = None
) -> dict[str, Any]:
    """Each item's allowed amount under the limits and the total, with a trace."""
    check_living(injury)
    if not items:
        raise RuleViolation("WI-MEDICAL-NO-ITEMS")
    source = source or DatabaseParameters()
    trace = Trace()
    rows: list[dict[str, Any]] = []
    for number, item in enumerate(items, start=1):
        valid = item.category in MedicalCategory.ALL and item.amount_fen > 0
        if item.category == MedicalCategory.HOSPITAL_FOOD and item.days <= 0:
            valid = False
        if not valid:
            raise RuleViolation(
                "WI-MEDICAL-ITEM", number=number, allowed=", ".join(MedicalCategory.ALL)
            )
        rows.append(asdict(item) | {"allowed_fen": _allowed(injury, item, on, source, trace)})
    claimed = sum(row["amount_fen"] for row in rows)
    allowed = sum(row["allowed_fen"] for row in rows)
    if allowed == 0:
        raise RuleViolation("WI-MEDICAL-NOTHING")
    return {
        "figures": {"items": rows, "claimed_fen": claimed, "allowed_fen": allowed},
        "calculation": {
            "on": on.isoformat(),
            "region": injury.agency.division_code,
            "trace": [step.as_dict() for step in trace.steps],
            "parameters": [ref.as_dict() for ref in trace.params_used()],
        },
    }


def _allowed(
    injury: Injury, item: MedicalItem, on: date, source: ParameterSource, trace: Trace
) -> int:
    label = item.description or item.category
    if item.category == MedicalCategory.IN_CATALOGUE:
        trace.add("WI-MEDICAL-CATALOGUE", f"{label}: in full", format_yuan(item.amount_fen))
        return item.amount_fen
    if item.category == MedicalCategory.OUTSIDE_CATALOGUE:
        trace.add("WI-MEDICAL-OUTSIDE", f"{label}: not paid", "0.00")
        return 0
    try:
        daily = source.lookup(FOOD_KEY, injury.agency.division_code, on)
    except RuleViolation as refusal:
        if refusal.code in {"PARAM-VALUE-UNPUBLISHED", "PARAM-NO-VALUE"}:
            raise RuleViolation("WI-MEDICAL-FOOD-UNPUBLISHED", key=FOOD_KEY) from None
        raise
    limit = yuan_to_fen(daily.decimal()) * item.days
    allowed = min(item.amount_fen, limit)
    trace.add(
        "WI-MEDICAL-FOOD",
        f"min({format_yuan(item.amount_fen)}, {item.days} × {daily.value})",
        format_yuan(allowed),
        daily.ref,
    )
    return allowed


def medical_request(
    *,
    actor: Actor,
    injury: Injury,
    items: list[MedicalItem],
    bank_name: str = "",
    bank_account: str = "",
    channel: str = "counter",
    today: date | None = None,
) -> Case:
    """Open the medical-cost claim (SBBN027) with the allowed amounts of the preview; the
    reimbursement is a one-time benefit of the claim's month, opened on approval."""
    ensure_staff(actor)
    ensure_in_scope(actor, injury.agency)
    today = today or timezone.localdate()
    person = injury.person
    payee = payee_of(
        person.name,
        person.resident_id,
        bank_name or person.bank_name,
        bank_account or person.bank_account,
    )
    preview = medical_assess(injury=injury, items=items, on=today)
    with transaction.atomic(durable=True):
        case = open_request(
            actor=actor,
            item_code=ITEM_MEDICAL,
            channel=channel,
            person=person,
            data={
                "injury_id": injury.pk,
                "items": [asdict(item) for item in items],
                "pay_period": period_of(today),
                "bank_name": payee.bank_name,
                "bank_account": payee.bank_account,
                **preview,
            },
        )
        audit_record(
            actor=actor,
            action="injury.medical_request",
            target=case,
            target_agency=injury.agency,
            after={
                "injury": injury.pk,
                "claimed_fen": preview["figures"]["claimed_fen"],
                "allowed_fen": preview["figures"]["allowed_fen"],
                "case": case.receipt_no,
            },
        )
    return case


def apply_medical(case: Case, actor: Actor) -> MedicalClaim:
    """The SBBN027 handler: the limits applied again, the claim and its reimbursement."""
    injury = case_injury_locked(case, ITEM_MEDICAL)
    existing = MedicalClaim.objects.filter(case_id=case.pk).first()
    if existing is not None:
        return existing
    items = [MedicalItem(**item) for item in case.data["items"]]
    on = date.fromisoformat(case.data["calculation"]["on"])
    now = medical_assess(injury=injury, items=items, on=on)
    accepted = case.data["figures"]
    figures_unchanged(accepted, now["figures"], "allowed_fen")
    person = injury.person
    benefit = benefit_open(
        actor=actor,
        person=person,
        scheme=Scheme.WORK_INJURY,
        kind=BenefitKind.MEDICAL_REIMBURSEMENT,
        payee=Payee(
            person.name,
            person.resident_id,
            "self",
            case.data["bank_name"],
            case.data["bank_account"],
        ),
        agency=injury.agency,
        start_period=case.data["pay_period"],
        monthly_fen=accepted["allowed_fen"],
        case_id=case.pk,
        source=f"injury:{injury.pk}",
        calculation=now["calculation"],
    )
    claim = MedicalClaim.objects.create(
        injury=injury,
        case_id=case.pk,
        items=accepted["items"],
        claimed_fen=accepted["claimed_fen"],
        allowed_fen=accepted["allowed_fen"],
        benefit=benefit,
    )
    case_record_link(case=case, record=claim, effect="created")
    case_record_link(case=case, record=benefit, effect="created")
    audit_record(
        actor=actor,
        action="injury.medical",
        target=claim,
        target_agency=injury.agency,
        after={
            "injury": injury.pk,
            "claimed_fen": claim.claimed_fen,
            "allowed_fen": claim.allowed_fen,
            "benefit": benefit.pk,
            "case": case.receipt_no,
        },
    )
    return claim
