"""The business effect of the payroll's service item, applied when its case is approved:
a retiree's new bank account (养老保险待遇发放账户维护申请, SBBC003)."""

from __future__ import annotations

from shebao.benefits.services.payroll import ITEM_BANK_CHANGE, apply_bank_change
from shebao.core.actors import Actor
from shebao.services.handlers import register_handler
from shebao.services.models import Case


@register_handler(ITEM_BANK_CHANGE)
def bank_change_approved(case: Case, actor: Actor) -> None:
    apply_bank_change(case, actor)
