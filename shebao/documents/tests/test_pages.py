"""The pages: the print buttons issue and lead to the document, the PDF is served from the
stored facts, the documents list (bounded queries) with revocation by the agency head, and the
public verification page and API: masked data for a genuine code, 404 for a forged one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shebao.accounts.selectors import account_summary
from shebao.contributions.models import Bill
from shebao.core.masking import mask_name, mask_resident_id
from shebao.core.models import AuditEntry
from shebao.documents.codes import check_character, code_display, code_new
from shebao.documents.models import IssuedDocument
from shebao.documents.services import document_revoke, personal_certificate_issue
from shebao.documents.tests.support import awarded_pension
from shebao.services.models import CaseStatus
from shebao.services.tests.factories import employer, person

pytestmark = pytest.mark.usefixtures("demo")


def issue_zhang(actor_of) -> IssuedDocument:
    return personal_certificate_issue(
        actor=actor_of("clerk_maojian"), person=person("张伟"), channel="counter"
    ).document


# --- staff ------------------------------------------------------------------------------------


def test_the_print_button_on_the_person_page_issues_and_shows_the_document(login):
    client = login("clerk_maojian")
    zhang = person("张伟")
    page = client.get(f"/registry/persons/{zhang.pk}/").content.decode()
    assert f"/documents/issue/persons/{zhang.pk}/certificate/" in page
    response = client.post(f"/documents/issue/persons/{zhang.pk}/certificate/")
    document = IssuedDocument.objects.latest("id")
    assert response.status_code == 302
    assert response["Location"] == f"/documents/{document.code}/"
    assert document.case is not None
    assert (document.case.channel, document.case.status) == ("counter", CaseStatus.DONE)
    detail = client.get(response["Location"]).content.decode()
    assert code_display(document.code) in detail
    assert "参保缴费证明" in detail
    pdf = client.get(f"/documents/{document.code}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == (
        f'inline; filename="personal-certificate-{document.code}.pdf"'
    )
    assert pdf.headers.get("X-Frame-Options") == "SAMEORIGIN"
    assert pdf.content[:5] == b"%PDF-"


@pytest.mark.parametrize("page", ["employer", "statement", "bill", "notice"])
def test_each_print_button_issues_its_document(login, page):
    client = login("clerk_maojian")
    supermarket = employer("十堰市示范超市有限公司")
    if page == "employer":
        source, action = (
            f"/registry/employers/{supermarket.pk}/",
            f"/documents/issue/employers/{supermarket.pk}/certificate/",
        )
        kind = "employer_certificate"
    elif page == "statement":
        zhang = person("张伟")
        year = account_summary(zhang).years[-1]
        source = f"/accounts/persons/{zhang.pk}/{year}/"
        action = f"/documents/issue/persons/{zhang.pk}/statements/{year}/"
        kind = "account_statement"
    elif page == "bill":
        bill = Bill.objects.filter(employer=supermarket).earliest("period")
        source, action = (
            f"/collection/bills/{bill.number}/",
            f"/documents/issue/bills/{bill.number}/",
        )
        kind = "bill"
    else:
        pension = awarded_pension()
        source = f"/benefits/pensions/{pension.pk}/"
        action = f"/documents/issue/pensions/{pension.pk}/notice/"
        kind = "retirement_notice"
    assert action in client.get(source).content.decode()
    response = client.post(action)
    document = IssuedDocument.objects.latest("id")
    assert document.kind == kind
    assert response["Location"] == f"/documents/{document.code}/"


def test_a_refused_issue_goes_back_with_the_rule(login):
    client = login("clerk_maojian")
    zhang = person("张伟")
    response = client.post(f"/documents/issue/persons/{zhang.pk}/statements/1990/", follow=True)
    assert "DOC-STATEMENT-YEAR" in response.content.decode()
    assert not IssuedDocument.objects.filter(kind="account_statement", reference="1990").exists()


def test_issuing_is_a_post_and_out_of_scope_is_not_found(login):
    client = login("clerk_wuhan")
    zhang = person("张伟")
    assert client.get(f"/documents/issue/persons/{zhang.pk}/certificate/").status_code == 405
    assert client.post(f"/documents/issue/persons/{zhang.pk}/certificate/").status_code == 404


def test_documents_are_visible_in_the_agency_subtree_only(login, actor_of):
    document = issue_zhang(actor_of)
    assert login("clerk_wuhan").get(f"/documents/{document.code}/").status_code == 404


def test_the_list_finds_by_code_typed_any_way_with_bounded_queries(login, actor_of):
    client = login("head_maojian")
    first = issue_zhang(actor_of)
    client.get("/documents/")  # warm the session and the permission claims
    with CaptureQueriesContext(connection) as one:
        assert client.get("/documents/").status_code == 200
    for _ in range(3):
        issue_zhang(actor_of)
    supermarket = employer("十堰市示范超市有限公司")
    bill = Bill.objects.filter(employer=supermarket).earliest("period")
    client.post(f"/documents/issue/bills/{bill.number}/")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/documents/").content.decode()
    assert len(many) == len(one)
    assert page.count("/documents/") >= 5
    typed = code_display(first.code).lower().replace("-", " ")
    found = client.get("/documents/", {"q": typed}).content.decode()
    assert code_display(first.code) in found
    assert found.count('class="font-monospace"><a') == 1


def test_the_head_revokes_on_the_page_and_a_clerk_sees_no_form(login, actor_of):
    document = issue_zhang(actor_of)
    client = login("clerk_maojian")
    clerk_page = client.get(f"/documents/{document.code}/").content.decode()
    assert 'data-testid="revoke-form"' not in clerk_page
    client.logout()
    client = login("head_maojian")
    assert (
        'data-testid="revoke-form"' in client.get(f"/documents/{document.code}/").content.decode()
    )
    client.post(f"/documents/{document.code}/revoke/", {"reason": "信息有误"})
    document.refresh_from_db()
    assert document.revoke_reason == "信息有误"
    assert AuditEntry.objects.filter(action="document.revoke", target_id=str(document.pk)).exists()
    assert client.get(f"/documents/{document.code}/pdf/").status_code == 409


# --- public verification ----------------------------------------------------------------------


def test_a_genuine_code_shows_masked_facts_only(client, actor_of):
    document = issue_zhang(actor_of)
    zhang = person("张伟")
    response = client.get(f"/verify/{code_display(document.code)}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-verdict="genuine"' in body
    assert mask_name(zhang.name) in body
    assert mask_resident_id(zhang.resident_id) in body
    assert zhang.resident_id not in body
    assert zhang.name not in body
    assert zhang.phone not in body
    assert "茅箭区社保经办机构" in body
    assert "累计缴费" in body
    assert document.sha256 in body
    document.refresh_from_db()
    assert document.verifications == 1
    assert document.last_verified_at is not None
    assert not AuditEntry.objects.filter(
        target_id=str(document.pk), action__contains="verif"
    ).exists()


def test_the_form_takes_a_typed_code(client, actor_of):
    document = issue_zhang(actor_of)
    assert client.get("/verify/").status_code == 200
    typed = code_display(document.code).lower()
    response = client.get("/verify/", {"code": typed}, follow=True)
    assert 'data-verdict="genuine"' in response.content.decode()


def forged_codes() -> dict[str, str]:
    real = code_new()
    wrong_check = real[:-1] + next(c for c in "0123456789" if c != real[-1])
    body = code_new()[:-1]
    unknown = body + check_character(body)
    return {
        "DOC-CODE-CHECK": wrong_check,
        "DOC-NOT-FOUND": unknown,
        "DOC-CODE-MALFORMED": "not-a-code-<b>",
    }


@pytest.mark.parametrize("rule", ["DOC-CODE-CHECK", "DOC-NOT-FOUND", "DOC-CODE-MALFORMED"])
def test_a_forged_code_is_not_genuine_with_404(client, rule):
    code = forged_codes()[rule]
    response = client.get(f"/verify/{code}/")
    body = response.content.decode()
    assert response.status_code == 404
    assert 'data-verdict="not-genuine"' in body
    assert rule in body
    assert "不是真实文书" in body  # Chinese
    assert "not genuine" in body  # and English, whatever the language
    assert "<b>" not in body


def test_a_revoked_document_verifies_as_revoked(client, actor_of):
    document = issue_zhang(actor_of)
    document_revoke(actor=actor_of("head_maojian"), document=document, reason="姓名有误")
    response = client.get(f"/verify/{document.code}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-verdict="revoked"' in body
    assert 'data-verdict="genuine"' not in body
    assert "姓名有误" not in body  # the reason is for staff


def test_the_verification_page_in_english(client, actor_of):
    document = issue_zhang(actor_of)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get(f"/verify/{document.code}/").content.decode()
    assert "Genuine." in body
    assert "Maojian District Social Insurance Office" in body


# --- API --------------------------------------------------------------------------------------


def bearer(username: str) -> dict[str, str]:
    from shebao.core.actors import system_actor
    from shebao.core.models import User
    from shebao.core.services import api_token_issue

    _row, token = api_token_issue(
        actor=system_actor("tests"), user=User.objects.get(username=username)
    )
    return {"Authorization": f"Bearer {token}"}


def test_api_issue_download_and_verify(client):
    zhang = person("张伟")
    created = client.post(
        f"/api/v1/persons/{zhang.pk}/certificate", headers=bearer("clerk_maojian")
    )
    assert created.status_code == 201, created.content
    body = created.json()
    document = IssuedDocument.objects.get(code=body["code"])
    assert document.case is not None
    assert (document.channel, document.case.channel) == ("api", "api")
    assert body["verify_url"].endswith(f"/verify/{document.code}/")
    pdf = client.get(body["pdf_url"], headers=bearer("clerk_maojian"))
    assert pdf.status_code == 200
    assert pdf.content[:5] == b"%PDF-"
    assert client.get(body["pdf_url"], headers=bearer("clerk_wuhan")).status_code == 404
    verified = client.get(f"/api/v1/documents/{document.code}/verification")
    assert verified.status_code == 200
    result = verified.json()
    assert result["outcome"] == "genuine"
    assert result["sha256"] == document.sha256
    assert zhang.resident_id not in verified.content.decode()
    assert zhang.name not in verified.content.decode()
    forged = client.get(f"/api/v1/documents/{forged_codes()['DOC-NOT-FOUND']}/verification")
    assert forged.status_code == 404
    assert forged.json()["rule"]["code"] == "DOC-NOT-FOUND"


def test_api_refuses_a_person_out_of_scope(client):
    zhang = person("张伟")
    response = client.post(f"/api/v1/persons/{zhang.pk}/certificate", headers=bearer("clerk_wuhan"))
    assert response.status_code == 404
