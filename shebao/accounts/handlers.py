"""The business effect of each account item, applied when its case is approved."""

from __future__ import annotations

from shebao.accounts.services.corrections import ITEM_CORRECTION, apply_correction
from shebao.accounts.services.transfers import ITEM_TRANSFER, apply_transfer
from shebao.core.actors import Actor
from shebao.services.handlers import register_handler
from shebao.services.models import Case


@register_handler(ITEM_TRANSFER)
def transfer_approved(case: Case, actor: Actor) -> None:
    apply_transfer(case, actor)


@register_handler(ITEM_CORRECTION)
def correction_approved(case: Case, actor: Actor) -> None:
    apply_correction(case, actor)
