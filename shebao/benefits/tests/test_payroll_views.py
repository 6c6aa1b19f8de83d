"""Payroll pages: running a month, the run's page with its files, returns and re-issue, the
download of a file, the counter page of a new bank account, and scope."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shebao.benefits.bankfiles import return_file_bytes
from shebao.benefits.models import LineStatus, PayrollFile, PayrollLine, PayrollReturn
from shebao.benefits.payroll import KIND
from shebao.benefits.services.payroll import payroll_run_create, payroll_run_execute
from shebao.benefits.tests.payroll_support import pension_make
from shebao.core.models import BatchRun, BatchStatus
from shebao.core.money import format_yuan
from shebao.services.models import Case

RUNS = "/benefits/payroll/"


def file_of(line: PayrollLine) -> PayrollFile:
    assert line.file is not None
    return line.file


@pytest.fixture(autouse=True)
def _inline_batches(settings):
    settings.SHEBAO_BATCH_INLINE = True


@pytest.fixture
def maojian(agency):
    return agency("420302")


def test_the_fund_officer_runs_a_month_and_follows_it_to_its_files(login, maojian):
    pension = pension_make(maojian, monthly_fen=345678, settled_through=202610)
    client = login("fund_shiyan")
    assert client.get(RUNS).status_code == 200

    response = client.post(RUNS, {"period": "202611", "agency": "420300"})

    run = BatchRun.objects.filter(kind=KIND).latest("id")
    assert response.status_code == 302
    assert response["Location"] == f"{RUNS}{run.pk}/"
    assert run.status == BatchStatus.DONE
    page = client.get(f"{RUNS}{run.pk}/").content.decode()
    assert format_yuan(run.totals["total_fen"]) in page
    payroll_file = PayrollFile.objects.filter(run=run).first()
    assert payroll_file is not None
    assert payroll_file.sha256 in page
    line = PayrollLine.objects.get(run_id=run.pk, pension_id=pension.pk)
    download = client.get(f"{RUNS}files/{line.file_id}/")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    content = download.content
    assert hashlib.sha256(content).hexdigest() == file_of(line).sha256
    assert f"{line.pk},202611,{pension.person.resident_id}".encode() in content
    # The list shows it; a second run of the month is refused with its rule code.
    again = client.post(RUNS, {"period": "202611", "agency": "420302"}, follow=True)
    assert "PAYROLL-RUN-EXISTS" in again.content.decode()


def test_a_return_is_uploaded_and_returned_payments_listed(login, maojian, system):
    pension = pension_make(maojian, settled_through=202610)
    run = payroll_run_execute(
        payroll_run_create(actor=system, period=202611, agency=maojian), actor=system
    )
    line = PayrollLine.objects.get(run_id=run.pk, pension_id=pension.pk)
    client = login("fund_shiyan")
    upload = SimpleUploadedFile(
        "return.csv", return_file_bytes([(line.pk, "F", "账户已冻结")]), content_type="text/csv"
    )
    response = client.post(f"{RUNS}{run.pk}/returns/", {"file": upload}, follow=True)

    assert PayrollReturn.objects.filter(run=run).count() == 1
    assert PayrollLine.objects.get(pk=line.pk).status == LineStatus.FAILED
    page = response.content.decode()
    assert "账户已冻结" in page
    assert pension.bank_account not in page  # masked
    assert f"/benefits/payroll/bank-account/{pension.pk}/" in page
    bad = SimpleUploadedFile("bad.csv", b"nonsense\n", content_type="text/csv")
    refused = client.post(f"{RUNS}{run.pk}/returns/", {"file": bad}, follow=True)
    assert "PAYROLL-RETURN-HEADER" in refused.content.decode()
    nothing = client.post(f"{RUNS}{run.pk}/reissue/", follow=True).content.decode()
    assert "无可重发款项" in nothing  # "Nothing to re-issue: …" in the default Chinese UI


def test_another_citys_run_and_file_answer_404(login, agency, system):
    wuhan = agency("420100")
    pension_make(wuhan, settled_through=202610)
    run = payroll_run_execute(
        payroll_run_create(actor=system, period=202611, agency=wuhan), actor=system
    )
    payroll_file = PayrollFile.objects.filter(run=run).first()
    assert payroll_file is not None
    client = login("fund_shiyan")
    assert client.get(f"{RUNS}{run.pk}/").status_code == 404
    assert client.get(f"{RUNS}files/{payroll_file.pk}/").status_code == 404
    assert client.post(f"{RUNS}{run.pk}/reissue/").status_code == 404
    assert f'href="{RUNS}{run.pk}/"' not in client.get(RUNS).content.decode()


def test_a_clerk_may_not_see_the_payroll(login):
    assert login("clerk_maojian").get(RUNS).status_code == 403


def test_the_counter_opens_a_bank_account_case(login, maojian):
    pension = pension_make(maojian, settled_through=202610)
    client = login("clerk_maojian")
    page = client.get(f"{RUNS}bank-account/{pension.pk}/").content.decode()
    assert pension.bank_account not in page

    response = client.post(
        f"{RUNS}bank-account/{pension.pk}/",
        {"bank_name": "中国银行十堰分行", "bank_account": "6216 6000 0000 1234"},
    )

    case = Case.objects.filter(item__code="SBBC003", applicant_person=pension.person).get()
    assert response.status_code == 302
    assert case.data["bank_account"] == "6216600000001234"
    pension.refresh_from_db()
    assert pension.bank_account != "6216600000001234"  # not before the approval
    summary = client.get(f"/cases/{case.pk}/").content.decode()
    assert "6216600000001234" not in summary
    assert case.data["bank_account_masked"] in summary


def test_the_batch_run_list_leads_a_payroll_run_to_its_own_page(login, maojian, system):
    pension_make(maojian, settled_through=202610)
    run = payroll_run_execute(
        payroll_run_create(actor=system, period=202611, agency=maojian), actor=system
    )
    client = login("fund_shiyan")
    assert f'href="/benefits/payroll/{run.pk}/"' in client.get("/collection/runs/").content.decode()
    generic = client.get(f"/collection/runs/{run.pk}/")
    assert (generic.status_code, generic["Location"]) == (302, f"/benefits/payroll/{run.pk}/")
