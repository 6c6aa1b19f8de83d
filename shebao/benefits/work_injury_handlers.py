"""The business effect of the work-injury items, applied when their case is approved: the
injury recorded (SBRG017), the assessment recorded (SBRG018), the disability benefits
(SBBN032), the medical reimbursement (SBBN027) and the death-at-work benefits (SBBN033)."""

from __future__ import annotations

from shebao.benefits.services.work_injury import (
    ITEM_ASSESSMENT,
    ITEM_DEATH,
    ITEM_DISABILITY,
    ITEM_MEDICAL,
    ITEM_RECOGNITION,
    apply_recognition,
)
from shebao.benefits.services.work_injury_assessment import apply_assessment
from shebao.benefits.services.work_injury_benefits import apply_disability
from shebao.benefits.services.work_injury_death import apply_death
from shebao.benefits.services.work_injury_medical import apply_medical
from shebao.core.actors import Actor
from shebao.services.handlers import register_handler
from shebao.services.models import Case


@register_handler(ITEM_RECOGNITION)
def injury_recognition_approved(case: Case, actor: Actor) -> None:
    apply_recognition(case, actor)


@register_handler(ITEM_ASSESSMENT)
def work_ability_assessment_approved(case: Case, actor: Actor) -> None:
    apply_assessment(case, actor)


@register_handler(ITEM_DISABILITY)
def disability_benefits_approved(case: Case, actor: Actor) -> None:
    apply_disability(case, actor)


@register_handler(ITEM_MEDICAL)
def medical_claim_approved(case: Case, actor: Actor) -> None:
    apply_medical(case, actor)


@register_handler(ITEM_DEATH)
def death_at_work_approved(case: Case, actor: Actor) -> None:
    apply_death(case, actor)
