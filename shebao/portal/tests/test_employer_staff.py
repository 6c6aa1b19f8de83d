"""Staff additions and removals online, single and from Excel: the counter's services and
rules, each request a web-channel case that waits for a clerk of the agency."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from shebao.core.identifiers import resident_id_with_check
from shebao.core.models import Channel
from shebao.core.periods import period_format, period_of
from shebao.portal.tests.employer_support import SUPERMARKET, ZHAO_MIN, signed_in
from shebao.registry.demo import demo_employer, demo_person
from shebao.registry.models import InsuredRelation, RelationStatus
from shebao.services.models import Case, CaseStatus

THIS_MONTH = period_format(period_of(timezone.localdate()))


@pytest.fixture
def zhao(client, demo):
    return signed_in(client, SUPERMARKET, ZHAO_MIN)


def _addition_file(client, rows: list[list[str]]) -> io.BytesIO:
    """The portal's own template, downloaded and filled in as an HR clerk would."""
    template = client.get("/portal/employer/staff/batch/templates/addition.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(template.content))
    sheet = workbook["人员增加"]
    headers = [str(cell.value).replace("*", "").strip() for cell in sheet[1]]
    for number, values in enumerate(rows, start=2):
        record = dict(
            zip(["公民身份号码", "姓名", "开始期", "参保险种", "增加原因"], values, strict=True)
        )
        for column, header in enumerate(headers, start=1):
            if header in record:
                sheet.cell(row=number, column=column, value=record[header])
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    out.name = "staff.xlsx"
    return out


def test_a_staff_addition_online_is_a_web_case_waiting_for_a_clerk(zhao):
    employer = demo_employer(SUPERMARKET)
    resident_id = resident_id_with_check("42030219950505661")
    response = zhao.post(
        "/portal/employer/staff/add/",
        {
            "resident_id": resident_id,
            "name": "网新人",
            "start_period": THIS_MONTH,
            "reason": "new_hire",
            "schemes": ["pension", "unemployment", "work_injury"],
            "phone": "13907195555",
        },
    )
    case = Case.objects.filter(applicant_employer=employer, item__code="SBRG005").latest("id")
    assert response.status_code == 302
    assert response["Location"] == f"/portal/employer/cases/{case.pk}/submitted/"
    assert (case.channel, case.status, case.accepted_at) == (
        Channel.WEB,
        CaseStatus.SUBMITTED,
        None,
    )
    assert case.data["additions"][0]["resident_id"] == resident_id
    # Nothing is insured before a clerk accepts and a reviewer approves.
    assert not InsuredRelation.objects.filter(person__resident_id=resident_id).exists()
    receipt = zhao.get(response["Location"]).content.decode()
    assert case.receipt_no in receipt
    assert "网新人" in receipt
    assert resident_id not in receipt  # masked


def test_the_counters_rules_refuse_an_addition_online(zhao):
    insured_elsewhere = demo_person("李娜")  # insured in 张湾区 (demo data)
    cases = Case.objects.count()
    response = zhao.post(
        "/portal/employer/staff/add/",
        {
            "resident_id": insured_elsewhere.resident_id,
            "name": insured_elsewhere.name,
            "start_period": THIS_MONTH,
            "reason": "new_hire",
            "schemes": ["pension"],
        },
    )
    assert response.status_code == 200
    assert "REG-REL-DUPLICATE-ACTIVE" in response.content.decode()
    assert Case.objects.count() == cases


def test_a_staff_removal_online_is_a_web_case(zhao):
    employer = demo_employer(SUPERMARKET)
    relation = InsuredRelation.objects.filter(
        employer=employer, status=RelationStatus.ACTIVE
    ).first()
    assert relation is not None
    response = zhao.post(
        "/portal/employer/staff/remove/",
        {"person": relation.person_id, "end_period": THIS_MONTH, "reason": "resignation"},
    )
    assert response.status_code == 302
    case = Case.objects.filter(applicant_employer=employer, item__code="SBRG006").latest("id")
    assert (case.channel, case.status) == (Channel.WEB, CaseStatus.SUBMITTED)
    assert case.data["removals"][0]["resident_id"] == relation.person.resident_id
    relation.refresh_from_db()
    assert relation.status == RelationStatus.ACTIVE  # until the agency approves


def test_a_batch_from_excel_is_previewed_then_only_its_valid_rows_submitted(zhao):
    employer = demo_employer(SUPERMARKET)
    good = resident_id_with_check("42030219930303771")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    upload = zhao.post(
        "/portal/employer/staff/batch/",
        {
            "kind": "addition",
            "file": _addition_file(
                zhao,
                [
                    [good, "批量甲", THIS_MONTH, "养老、失业、工伤", "新招用"],
                    [bad, "错号", THIS_MONTH, "养老", "新招用"],
                ],
            ),
        },
    )
    assert upload.status_code == 200
    assert "REG-ID-CHECKSUM" in upload.content.decode()
    validation = upload.context["validation"]
    assert (len(validation.valid_rows), validation.rows_with_errors) == (1, 1)
    assert not Case.objects.filter(data__additions__0__resident_id=good).exists()  # a preview
    cases = Case.objects.filter(applicant_employer=employer).count()
    token = upload.context["token"]

    report = zhao.get(f"/portal/employer/staff/batch/{token}/errors.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).worksheets[0]
    assert "REG-ID-CHECKSUM" in {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}

    confirm = zhao.post(f"/portal/employer/staff/batch/{token}/confirm/")
    case = Case.objects.filter(applicant_employer=employer, item__code="SBRG005").latest("id")
    assert confirm["Location"] == f"/portal/employer/cases/{case.pk}/submitted/"
    assert (case.channel, case.status) == (Channel.WEB, CaseStatus.SUBMITTED)
    assert [row["resident_id"] for row in case.data["additions"]] == [good]
    # The token is spent: a second confirmation files nothing.
    again = zhao.post(f"/portal/employer/staff/batch/{token}/confirm/")
    assert again.status_code == 404
    assert Case.objects.filter(applicant_employer=employer).count() == cases + 1


def test_another_session_cannot_confirm_a_staged_batch(zhao, settings):
    good = resident_id_with_check("42030219930303772")
    upload = zhao.post(
        "/portal/employer/staff/batch/",
        {
            "kind": "addition",
            "file": _addition_file(zhao, [[good, "批量乙", THIS_MONTH, "养老", "新招用"]]),
        },
    )
    token = upload.context["token"]
    # The same agent signs in a second time, on another browser, at once.
    settings.PORTAL_CODE_RESEND_SECONDS = 0
    other = signed_in(Client(), SUPERMARKET, ZHAO_MIN)
    cases = Case.objects.count()
    assert other.post(f"/portal/employer/staff/batch/{token}/confirm/").status_code == 404
    assert Case.objects.count() == cases


def test_error_report_of_a_staged_file_with_no_rows_says_why_instead_of_failing(zhao):
    from shebao.registry.batch import batch_template
    from shebao.registry.batch_staging import batch_stage

    session = zhao.session
    token = batch_stage(
        session,
        employer=demo_employer(SUPERMARKET),
        data=batch_template("addition"),
        kind="addition",
    )
    session.save()

    report = zhao.get(f"/portal/employer/staff/batch/{token}/errors.xlsx", follow=True)

    assert report.redirect_chain[0][1] == 302
    assert "BATCH-EMPTY" in report.content.decode()
