"""Unemployment items applied on approval: the registration and claim (SBBN011) opens the
benefit, the clerk's stop (SBBC008) stops it."""

from __future__ import annotations

from shebao.benefits.services.unemployment import ITEM_CLAIM, apply_unemployment_claim
from shebao.benefits.services.unemployment_stops import ITEM_STOP, apply_unemployment_stop
from shebao.core.actors import Actor
from shebao.services.handlers import register_handler
from shebao.services.models import Case


@register_handler(ITEM_CLAIM)
def unemployment_claim_approved(case: Case, actor: Actor) -> None:
    apply_unemployment_claim(case, actor)


@register_handler(ITEM_STOP)
def unemployment_stop_approved(case: Case, actor: Actor) -> None:
    apply_unemployment_stop(case, actor)
