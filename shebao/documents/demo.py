"""Demo documents, so that a newcomer can try the verification page with a genuine, a revoked
and a made-up code: a contribution certificate for 张伟 and an employer certificate for
十堰市示范超市有限公司 issued at the Maojian counter, and a certificate for 王芳 that the agency
head revoked. Codes are random like every real one; ``make run`` prints them and the staff
documents page lists them.

Idempotent: a second run finds the documents and writes nothing.
"""

from __future__ import annotations

from shebao.core.actors import staff_actor
from shebao.documents.codes import check_character, code_display
from shebao.documents.models import DocumentKind, IssuedDocument
from shebao.documents.services import (
    document_revoke,
    employer_certificate_issue,
    personal_certificate_issue,
)
from shebao.registry.demo import demo_employer, demo_person
from shebao.services.models import CaseChannel

DEMO_CLERK = "clerk_maojian"
DEMO_HEAD = "head_maojian"
DEMO_REVOKE_REASON = "演示：开具后发现参保信息有误，已更正并重新开具"
# Well-formed, with a valid check character, and never issued: what a forger would type.
MADE_UP_BODY = "SHEBA0DEM0000C0DE"
MADE_UP_CODE = MADE_UP_BODY + check_character(MADE_UP_BODY)


def _issued_by_demo(**filters: object) -> IssuedDocument | None:
    return IssuedDocument.objects.filter(issued_by=DEMO_CLERK, **filters).order_by("pk").first()


def seed_demo(*, bulk: bool = True) -> None:
    clerk = staff_actor(DEMO_CLERK)
    zhang = demo_person("张伟")
    if _issued_by_demo(kind=DocumentKind.PERSONAL_CERTIFICATE, person=zhang) is None:
        personal_certificate_issue(actor=clerk, person=zhang, channel=CaseChannel.COUNTER)
    supermarket = demo_employer("十堰市示范超市有限公司")
    if _issued_by_demo(kind=DocumentKind.EMPLOYER_CERTIFICATE, employer=supermarket) is None:
        employer_certificate_issue(actor=clerk, employer=supermarket, channel=CaseChannel.COUNTER)
    if not IssuedDocument.objects.filter(revoke_reason=DEMO_REVOKE_REASON).exists():
        issued = personal_certificate_issue(
            actor=clerk, person=demo_person("王芳"), channel=CaseChannel.COUNTER
        )
        document_revoke(
            actor=staff_actor(DEMO_HEAD), document=issued.document, reason=DEMO_REVOKE_REASON
        )


def demo_codes() -> list[tuple[str, str]]:
    """(what it is, the code as printed) for the demo documents that exist."""
    codes = []
    genuine = _issued_by_demo(
        kind=DocumentKind.PERSONAL_CERTIFICATE, person=demo_person("张伟"), revoked_at=None
    )
    if genuine is not None:
        codes.append(("genuine, 张伟's contribution certificate", genuine.code))
    employer = _issued_by_demo(
        kind=DocumentKind.EMPLOYER_CERTIFICATE,
        employer=demo_employer("十堰市示范超市有限公司"),
        revoked_at=None,
    )
    if employer is not None:
        codes.append(("genuine, the supermarket's employer certificate", employer.code))
    revoked = IssuedDocument.objects.filter(revoke_reason=DEMO_REVOKE_REASON).first()
    if revoked is not None:
        codes.append(("revoked, 王芳's contribution certificate", revoked.code))
    codes.append(("made up (valid check character, never issued)", MADE_UP_CODE))
    return [(label, code_display(code)) for label, code in codes]


def demo_logins() -> list[str]:
    """Printed by ``seed_demo`` beside the logins: codes to try at /verify/."""
    return ["Demo documents to verify at /verify/ (no login):"] + [
        f"  {code}  {label}" for label, code in demo_codes()
    ]
