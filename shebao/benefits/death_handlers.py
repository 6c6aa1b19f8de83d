"""The business effect of the death items, applied on approval: the funeral subsidy and
survivor payment (SBBN009), their unemployment-fund variant (SBBN013, refused until Hubei's
amounts are configured) and the inheritance of the account (SBBN008)."""

from __future__ import annotations

from shebao.benefits.services.death import ITEM_DEATH_BENEFIT
from shebao.benefits.services.death_benefits import (
    ITEM_UNEMPLOYMENT_DEATH,
    death_benefit_case_approved,
    unemployment_death_case_approved,
)
from shebao.benefits.services.inheritance import ITEM_INHERITANCE, inheritance_case_approved
from shebao.core.actors import Actor
from shebao.services.handlers import register_handler
from shebao.services.models import Case


@register_handler(ITEM_DEATH_BENEFIT)
def death_benefit_approved(case: Case, actor: Actor) -> None:
    death_benefit_case_approved(case, actor)


@register_handler(ITEM_UNEMPLOYMENT_DEATH)
def unemployment_death_approved(case: Case, actor: Actor) -> None:
    unemployment_death_case_approved(case, actor)


@register_handler(ITEM_INHERITANCE)
def inheritance_approved(case: Case, actor: Actor) -> None:
    inheritance_case_approved(case, actor)
