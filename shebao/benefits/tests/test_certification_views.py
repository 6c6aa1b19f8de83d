"""The lifecycle pages and the certification API: the counter certification, the death
report, the printable notice, the sweep and comparison pages, the overpayments, and 404s
outside the actor's scope."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shebao.benefits.models import (
    Certification,
    NoticeKind,
    Overpayment,
    OverpaymentStatus,
    PensionNotice,
    PensionStatus,
)
from shebao.benefits.services.certification import (
    certification_sweep_create,
    certification_sweep_execute,
)
from shebao.benefits.tests.lifecycle_support import paid, retiree
from shebao.core.actors import system_actor
from shebao.core.masking import mask_resident_id
from shebao.core.models import User
from shebao.core.periods import period_range
from shebao.core.services import api_token_issue
from shebao.services.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _november_2026():
    with time_machine.travel(date(2026, 11, 20), tick=False):
        yield


@pytest.fixture
def suspended(actor_of, agency):
    pension = retiree(agency("420302"), monthly_fen=250000, certified_on=date(2025, 10, 1))
    paid(pension, *period_range(202501, 202610))
    run = certification_sweep_create(
        actor=actor_of("fund_shiyan"),
        agency=agency("420300"),
        period=202611,
        as_of=date(2026, 11, 1),
    )
    certification_sweep_execute(run, actor=actor_of("fund_shiyan"))
    pension.refresh_from_db()
    return pension


def bearer(username: str) -> dict[str, str]:
    _row, token = api_token_issue(actor=system_actor("t"), user=User.objects.get(username=username))
    return {"Authorization": f"Bearer {token}"}


def test_counter_certification_resumes_the_pension(login, suspended):
    client = login("clerk_maojian")
    page = client.get(f"/benefits/pensions/{suspended.pk}/certify/")
    assert page.status_code == 200
    response = client.post(f"/benefits/pensions/{suspended.pk}/certify/", {"day": "2026-11-20"})
    assert response.status_code == 302
    suspended.refresh_from_db()
    assert suspended.status == PensionStatus.ACTIVE
    assert (
        Case.objects.get(item__code="SBQL001", applicant_person=suspended.person).status == "done"
    )


def test_the_notice_prints_masked_data_and_the_months(login, suspended):
    client = login("clerk_maojian")
    client.post(f"/benefits/pensions/{suspended.pk}/certify/", {"day": "2026-11-20"})
    notice = PensionNotice.objects.get(pension=suspended, kind=NoticeKind.RESUMPTION)
    page = client.get(f"/benefits/notices/{notice.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert mask_resident_id(suspended.person.resident_id) in text
    assert suspended.person.resident_id not in text
    assert "202611" not in notice.details["months"]  # nothing withheld yet: certified in 202611
    suspension = PensionNotice.objects.get(pension=suspended, kind=NoticeKind.SUSPENSION)
    assert client.get(f"/benefits/notices/{suspension.pk}/").status_code == 200


def test_pages_of_another_city_answer_404(login, suspended):
    client = login("clerk_wuhan")
    assert client.get(f"/benefits/pensions/{suspended.pk}/certify/").status_code == 404
    assert client.get(f"/benefits/pensions/{suspended.pk}/death/").status_code == 404
    notice = PensionNotice.objects.filter(pension=suspended).get()
    assert client.get(f"/benefits/notices/{notice.pk}/").status_code == 404


def test_death_report_opens_the_reviewed_case(login, suspended):
    client = login("clerk_maojian")
    response = client.post(
        f"/benefits/pensions/{suspended.pk}/death/", {"day": "2026-09-14", "reference": "D-1"}
    )
    assert response.status_code == 302
    case = Case.objects.get(item__code="SBBC004", applicant_person=suspended.person)
    assert case.status == "accepted"
    assert client.get(f"/cases/{case.pk}/").status_code in (200, 301, 302)


def test_sweep_page_runs_a_sweep(login, agency):
    pension = retiree(agency("420303"), certified_on=date(2025, 9, 1))
    client = login("fund_shiyan")
    response = client.post(
        "/benefits/certification/sweeps/",
        {"period": 202612, "as_of": "2026-11-20", "agency": "420300"},
    )
    assert response.status_code == 302
    pension.refresh_from_db()
    assert pension.suspended_from == 202612
    assert client.get("/benefits/certification/sweeps/").status_code == 200


def test_comparison_upload_and_overpayment_recovery(login, suspended, agency):
    dead = retiree(agency("420303"), monthly_fen=260000)
    paid(dead, *period_range(202501, 202610))
    content = (
        "resident_id,result,date,source\n"
        f"{suspended.person.resident_id},alive,2026-11-18,民政\n"
        f"{dead.person.resident_id},deceased,2026-09-14,公安\n"
    ).encode()
    client = login("fund_shiyan")
    response = client.post(
        "/benefits/certification/comparison/",
        {"file": SimpleUploadedFile("c.csv", content, content_type="text/csv")},
    )
    assert response.status_code == 200
    assert 'data-testid="comparison-report"' in response.content.decode()
    overpayment = Overpayment.objects.get(pension=dead)
    listing = client.get("/benefits/overpayments/")
    assert dead.person.name in listing.content.decode()
    client.post(
        f"/benefits/overpayments/{overpayment.pk}/recovery/",
        {"amount": "2,600.00", "day": "2026-11-20"},
    )
    overpayment.refresh_from_db()
    assert overpayment.status == OverpaymentStatus.RECOVERED
    wuhan = Client()
    wuhan.force_login(User.objects.get(username="clerk_wuhan"))
    response = wuhan.post(
        f"/benefits/overpayments/{overpayment.pk}/recovery/", {"amount": "1", "day": "2026-11-20"}
    )
    assert response.status_code in (403, 404)


def test_api_certification_resumes_and_a_retry_answers_the_first_result(client, suspended):
    headers = bearer("clerk_maojian")
    url = f"/api/v1/pensions/{suspended.pk}/certifications"
    body = {"certified_on": "2026-11-19", "channel": "api", "source": "kiosk-17"}
    first = client.post(url, body, content_type="application/json", headers=headers)
    assert first.status_code == 201
    assert first.json()["resumed"] is True
    assert first.json()["pension_status"] == "active"
    assert first.json()["recheck_from"] == 202611
    retry = client.post(url, body, content_type="application/json", headers=headers)
    assert retry.status_code == 200
    assert retry.json()["id"] == first.json()["id"]
    assert Certification.objects.filter(pension=suspended).count() == 1


def test_api_out_of_scope_is_404_and_a_future_date_400(client, suspended):
    url = f"/api/v1/pensions/{suspended.pk}/certifications"
    body = {"certified_on": "2026-11-19"}
    wuhan = client.post(url, body, content_type="application/json", headers=bearer("clerk_wuhan"))
    assert wuhan.status_code == 404
    future = client.post(
        url,
        {"certified_on": "2027-01-01"},
        content_type="application/json",
        headers=bearer("clerk_maojian"),
    )
    assert future.status_code == 400
    assert future.json()["code"] == "CERT-DATE-FUTURE"


def test_the_pension_page_offers_certification_and_links_the_notices(login, suspended):
    page = login("clerk_maojian").get(f"/benefits/pensions/{suspended.pk}/")
    text = page.content.decode()
    assert f"/benefits/pensions/{suspended.pk}/certify/" in text
    notice = PensionNotice.objects.get(pension=suspended, kind=NoticeKind.SUSPENSION)
    assert f"/benefits/notices/{notice.pk}/" in text
