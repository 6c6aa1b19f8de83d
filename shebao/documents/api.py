"""Documents in the API: issue a person's contribution certificate, download a document's
PDF, and the public verification of a code."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Router, Schema, Status

from shebao.api.schemas import ErrorOut
from shebao.core.actors import actor_from_request
from shebao.core.models import Channel
from shebao.documents.codes import code_display
from shebao.documents.models import IssuedDocument
from shebao.documents.selectors import document_get
from shebao.documents.services import document_pdf, document_verify, personal_certificate_issue
from shebao.registry.selectors import person_get
from shebao.services.models import CaseChannel

router = Router(tags=["documents"])


class DocumentOut(Schema):
    code: str
    code_display: str
    kind: str
    title: str
    agency: str
    case: str | None
    channel: str
    issued_at: str
    issued_by: str
    sha256: str
    pages: int
    revoked: bool
    verify_url: str
    pdf_url: str


class SummaryLineOut(Schema):
    label: str
    label_en: str
    value: str


class VerificationOut(Schema):
    """What a verifier learns: whether the code names a valid document and what it
    certified, personal data masked."""

    outcome: str  # genuine, revoked, not_found, check_failed, malformed
    code: str
    kind: str | None = None
    title: str | None = None
    agency: str | None = None
    issued_on: str | None = None
    revoked_on: str | None = None
    summary: list[SummaryLineOut] = []
    sha256: str | None = None
    pages: int | None = None
    rule: ErrorOut | None = None


def _document_out(document: IssuedDocument) -> dict[str, Any]:
    return {
        "code": document.code,
        "code_display": code_display(document.code),
        "kind": document.kind,
        "title": document.title,
        "agency": document.agency.code,
        "case": document.case.receipt_no if document.case else None,
        "channel": document.channel,
        "issued_at": document.issued_at.isoformat(),
        "issued_by": document.issued_by,
        "sha256": document.sha256,
        "pages": document.pages,
        "revoked": document.revoked_at is not None,
        "verify_url": document.facts["verify_url"],
        "pdf_url": reverse("api:document_pdf", args=[document.code]),
    }


@router.post(
    "/persons/{person_id}/certificate",
    response={201: DocumentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Issue the person's contribution certificate (参保缴费证明, a case of SBCT002 done "
    "on the spot); the PDF is at pdf_url",
)
def person_certificate(request: HttpRequest, person_id: int) -> Any:
    actor = actor_from_request(request, Channel.API)
    person = person_get(actor, person_id)
    issued = personal_certificate_issue(actor=actor, person=person, channel=CaseChannel.API)
    return Status(201, _document_out(issued.document))


@router.get(
    "/documents/{code}/pdf",
    url_name="document_pdf",
    response={200: None, 400: ErrorOut, 404: ErrorOut},
    summary="A document's PDF, rendered again from its facts and checked against its sha256",
)
def document_pdf_get(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_from_request(request, Channel.API)
    document = document_get(actor, code)
    response = HttpResponse(
        document_pdf(actor=actor, document=document), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'inline; filename="{document.kind.replace("_", "-")}-{document.code}.pdf"'
    )
    return response


@router.get(
    "/documents/{code}/verification",
    auth=None,
    response={200: VerificationOut, 404: VerificationOut},
    summary="Public: whether a verification code names a genuine document, and what it "
    "certified (masked); 404 when it names none",
)
def document_verification(request: HttpRequest, code: str) -> Any:
    verification = document_verify(code=code)
    document = verification.document
    if document is None:
        refusal = verification.refusal
        assert refusal is not None
        body = {
            "outcome": verification.outcome,
            "code": verification.code[:40],
            "rule": refusal.as_dict() | {"detail": refusal.message(get_language())},
        }
        return Status(404, body)
    return Status(
        200,
        {
            "outcome": verification.outcome,
            "code": document.code,
            "kind": document.kind,
            "title": document.title,
            "agency": document.agency.name,
            "issued_on": document.facts["issued_on"],
            "revoked_on": timezone.localdate(document.revoked_at).isoformat()
            if document.revoked_at
            else None,
            "summary": document.summary,
            "sha256": document.sha256,
            "pages": document.pages,
        },
    )
