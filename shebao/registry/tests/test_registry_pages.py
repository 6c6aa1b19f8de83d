"""Registry counter pages and the Excel batch flow end to end (upload, preview, confirm)."""

from __future__ import annotations

import io

import openpyxl
from django.utils import timezone

from shebao.core.identifiers import resident_id_with_check
from shebao.core.periods import period_format, period_of
from shebao.registry.batch import batch_template
from shebao.registry.demo import demo_employer, demo_person
from shebao.registry.models import InsuredRelation
from shebao.services.models import Case

THIS_MONTH = period_format(period_of(timezone.localdate()))


def filled_addition_file(rows: list[list[str]]) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(batch_template("addition")))
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
    return out.getvalue()


def test_employer_page_masks_the_bank_account_and_lists_staff(login, demo):
    firm = demo_employer("十堰市示范超市有限公司")
    firm.bank_account = "6222021234567890123"
    firm.save()
    body = login("clerk_maojian").get(f"/registry/employers/{firm.pk}/").content.decode()
    assert "6222021234567890123" not in body
    assert "0123" in body


def test_employer_of_another_district_is_not_found(login, demo):
    parts = demo_employer("湖北示例汽车零部件有限公司")
    cases_before = Case.objects.filter(applicant_employer=parts).count()
    client = login("clerk_maojian")
    assert client.get(f"/registry/employers/{parts.pk}/").status_code == 404
    response = client.post(
        f"/registry/employers/{parts.pk}/add/",
        {
            "resident_id": resident_id_with_check("42030219900101771"),
            "name": "甲",
            "start_period": THIS_MONTH,
            "reason": "new_hire",
            "schemes": ["pension"],
        },
    )
    assert response.status_code == 404
    assert Case.objects.filter(applicant_employer=parts).count() == cases_before


def test_single_addition_from_the_employer_page_opens_a_case(login, demo):
    firm = demo_employer("十堰市示范超市有限公司")
    response = login("clerk_maojian").post(
        f"/registry/employers/{firm.pk}/add/",
        {
            "resident_id": resident_id_with_check("42030219900101772"),
            "name": "乙",
            "start_period": THIS_MONTH,
            "reason": "new_hire",
            "schemes": ["pension", "work_injury"],
        },
    )
    assert response.status_code == 302
    case = Case.objects.filter(applicant_employer=firm, item__code="SBRG005").latest("id")
    assert case.data["additions"][0]["schemes"] == ["pension", "work_injury"]


def test_batch_upload_previews_errors_and_confirms_only_valid_rows(login, demo):
    firm = demo_employer("十堰市示范超市有限公司")
    good = resident_id_with_check("42030219900101881")
    insured_elsewhere = demo_person("李娜").resident_id
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    data = filled_addition_file(
        [
            [good, "陈好", THIS_MONTH, "养老、失业、工伤", "新招用"],
            [bad, "错号", THIS_MONTH, "养老", "新招用"],
            [good, "陈好", THIS_MONTH, "养老", "新招用"],
            [insured_elsewhere, "李娜", THIS_MONTH, "养老", "新招用"],
        ]
    )
    client = login("clerk_maojian")
    upload = client.post(
        f"/registry/employers/{firm.pk}/batch",
        {"kind": "addition", "file": io.BytesIO(data)},
    )
    body = upload.content.decode()
    assert upload.status_code == 200
    assert "REG-ID-CHECKSUM" in body
    assert "BATCH-ROW-DUPLICATE" in body
    assert "REG-REL-DUPLICATE-ACTIVE" in body  # 李娜 is insured in Zhangwan (demo data)
    assert not InsuredRelation.objects.filter(person__resident_id=good).exists()
    token = upload.context["token"]
    report = client.get(f"/registry/employers/{firm.pk}/batch/{token}/errors.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).worksheets[0]
    codes = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {"REG-ID-CHECKSUM", "BATCH-ROW-DUPLICATE", "REG-REL-DUPLICATE-ACTIVE"} <= codes
    confirm = client.post(f"/registry/employers/{firm.pk}/batch/{token}/confirm")
    assert confirm.status_code == 302
    case = Case.objects.filter(applicant_employer=firm, item__code="SBRG005").latest("id")
    assert [row["resident_id"] for row in case.data["additions"]] == [good]


def test_a_reviewer_may_preview_a_batch_but_not_confirm_it(login, demo):
    firm = demo_employer("十堰市示范超市有限公司")
    good = resident_id_with_check("42030219900101903")
    client = login("reviewer_maojian")
    upload = client.post(
        f"/registry/employers/{firm.pk}/batch",
        {
            "kind": "addition",
            "file": io.BytesIO(
                filled_addition_file([[good, "陈审", THIS_MONTH, "养老", "新招用"]])
            ),
        },
    )
    assert upload.status_code == 200
    cases = Case.objects.filter(applicant_employer=firm).count()

    confirm = client.post(f"/registry/employers/{firm.pk}/batch/{upload.context['token']}/confirm")

    assert confirm.status_code == 403
    assert Case.objects.filter(applicant_employer=firm).count() == cases


def test_batch_refuses_a_file_that_is_not_excel(login, demo):
    firm = demo_employer("十堰市示范超市有限公司")
    response = login("clerk_maojian").post(
        f"/registry/employers/{firm.pk}/batch",
        {"kind": "addition", "file": io.BytesIO(b"name,id\n")},
    )
    assert "BATCH-NOT-XLSX" in response.content.decode()


def test_template_download_is_a_workbook(login, demo):
    response = login("clerk_maojian").get("/registry/templates/addition.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "人员增加" in workbook.sheetnames


def test_person_page_shows_relations_and_masks_the_id(login, demo):
    zhang = demo_person("张伟")
    body = login("clerk_maojian").get(f"/registry/persons/{zhang.pk}/").content.decode()
    assert zhang.resident_id not in body
    assert zhang.phone not in body
    assert zhang.phone[-4:] in body
    assert zhang.name in body


def test_full_person_data_is_shown_on_request_and_the_viewing_audited(login, demo):
    from shebao.core.models import AuditEntry

    zhang = demo_person("张伟")
    client = login("clerk_maojian")
    entries = AuditEntry.objects.count()
    client.get(f"/registry/persons/{zhang.pk}/")
    assert AuditEntry.objects.count() == entries  # a masked view records nothing
    body = client.get(f"/registry/persons/{zhang.pk}/", {"full": "1"}).content.decode()
    assert zhang.resident_id in body
    viewing = AuditEntry.objects.latest("id")
    assert (viewing.action, viewing.actor_username, viewing.target_id) == (
        "person.view_full",
        "clerk_maojian",
        str(zhang.pk),
    )
    # A clerk's roles reveal the ID and phone; the bank account stays masked.
    assert viewing.after == {"fields": ["resident_id", "phone"]}


def test_a_fund_officer_unmasks_only_the_bank_account(login, demo):
    zhang = demo_person("张伟")
    zhang.bank_account = "6222021234567890123"
    zhang.save()
    body = (
        login("fund_shiyan").get(f"/registry/persons/{zhang.pk}/", {"full": "1"}).content.decode()
    )
    assert zhang.resident_id not in body
    assert "6222021234567890123" in body


def test_staff_without_a_revealing_role_cannot_unmask(login, demo):
    from shebao.core.models import PermissionClaim

    zhang = demo_person("张伟")
    PermissionClaim.objects.filter(staff__user__username="reviewer_maojian").delete()
    response = login("reviewer_maojian").get(f"/registry/persons/{zhang.pk}/", {"full": "1"})
    assert response.status_code == 403
    assert zhang.resident_id not in response.content.decode()


def test_unconfirmed_uploads_are_purged(settings, tmp_path, demo):
    import os
    import time
    from io import StringIO

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path
    old = default_storage.save("batches/old.xlsx", ContentFile(b"x"))
    new = default_storage.save("batches/new.xlsx", ContentFile(b"y"))
    two_days_ago = time.time() - 48 * 3600
    os.utime(default_storage.path(old), (two_days_ago, two_days_ago))
    out = StringIO()
    call_command("purge_staged_batches", stdout=out)
    assert not default_storage.exists(old)
    assert default_storage.exists(new)
    assert "removed 1" in out.getvalue()


def test_error_report_of_a_staged_file_with_no_rows_says_why_instead_of_failing(login, demo):
    from shebao.registry.batch_staging import batch_stage

    firm = demo_employer("十堰市示范超市有限公司")
    client = login("clerk_maojian")
    session = client.session
    token = batch_stage(session, employer=firm, data=batch_template("addition"), kind="addition")
    session.save()

    report = client.get(f"/registry/employers/{firm.pk}/batch/{token}/errors.xlsx", follow=True)

    assert report.redirect_chain[0] == (f"/registry/employers/{firm.pk}/batch", 302)
    assert "BATCH-EMPTY" in report.content.decode()
