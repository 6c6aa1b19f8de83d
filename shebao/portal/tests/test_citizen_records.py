"""The citizen's own records: relations, contributions by month (and the workbook), the
statement, the certificate PDF; another person's case or document is 404."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from shebao.accounts.selectors import account_summary
from shebao.core.actors import Actor
from shebao.core.models import Channel
from shebao.documents.models import IssuedDocument
from shebao.documents.selectors import person_line_sums
from shebao.documents.services import personal_certificate_issue
from shebao.portal import selectors
from shebao.portal.services import citizen_actor
from shebao.portal.tests.support import citizen_account
from shebao.registry.demo import demo_person
from shebao.services.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang(client, demo):
    account = citizen_account("张伟")
    client.force_login(account.user)
    return client


def actor_of_citizen(name: str) -> Actor:
    account = citizen_account(name)
    return citizen_actor(account.user, account.person_id, Channel.WEB)


def fen(cell: object) -> int:
    """A workbook's yuan figure back in fen."""
    return round(float(str(cell)) * 100)


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(BytesIO(content)).pages)


@pytest.mark.parametrize(
    "url",
    [
        "/portal/me/",
        "/portal/me/relations/",
        "/portal/me/contributions/",
        "/portal/me/statement/",
        "/portal/me/certificate/",
        "/portal/me/retirement/",
        "/portal/me/unemployment/",
        "/portal/me/cases/",
        "/portal/me/appointments/",
        "/portal/me/home-visit/",
    ],
)
def test_each_citizen_page_opens(zhang, url):
    assert zhang.get(url).status_code == 200


def test_the_pages_need_a_signed_in_citizen(client, demo):
    page = client.get("/portal/me/contributions/")
    assert page.status_code == 302
    assert page.url.startswith("/portal/login/")


def test_the_relations_page_lists_the_persons_relations(zhang):
    page = zhang.get("/portal/me/relations/").content.decode()
    relations = selectors.my_relations(demo_person("张伟"))
    assert relations, "the demo gives 张伟 insured relations"
    assert page.count("<tr><td>") == len(relations)
    assert "十堰市示范超市有限公司" in page


def test_the_month_rows_are_the_records(zhang):
    person = demo_person("张伟")
    history = selectors.contribution_history(person)
    assert history.months, "the demo gives 张伟 assessed months"
    page = zhang.get("/portal/me/contributions/").content.decode()
    assert page.count('data-testid="month-row"') == len(history.months)
    line_total = sum(line.base_fen for line in person_line_sums(person))
    history_total = sum(m.base_fen for m in history.months if m.payment != "before")
    assert history_total == line_total


def test_the_workbook_holds_the_same_rows(zhang):
    person = demo_person("张伟")
    history = selectors.contribution_history(person)
    response = zhang.get("/portal/me/contributions.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    assert isinstance(sheet, Worksheet)
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    months, total = rows[:-1], rows[-1]
    assert [(row[0], fen(row[3])) for row in months] == [
        (m.period, m.base_fen) for m in history.months
    ]
    assert total[0] == "合计"
    assert fen(total[3]) == history.base_fen


def test_the_certificate_pdf_names_the_person(zhang):
    response = zhang.post("/portal/me/certificate/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "参保缴费证明" in text
    assert "张伟" in text
    document = IssuedDocument.objects.filter(person=demo_person("张伟")).latest("issued_at")
    assert document.channel == Channel.WEB
    assert document.case is not None
    assert document.case.channel == Channel.WEB


def test_the_statement_pdf_of_a_year(zhang):
    years = selectors.statement_years(account_summary(demo_person("张伟")))
    assert years, "the demo gives 张伟 account entries"
    year = years[0]
    page = zhang.get(f"/portal/me/statement/?year={year}")
    assert 'data-testid="statement"' in page.content.decode()
    response = zhang.post(f"/portal/me/statement/{year}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    assert "张伟" in pdf_text(response.content)


def test_another_persons_case_is_not_found(zhang):
    wang = demo_person("王芳")
    issued = personal_certificate_issue(
        actor=actor_of_citizen("王芳"), person=wang, channel=Channel.WEB
    )
    case = Case.objects.get(data__document=issued.document.code)
    assert zhang.get(f"/portal/me/cases/{case.pk}/").status_code == 404
    assert zhang.post(f"/portal/me/cases/{case.pk}/withdraw/", {"reason": "x"}).status_code == 404


def test_another_persons_document_is_not_found(zhang):
    wang = demo_person("王芳")
    issued = personal_certificate_issue(
        actor=actor_of_citizen("王芳"), person=wang, channel=Channel.WEB
    )
    assert zhang.get(f"/portal/me/documents/{issued.document.code}/pdf/").status_code == 404
    mine = personal_certificate_issue(
        actor=actor_of_citizen("张伟"), person=demo_person("张伟"), channel=Channel.WEB
    )
    again = zhang.get(f"/portal/me/documents/{mine.document.code}/pdf/")
    assert again.status_code == 200
    assert again.content == mine.pdf
