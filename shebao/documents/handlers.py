"""The business effect of the certificate, statement and inquiry items: completing the case
writes its document (see ``services.document_of_case``)."""

from __future__ import annotations

from shebao.core.actors import Actor
from shebao.documents.models import DocumentKind
from shebao.documents.services import (
    ITEM_ACCOUNT_STATEMENT,
    ITEM_CONTRIBUTION_INQUIRY,
    ITEM_EMPLOYER_CERTIFICATE,
    ITEM_PERSONAL_CERTIFICATE,
    document_of_case,
)
from shebao.services.handlers import register_handler
from shebao.services.models import Case


@register_handler(ITEM_PERSONAL_CERTIFICATE)
def personal_certificate_done(case: Case, actor: Actor) -> None:
    document_of_case(case, actor, DocumentKind.PERSONAL_CERTIFICATE)


@register_handler(ITEM_EMPLOYER_CERTIFICATE)
def employer_certificate_done(case: Case, actor: Actor) -> None:
    document_of_case(case, actor, DocumentKind.EMPLOYER_CERTIFICATE)


@register_handler(ITEM_ACCOUNT_STATEMENT)
def account_statement_done(case: Case, actor: Actor) -> None:
    document_of_case(case, actor, DocumentKind.ACCOUNT_STATEMENT)


@register_handler(ITEM_CONTRIBUTION_INQUIRY)
def contribution_inquiry_done(case: Case, actor: Actor) -> None:
    """An inquiry about a bill prints the bill; any other inquiry prints nothing."""
    document_of_case(case, actor, DocumentKind.BILL)
