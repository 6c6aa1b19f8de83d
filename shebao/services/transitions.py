"""The life of a case as a table: which action moves a case from which statuses to which,
and what the actor must hold. Pure data, read by the services and the pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from shebao.core.models import Action
from shebao.services.models import CaseStatus as S

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    permission: str
    label: StrOrPromise
    needs_reason: bool = False
    review: bool | None = None  # True: only items that need review; False: only those that don't


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", (S.DRAFT,), S.SUBMITTED, Action.ACCEPT, _("Submit")),
        Transition("accept", (S.SUBMITTED,), S.ACCEPTED, Action.ACCEPT, _("Accept")),
        Transition(
            "send_for_review",
            (S.ACCEPTED,),
            S.IN_REVIEW,
            Action.ACCEPT,
            _("Send for review"),
            review=True,
        ),
        Transition("complete", (S.ACCEPTED,), S.DONE, Action.ACCEPT, _("Complete"), review=False),
        Transition("approve", (S.IN_REVIEW,), S.APPROVED, Action.APPROVE, _("Approve")),
        Transition(
            "send_back",
            (S.IN_REVIEW,),
            S.ACCEPTED,
            Action.REVIEW,
            _("Send back to the clerk"),
            needs_reason=True,
        ),
        Transition(
            "return",
            (S.SUBMITTED, S.ACCEPTED),
            S.RETURNED,
            Action.ACCEPT,
            _("Return to the applicant"),
            needs_reason=True,
        ),
        Transition("resubmit", (S.RETURNED,), S.SUBMITTED, Action.ACCEPT, _("Resubmit")),
        Transition(
            "withdraw",
            (S.DRAFT, S.SUBMITTED, S.ACCEPTED, S.RETURNED),
            S.WITHDRAWN,
            Action.ACCEPT,
            _("Withdraw"),
            needs_reason=True,
        ),
    )
}
