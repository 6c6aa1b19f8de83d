"""The business effect of each collection item, applied when its case is approved."""

from __future__ import annotations

from shebao.contributions.services.backpay import ITEM_BACK_PAYMENT, apply_back_payment
from shebao.contributions.services.bases import (
    ITEM_BASE_DECLARATION,
    ITEM_FLEXIBLE_BASE,
    apply_bases,
)
from shebao.contributions.services.refunds import ITEM_REFUND, apply_refund
from shebao.core.actors import Actor
from shebao.registry.models import Employer
from shebao.services.handlers import register_handler
from shebao.services.models import Case


@register_handler(ITEM_BASE_DECLARATION)
def base_declaration_approved(case: Case, actor: Actor) -> None:
    assert case.applicant_employer_id is not None
    employer = Employer.objects.get(pk=case.applicant_employer_id)
    apply_bases(case, actor, employer)


@register_handler(ITEM_FLEXIBLE_BASE)
def flexible_base_approved(case: Case, actor: Actor) -> None:
    apply_bases(case, actor, None)


@register_handler(ITEM_BACK_PAYMENT)
def back_payment_approved(case: Case, actor: Actor) -> None:
    apply_back_payment(case, actor)


@register_handler(ITEM_REFUND)
def refund_approved(case: Case, actor: Actor) -> None:
    apply_refund(case, actor)
