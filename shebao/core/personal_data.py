"""Who may see personal data in full (个人信息查看权限), in one place.

Lists, search results, exports and API lists always show masked values (shebao.core.masking).
A full value is shown only when a staff member asks for it on a record page ("show full",
``?full=1``), only for the kinds of field their roles' actions need, and each such reveal writes
an audit entry ``<record>.view_full`` naming the fields shown, in the same request.

The policy, by kind of field (an actor holding any of the listed actions may reveal it):

- resident ID numbers and citizens' phones: those who accept, review or approve cases (clerks,
  reviewers, agency heads), and those who read the audit log (auditors, administrators);
- bank accounts: reviewers and approvers (who check the account a benefit is paid to), fund
  officers (who run the payroll and answer returned payments), and audit-log readers;
- staff members' phones: those who manage staff (configure) and audit-log readers.

Citizens see their own record in the portal, and documents issued to a citizen about themselves
(certificates) and the payment files sent to banks carry full values by necessity; those are
audited where they are issued (``document.issue``, ``payroll.file.download``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.masking import mask_bank_account, mask_phone, mask_resident_id
from shebao.core.models import Action, Agency
from shebao.core.permissions import PermissionRefused, actor_can

register_rule(
    "CORE-REVEAL",
    "您的岗位权限不能查看完整的个人信息（身份证号码、电话、银行账号）。",
    "Your roles do not allow viewing full personal data (resident ID, phone, bank account).",
    "《个人信息保护法》第五十一条; provincial data-masking policy",
)


class FieldKind:
    RESIDENT_ID = "resident_id"
    PHONE = "phone"
    BANK_ACCOUNT = "bank_account"
    STAFF_PHONE = "staff_phone"


# The policy: the actions that allow revealing each kind of field. Keep this the only copy.
REVEAL_ACTIONS: dict[str, frozenset[str]] = {
    FieldKind.RESIDENT_ID: frozenset({Action.ACCEPT, Action.REVIEW, Action.APPROVE, Action.AUDIT}),
    FieldKind.PHONE: frozenset({Action.ACCEPT, Action.REVIEW, Action.APPROVE, Action.AUDIT}),
    FieldKind.BANK_ACCOUNT: frozenset(
        {Action.REVIEW, Action.APPROVE, Action.RUN_BATCH, Action.AUDIT}
    ),
    FieldKind.STAFF_PHONE: frozenset({Action.CONFIGURE, Action.AUDIT}),
}

MASKERS: dict[str, Callable[[str | None], str]] = {
    FieldKind.RESIDENT_ID: mask_resident_id,
    FieldKind.PHONE: mask_phone,
    FieldKind.BANK_ACCOUNT: mask_bank_account,
    FieldKind.STAFF_PHONE: mask_phone,
}


# Personal numbers inside free text and recorded values (audit before/after): a resident ID
# (17 digits and a check character), a bank account (16 to 19 digits), a mobile number. Only
# whole tokens, so parts of hashes and codes are left alone.
_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])(?:(?P<id>\d{17}[\dXx])|(?P<bank>\d{16,19})|(?P<mobile>1\d{10}))"
    r"(?![0-9A-Za-z])"
)


def _mask_match(match: re.Match[str]) -> str:
    if match["id"]:
        return mask_resident_id(match["id"])
    if match["bank"]:
        return mask_bank_account(match["bank"])
    return mask_phone(match["mobile"])


def mask_text(text: str) -> str:
    """Resident IDs, bank accounts and mobile numbers in ``text`` masked."""
    return _IN_TEXT.sub(_mask_match, text)


def mask_in(value: Any) -> Any:
    """A JSON value (dicts, lists, strings, numbers) with personal numbers masked wherever
    they occur: for audit entries' before/after in lists and exports."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        masked_number = mask_text(str(value))
        return value if masked_number == str(value) else masked_number
    if isinstance(value, dict):
        return {key: mask_in(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_in(item) for item in value]
    return value


class RevealRefused(PermissionRefused):
    """Asked for full data with no role that allows any of the record's fields (403)."""

    def __init__(self) -> None:
        RuleViolation.__init__(self, "CORE-REVEAL")


def may_reveal(actor: Actor, kind: str) -> bool:
    """Whether the actor's roles allow showing this kind of field in full. System processes
    (bank files, certificates) are not staff on a screen and may."""
    return any(actor_can(actor, action) for action in REVEAL_ACTIONS[kind])


@dataclass(frozen=True)
class PersonalData:
    """What a record page shows: each field's value (full or masked), which were full, and
    whether the viewer could ask for any of them in full."""

    values: dict[str, str]
    full: tuple[str, ...]
    can_reveal: bool

    def __getitem__(self, name: str) -> str:
        return self.values[name]


def masked(fields: Mapping[str, tuple[str, str | None]]) -> dict[str, str]:
    """Each named ``(kind, value)`` masked: for lists, exports and API lists."""
    return {name: MASKERS[kind](value) for name, (kind, value) in fields.items()}


def personal_data(
    actor: Actor,
    record: models.Model,
    fields: Mapping[str, tuple[str, str | None]],
    *,
    full: bool,
    target_agency: Agency | None,
    target_type: str = "",
) -> PersonalData:
    """The fields of one record page (the caller has already checked the record is in scope).

    With ``full`` the fields the actor may reveal are shown in full, the others stay masked,
    and the reveal is audited as ``<model>.view_full`` with the field names; with none allowed
    it is refused (CORE-REVEAL). Without ``full`` everything is masked and nothing recorded.
    """
    allowed = [name for name, (kind, _value) in fields.items() if may_reveal(actor, kind)]
    values = masked(fields)
    if not full:
        return PersonalData(values=values, full=(), can_reveal=bool(allowed))
    if not allowed:
        raise RevealRefused()
    for name in allowed:
        values[name] = fields[name][1] or ""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=f"{target_type or record._meta.model_name}.view_full",
            target=record,
            target_agency=target_agency,
            after={"fields": allowed},
        )
    return PersonalData(values=values, full=tuple(allowed), can_reveal=True)
