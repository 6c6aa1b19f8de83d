"""The business effect of the lifecycle items: the counter certification (SBQL001, done on the
spot) and the end of a pension on death (SBBC004, applied on approval)."""

from __future__ import annotations

from shebao.benefits.services.certification import ITEM_CERTIFICATION, certification_case_done
from shebao.benefits.services.death import ITEM_END, death_case_approved
from shebao.core.actors import Actor
from shebao.services.handlers import register_handler
from shebao.services.models import Case


@register_handler(ITEM_CERTIFICATION)
def certification_done(case: Case, actor: Actor) -> None:
    certification_case_done(case, actor)


@register_handler(ITEM_END)
def pension_end_approved(case: Case, actor: Actor) -> None:
    death_case_approved(case, actor)
