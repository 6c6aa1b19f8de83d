"""The work-ability assessment record (劳动能力鉴定结论登记, SBRG018): the committee's
conclusion — disability level 1–10 and dependence on care — recorded against its injury when
a second person approves (工伤保险条例 arts. 21–29)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from shebao.benefits.models import Dependence, Injury, WorkAbilityAssessment
from shebao.benefits.services.work_injury import (
    ITEM_ASSESSMENT,
    ensure_case_of,
    ensure_staff,
    pending_case,
)
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.permissions import ensure_in_scope
from shebao.registry.services.common import open_request
from shebao.services.models import Case
from shebao.services.services import case_record_link

register_rule(
    "WI-INJURY-FATAL",
    "该工伤为因工死亡，不办理劳动能力鉴定或伤残、医疗待遇；请办理工亡待遇申领。",
    "This injury was fatal: no work-ability assessment, disability or medical claim; claim "
    "the death-at-work benefits.",
)

register_rule(
    "WI-CONCLUSION-EXISTS",
    "鉴定结论 {conclusion_no} 已登记或正在办理。",
    "Assessment conclusion {conclusion_no} is already recorded or being recorded.",
)

register_rule(
    "WI-CONCLUSION-NO-REQUIRED",
    "请填写劳动能力鉴定结论书编号。",
    "Give the number of the work-ability assessment conclusion.",
)

register_rule(
    "WI-CONCLUSION-DATE",
    "鉴定日期 {concluded_on} 应在受伤日期 {injured_on} 之后且不晚于今天。",
    "The assessment date {concluded_on} must fall after the injury on {injured_on} and not in "
    "the future.",
)


# --- work-ability assessment (SBRG018) ------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentRecord:
    """What the clerk copies from the assessment conclusion (劳动能力鉴定结论书)."""

    conclusion_no: str
    concluded_on: date
    level: int
    dependence: str = Dependence.NONE

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {"concluded_on": self.concluded_on.isoformat()}


def _check_assessment(injury: Injury, record: AssessmentRecord, today: date) -> None:
    if injury.fatal:
        raise RuleViolation("WI-INJURY-FATAL")
    if not 1 <= record.level <= 10:
        raise RuleViolation("WI-LEVEL-UNKNOWN", level=record.level)
    if record.dependence not in Dependence.values:
        raise RuleViolation(
            "WI-DEPENDENCE-UNKNOWN",
            dependence=record.dependence,
            allowed=", ".join(Dependence.values),
        )
    if not (injury.injured_on <= record.concluded_on <= today):
        raise RuleViolation(
            "WI-CONCLUSION-DATE",
            concluded_on=record.concluded_on.isoformat(),
            injured_on=injury.injured_on.isoformat(),
        )
    number = record.conclusion_no.strip()
    if not number:
        raise RuleViolation("WI-CONCLUSION-NO-REQUIRED")
    if WorkAbilityAssessment.objects.filter(injury=injury, conclusion_no=number).exists() or (
        pending_case(ITEM_ASSESSMENT, injury_id=injury.pk, record__conclusion_no=number)
    ):
        raise RuleViolation("WI-CONCLUSION-EXISTS", conclusion_no=number)


def assessment_request(
    *,
    actor: Actor,
    injury: Injury,
    record: AssessmentRecord,
    channel: str = "counter",
    today: date | None = None,
) -> Case:
    """Open the assessment case (SBRG018); the assessment is recorded on approval."""
    ensure_staff(actor)
    ensure_in_scope(actor, injury.agency)
    today = today or timezone.localdate()
    record = AssessmentRecord(**{**asdict(record), "conclusion_no": record.conclusion_no.strip()})
    with transaction.atomic(durable=True):
        Injury.objects.select_for_update().get(pk=injury.pk)
        _check_assessment(injury, record, today)
        case = open_request(
            actor=actor,
            item_code=ITEM_ASSESSMENT,
            channel=channel,
            person=injury.person,
            data={"injury_id": injury.pk, "record": record.as_json()},
        )
        audit_record(
            actor=actor,
            action="injury.assessment_request",
            target=case,
            target_agency=injury.agency,
            after={"injury": injury.pk, **record.as_json(), "case": case.receipt_no},
        )
    return case


def apply_assessment(case: Case, actor: Actor) -> WorkAbilityAssessment:
    """The SBRG018 handler: the assessment recorded against its injury."""
    ensure_case_of(case, ITEM_ASSESSMENT)
    injury = Injury.objects.select_for_update().get(pk=case.data["injury_id"])
    data = case.data["record"]
    existing = WorkAbilityAssessment.objects.filter(
        injury=injury, conclusion_no=data["conclusion_no"]
    ).first()
    if existing is not None:
        raise RuleViolation("WI-CONCLUSION-EXISTS", conclusion_no=data["conclusion_no"])
    assessment = WorkAbilityAssessment.objects.create(
        injury=injury,
        conclusion_no=data["conclusion_no"],
        concluded_on=date.fromisoformat(data["concluded_on"]),
        level=data["level"],
        dependence=data["dependence"],
        recorded_by=actor.username,
    )
    case_record_link(case=case, record=assessment, effect="created")
    audit_record(
        actor=actor,
        action="injury.assessment",
        target=assessment,
        target_agency=injury.agency,
        after={"injury": injury.pk, **data, "case": case.receipt_no},
    )
    return assessment
