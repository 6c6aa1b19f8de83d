"""Writes of the documents app: issuing each kind of document, re-downloading one, revoking
one, and counting a verification.

Every certificate, statement and bill is a case of its catalogue item done on the spot
(即时办结): the document is prepared first (facts read, PDF rendered, nothing written), then
the case is opened and completed in one transaction whose item handler writes the document
row, links it to the case and audits the issue, so the case and the document stand or fall
together. The retirement notice is a copy from the award's own case and opens none.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shebao.benefits.models import Pension
from shebao.contributions.models import Bill
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import Action
from shebao.core.permissions import (
    OutOfScope,
    PermissionRefused,
    ensure_acts_for,
    ensure_can,
    ensure_in_scope,
)
from shebao.documents import preparing
from shebao.documents.codes import code_check_passes, code_fold, code_well_formed
from shebao.documents.models import DocumentKind, IssuedDocument
from shebao.documents.preparing import Prepared
from shebao.documents.render.base import RENDERER
from shebao.documents.render.kinds import render_document
from shebao.documents.selectors import document_of_code, document_visible_to
from shebao.registry.models import Employer, Person
from shebao.services.models import Case, CaseChannel, ServiceItem
from shebao.services.services import ONLINE_CHANNELS, case_done_on_the_spot, case_record_link

logger = logging.getLogger("shebao.documents")

ITEM_EMPLOYER_CERTIFICATE = "SBCT001"
ITEM_PERSONAL_CERTIFICATE = "SBCT002"
ITEM_CONTRIBUTION_INQUIRY = "SBCT003"
ITEM_ACCOUNT_STATEMENT = "SBAC003"
ITEM_RETIREMENT = "SBBN001"
ITEM_OF_KIND: dict[str, str] = {
    DocumentKind.PERSONAL_CERTIFICATE.value: ITEM_PERSONAL_CERTIFICATE,
    DocumentKind.EMPLOYER_CERTIFICATE.value: ITEM_EMPLOYER_CERTIFICATE,
    DocumentKind.ACCOUNT_STATEMENT.value: ITEM_ACCOUNT_STATEMENT,
    DocumentKind.BILL.value: ITEM_CONTRIBUTION_INQUIRY,
}

register_rule(
    "DOC-CODE-MALFORMED",
    "验证码格式不正确：验证码为 18 位字母和数字（如 K7QM3X-H9PW2D-8RTAC5）；不能核验的文书不是"
    "真实文书。",
    "This is not a verification code: a code has 18 letters and digits "
    "(e.g. K7QM3X-H9PW2D-8RTAC5). A document that does not verify is not genuine.",
)
register_rule(
    "DOC-CODE-CHECK",
    "验证码有误（校验位不符），请核对后重新输入；不能核验的文书不是真实文书。",
    "The code is mistyped (its check character does not match): check it and type it again. "
    "A document that does not verify is not genuine.",
)
register_rule(
    "DOC-NOT-FOUND",
    "查无此文书：该验证码不是本系统开具的文书，文书不真实。",
    "No such document: this code was not issued by shebao, so the document is not genuine.",
)
register_rule(
    "DOC-REVOKED",
    "该文书已于 {on} 作废，不能再下载或使用。",
    "This document was revoked on {on} and can no longer be downloaded or used.",
)
register_rule(
    "DOC-ALREADY-REVOKED",
    "该文书已作废。",
    "This document is already revoked.",
)
register_rule(
    "DOC-REVOKE-REASON",
    "请填写作废原因（200 字以内）。",
    "Give the reason for the revocation (at most 200 characters).",
)
register_rule(
    "DOC-PDF-CHANGED",
    "按存档内容重新生成的文件与开具时的指纹不一致，已拒绝下载；请联系系统管理员核查。",
    "The file rendered again from the stored facts does not match the fingerprint taken at "
    "issue, so it is refused: ask a system administrator to investigate.",
)
register_rule(
    "DOC-RENDERER-CHANGED",
    "文书生成程序已升级（开具时 {then}，现为 {now}），无法重新生成与原件一致的文件；原件仍可核验，"
    "如需新文件请重新开具。",
    "The document renderer changed since issue ({then}, now {now}), so the original file "
    "cannot be rendered again; the original still verifies, and a new document can be issued.",
)
register_rule(
    "DOC-CHANNEL",
    "渠道“{channel}”无效。",
    "Unknown channel '{channel}'.",
)


@dataclass(frozen=True)
class Issued:
    """A document just issued: its row and the PDF to hand over."""

    document: IssuedDocument
    pdf: bytes


# The document the service prepared, waiting for the case's handler inside the transaction.
_PENDING: ContextVar[tuple[Prepared, Actor] | None] = ContextVar("document_pending", default=None)


def _item(code: str) -> ServiceItem:
    item = ServiceItem.objects.filter(code=code).first()
    if item is None:
        raise RuleViolation("CASE-ITEM-UNKNOWN", item=code)
    return item


def _precheck(actor: Actor, item: ServiceItem, channel: str) -> None:
    """What the case will check anyway, checked before the PDF is rendered for nothing."""
    if not item.is_active:
        raise RuleViolation("CASE-ITEM-INACTIVE", item=item.code)
    if actor.principal is None:
        ensure_can(actor, Action.ACCEPT, item_code=item.code, category=item.category)
    elif channel not in ONLINE_CHANNELS:
        raise RuleViolation("CASE-CHANNEL-NOT-ALLOWED", item=item.code, channel=channel)
    if channel not in item.channels:
        raise RuleViolation("CASE-CHANNEL-NOT-ALLOWED", item=item.code, channel=channel)


def _issue_as_case(
    *,
    actor: Actor,
    item: ServiceItem,
    channel: str,
    prepared: Prepared,
    data: dict[str, Any] | None = None,
) -> Issued:
    token = _PENDING.set((prepared, actor))
    try:
        case = case_done_on_the_spot(
            actor=actor,
            item=item,
            channel=channel,
            person=prepared.person if prepared.employer is None else None,
            employer=prepared.employer,
            data={"document": prepared.code, "kind": prepared.kind, **(data or {})},
        )
    finally:
        _PENDING.reset(token)
    document = IssuedDocument.objects.select_related("agency", "case").get(case=case)
    return Issued(document=document, pdf=prepared.rendered.pdf)


def personal_certificate_issue(*, actor: Actor, person: Person, channel: str) -> Issued:
    """参保缴费证明 (SBCT002) for the person: staff of their agency's scope, or the person
    themself online or at a kiosk."""
    ensure_acts_for(actor, person)
    item = _item(ITEM_PERSONAL_CERTIFICATE)
    _precheck(actor, item, channel)
    prepared = preparing.personal_certificate_prepare(person)
    return _issue_as_case(actor=actor, item=item, channel=channel, prepared=prepared)


def employer_certificate_issue(*, actor: Actor, employer: Employer, channel: str) -> Issued:
    """单位参保证明 (SBCT001): at the counter, online or through the API (not at a kiosk)."""
    ensure_acts_for(actor, employer)
    item = _item(ITEM_EMPLOYER_CERTIFICATE)
    _precheck(actor, item, channel)
    prepared = preparing.employer_certificate_prepare(employer)
    return _issue_as_case(actor=actor, item=item, channel=channel, prepared=prepared)


def account_statement_issue(*, actor: Actor, person: Person, year: int, channel: str) -> Issued:
    """个人账户对账单 of one year (SBAC003)."""
    ensure_acts_for(actor, person)
    item = _item(ITEM_ACCOUNT_STATEMENT)
    _precheck(actor, item, channel)
    prepared = preparing.account_statement_prepare(person, year)
    return _issue_as_case(
        actor=actor, item=item, channel=channel, prepared=prepared, data={"year": year}
    )


def bill_document_issue(*, actor: Actor, bill: Bill, channel: str) -> Issued:
    """缴费单 as a document (SBCT003, the contribution inquiry), for its payer: the employer
    or the flexible worker."""
    ensure_acts_for(actor, preparing.bill_payer(bill))
    item = _item(ITEM_CONTRIBUTION_INQUIRY)
    _precheck(actor, item, channel)
    prepared = preparing.bill_prepare(bill)
    return _issue_as_case(
        actor=actor, item=item, channel=channel, prepared=prepared, data={"bill": bill.number}
    )


def retirement_notice_issue(*, actor: Actor, pension: Pension, channel: str) -> Issued:
    """A copy of the retirement approval notice (退休待遇核定通知书) of the pension's award. It
    belongs to the award's case (SBBN001/SBBN004) and opens no case of its own."""
    if channel not in CaseChannel.values:
        raise RuleViolation("DOC-CHANNEL", channel=channel)
    if actor.principal is not None:
        ensure_acts_for(actor, pension.person)
        if channel not in ONLINE_CHANNELS:
            raise RuleViolation("CASE-CHANNEL-NOT-ALLOWED", item=ITEM_RETIREMENT, channel=channel)
    else:
        ensure_in_scope(actor, pension.agency)
        # Before the award is looked for: who may not issue the notice is refused as such.
        item = _notice_item(pension)
        ensure_can(actor, Action.ACCEPT, item_code=item.code, category=item.category)
    prepared, case = preparing.retirement_notice_prepare(pension)
    with transaction.atomic(durable=True):
        document = _document_write(prepared, actor=actor, case=case, channel=channel)
    return Issued(document=document, pdf=prepared.rendered.pdf)


def _notice_item(pension: Pension) -> ServiceItem:
    """The item of the pension's award case (retirement SBBN001, or early retirement SBBN004);
    retirement's for a pension awarded outside shebao, which has no notice to issue."""
    if pension.award_case_id is None:
        return _item(ITEM_RETIREMENT)
    case = Case.objects.select_related("item").filter(pk=pension.award_case_id).first()
    return case.item if case is not None else _item(ITEM_RETIREMENT)


def _document_write(
    prepared: Prepared, *, actor: Actor, case: Case | None, channel: str
) -> IssuedDocument:
    """The row and its audit entry, inside the caller's transaction."""
    document = IssuedDocument.objects.create(
        code=prepared.code,
        kind=prepared.kind,
        title=prepared.facts["title"],
        person=prepared.person,
        employer=prepared.employer,
        agency=prepared.agency,
        case=case,
        reference=prepared.reference,
        channel=channel,
        issued_at=prepared.issued_at,
        issued_by=actor.username,
        facts=prepared.facts,
        summary=prepared.summary,
        sha256=prepared.rendered.sha256,
        pages=prepared.rendered.pages,
        renderer=RENDERER,
    )
    audit_record(
        actor=actor,
        action="document.issue",
        target=document,
        target_agency=prepared.agency,
        after={
            "code": document.code,
            "kind": document.kind,
            "case": case.receipt_no if case else None,
            "channel": channel,
            "sha256": document.sha256,
            "pages": document.pages,
        },
    )
    return document


# --- the item handlers' side ------------------------------------------------------------------


def _prepare_for_case(case: Case, kind: str) -> Prepared | None:
    """A case completed without the service (from the workbench): prepare its document here,
    inside the transaction. A contribution inquiry without a bill prints nothing."""
    if kind == DocumentKind.PERSONAL_CERTIFICATE and case.applicant_person is not None:
        return preparing.personal_certificate_prepare(case.applicant_person)
    if kind == DocumentKind.EMPLOYER_CERTIFICATE and case.applicant_employer is not None:
        return preparing.employer_certificate_prepare(case.applicant_employer)
    if kind == DocumentKind.ACCOUNT_STATEMENT and case.applicant_person is not None:
        person = case.applicant_person
        year = case.data.get("year") or preparing.default_statement_year(person)
        return preparing.account_statement_prepare(person, int(year))
    if kind == DocumentKind.BILL and case.data.get("bill"):
        bills = Bill.objects.filter(number=case.data["bill"])
        if case.applicant_employer_id is not None:
            bills = bills.filter(employer_id=case.applicant_employer_id)
        else:
            bills = bills.filter(employer__isnull=True, person=case.applicant_person)
        bill = bills.first()
        return preparing.bill_prepare(bill) if bill is not None else None
    return None


def document_of_case(case: Case, actor: Actor, kind: str) -> None:
    """Applied when a certificate, statement or inquiry case is completed: write the
    document the service prepared (or prepare it now), link it to the case, audit it."""
    pending = _PENDING.get()
    if (
        pending is not None
        and pending[0].kind == kind
        and case.data.get("document") == pending[0].code
    ):
        prepared, requester = pending
    else:
        prepared_now = _prepare_for_case(case, kind)
        if prepared_now is None:
            return
        prepared, requester = prepared_now, actor
        case.data = {**case.data, "document": prepared.code, "kind": kind}
        case.save(update_fields=["data"])
    document = _document_write(prepared, actor=requester, case=case, channel=case.channel)
    case_record_link(case=case, record=document, effect="created")


# --- re-download, revocation, verification ----------------------------------------------------


def document_pdf(*, actor: Actor, document: IssuedDocument) -> bytes:
    """The PDF as issued, rendered again from the stored facts and refused unless it has the
    fingerprint taken at issue. A revoked document is not handed out again."""
    if not document_visible_to(actor, document):
        raise OutOfScope()
    if document.revoked_at is not None:
        raise RuleViolation("DOC-REVOKED", on=timezone.localdate(document.revoked_at).isoformat())
    rendered = render_document(document.facts)
    if rendered.sha256 != document.sha256:
        if document.renderer != RENDERER:
            raise RuleViolation("DOC-RENDERER-CHANGED", then=document.renderer, now=RENDERER)
        raise RuleViolation("DOC-PDF-CHANGED")
    return rendered.pdf


def document_revoke(*, actor: Actor, document: IssuedDocument, reason: str) -> IssuedDocument:
    """Revoke a document issued in error (作废): from then on it verifies as revoked. Staff of
    the issuing agency's scope holding both the approval of the document's item and the
    audit permission (an agency head)."""
    if actor.principal is not None:
        raise PermissionRefused(Action.APPROVE, ITEM_OF_KIND.get(document.kind, "*"))
    ensure_in_scope(actor, document.agency)
    # The notice belongs to the award's item; the others to their certificate item.
    code = ITEM_OF_KIND.get(document.kind)
    item = document.case.item if code is None and document.case else _item(code or "")
    ensure_can(actor, Action.APPROVE, item_code=item.code, category=item.category)
    ensure_can(actor, Action.AUDIT)
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise RuleViolation("DOC-REVOKE-REASON")
    with transaction.atomic(durable=True):
        locked = IssuedDocument.objects.select_for_update().get(pk=document.pk)
        if locked.revoked_at is not None:
            raise RuleViolation("DOC-ALREADY-REVOKED")
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor.username
        locked.revoke_reason = reason
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        audit_record(
            actor=actor,
            action="document.revoke",
            target=locked,
            target_agency=locked.agency,
            before={"revoked": False},
            after={"revoked": True, "code": locked.code, "reason": reason},
        )
    return locked


class Outcome:
    GENUINE = "genuine"
    REVOKED = "revoked"
    NOT_FOUND = "not_found"
    CHECK_FAILED = "check_failed"
    MALFORMED = "malformed"


REFUSAL_OF = {
    Outcome.NOT_FOUND: "DOC-NOT-FOUND",
    Outcome.CHECK_FAILED: "DOC-CODE-CHECK",
    Outcome.MALFORMED: "DOC-CODE-MALFORMED",
}


@dataclass(frozen=True)
class Verification:
    outcome: str
    code: str  # as folded: what was looked up
    document: IssuedDocument | None = None

    @property
    def refusal(self) -> RuleViolation | None:
        rule = REFUSAL_OF.get(self.outcome)
        return RuleViolation(rule) if rule else None


def document_verify(*, code: str) -> Verification:
    """The public check of a code. A code that is malformed or fails its check character is
    refused before any lookup. Each document counts how often it was verified; the log line
    says what was found but never the code or who asked."""
    folded = code_fold(code)
    if not code_well_formed(folded):
        outcome = Verification(Outcome.MALFORMED, folded)
    elif not code_check_passes(folded):
        outcome = Verification(Outcome.CHECK_FAILED, folded)
    else:
        document = document_of_code(folded)
        if document is None:
            outcome = Verification(Outcome.NOT_FOUND, folded)
        else:
            # A counter, not an audit entry: nothing about the person changes.
            IssuedDocument.objects.filter(pk=document.pk).update(
                verifications=F("verifications") + 1, last_verified_at=timezone.now()
            )
            state = Outcome.REVOKED if document.revoked_at is not None else Outcome.GENUINE
            outcome = Verification(state, folded, document)
    logger.info(
        "document verification: %s%s",
        outcome.outcome,
        f" (document {outcome.document.pk})" if outcome.document else "",
    )
    return outcome
