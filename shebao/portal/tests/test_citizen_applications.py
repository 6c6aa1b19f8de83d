"""The citizen's applications online: retirement (a web case waiting for a clerk), the yearly
certification (done on the spot), the unemployment claim, withdrawing a case, appointments
and home visits."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from shebao.benefits.demo_retirement import seed_demo_wages
from shebao.benefits.models import Certification, Pension, PensionStatus
from shebao.benefits.tests.retirement_factories import balance_make, history_make, retiree_make
from shebao.contributions.tests.factories import employer_make, relations_make
from shebao.core.models import Agency, User, UserKind
from shebao.hall.models import Appointment, AppointmentStatus, HomeVisit
from shebao.hall.services.appointments import appointment_slots, bookable_days
from shebao.portal.models import CitizenAccount
from shebao.portal.tests.support import citizen_account
from shebao.registry.demo import demo_person
from shebao.registry.models import Person
from shebao.services.models import Case, CaseStatus

pytestmark = pytest.mark.django_db


def signed_in(client: Client, person: Person) -> Client:
    account = CitizenAccount.objects.filter(person=person).select_related("user").first()
    if account is None:
        user = User.objects.create(
            username=f"citizen-{person.pk}", full_name=person.name, kind=UserKind.CITIZEN
        )
        account = CitizenAccount.objects.create(user=user, person=person)
    client.force_login(account.user)
    return client


@pytest.fixture
def zhang(client, demo):
    return signed_in(client, citizen_account("张伟").person)


@pytest.fixture
def applicant(demo):
    """A man born 1965-01 (statutory month 2025-02), the months of 1996–2018 and 2024–2025 on
    file."""
    seed_demo_wages()
    maojian = Agency.objects.get(code="420302")
    person = retiree_make(maojian, birth=date(1965, 1, 20))
    relations_make(person, employer_make(maojian), agency=maojian, start=202401)
    history_make(person, 199601, 201812, 30_000)  # the demo's invented Shiyan wages
    history_make(person, 202401, 202502, 694_800)
    balance_make(person, 12_000_000, 2024, 12)
    return person


def test_a_retirement_application_online_waits_for_a_clerk(client, applicant):
    citizen = signed_in(client, applicant)
    assert (
        'data-testid="retirement-submit"' in citizen.get("/portal/me/retirement/").content.decode()
    )
    done = citizen.post("/portal/me/retirement/", {"confirm": "on"})
    assert done.status_code == 302, done.content.decode()
    case = Case.objects.get(applicant_person=applicant, item__code="SBBN001")
    assert done["Location"] == f"/portal/me/cases/{case.pk}/"
    assert (case.channel, case.status) == ("web", CaseStatus.SUBMITTED)
    assert case.accepted_by is None
    again = citizen.get("/portal/me/retirement/").content.decode()
    assert "RET-APP-OPEN" in again
    assert 'data-testid="retirement-submit"' not in again


def test_a_retirement_refusal_is_shown_with_its_rule(zhang):
    # 张伟 (born 1970) has not reached the retirement age: the assessment refuses
    page = zhang.post("/portal/me/retirement/", {"confirm": "on"}).content.decode()
    assert 'data-testid="refusal"' in page
    assert "RET-" in page
    assert not Case.objects.filter(applicant_person__name="张伟", item__code="SBBN001").exists()


def test_a_pensioner_certifies_online_on_the_spot(client, demo):
    pension = Pension.objects.filter(status=PensionStatus.ACTIVE).select_related("person").first()
    assert pension is not None, "the demo has retirees in payment"
    citizen = signed_in(client, pension.person)
    assert citizen.get("/portal/me/certification/").status_code == 200
    done = citizen.post("/portal/me/certification/")
    assert done.status_code == 302
    case = Case.objects.get(applicant_person=pension.person, item__code="SBQL001")
    assert (case.channel, case.status) == ("web", CaseStatus.DONE)
    certification = Certification.objects.filter(pension=pension).latest("id")
    assert certification.channel == "web"
    assert certification.certified_on == timezone.localdate()


def test_a_person_without_pension_has_no_certification_page(zhang):
    assert zhang.get("/portal/me/certification/").status_code == 404


def test_a_withdrawn_case_says_so(zhang):
    person = demo_person("张伟")
    zhang.post(
        "/portal/me/home-visit/",
        {
            "address": "茅箭区示范路1号",
            "phone": "13807190001",
            "reason": "elderly",
            "needed_items": ["SBQL001"],
        },
    )
    visit = HomeVisit.objects.get(person=person)
    assert (visit.case.channel, visit.case.status) == ("web", CaseStatus.SUBMITTED)
    done = zhang.post(f"/portal/me/cases/{visit.case_id}/withdraw/", {"reason": "不需要了"})
    assert done.status_code == 302
    visit.case.refresh_from_db()
    assert visit.case.status == CaseStatus.WITHDRAWN
    page = zhang.get(f"/portal/me/cases/{visit.case_id}/").content.decode()
    assert 'data-testid="withdraw"' not in page


def free_day(person: Person) -> tuple[date, str]:
    """A bookable day the person has no booking on (the demo books some), and its first slot."""
    hall = person.managing_agency
    for day in bookable_days(hall):
        slots = [slot for slot in appointment_slots(agency=hall, day=day) if slot.remaining]
        if slots and not Appointment.objects.filter(person=person, slot__day=day).exists():
            return day, f"{day.isoformat()} {slots[0].start:%H:%M}"
    raise AssertionError("no free day to book")


def test_an_appointment_is_booked_listed_and_cancelled(zhang):
    person = demo_person("张伟")
    day, slot = free_day(person)
    assert zhang.post(f"/portal/me/appointments/?day={day}", {"slot": slot}).status_code == 302
    appointment = Appointment.objects.get(person=person, slot__day=day)
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.channel == "web"
    assert appointment.code in zhang.get("/portal/me/appointments/").content.decode()
    zhang.post(f"/portal/me/appointments/{appointment.pk}/cancel/")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_another_persons_appointment_cannot_be_cancelled(client, zhang):
    wang = demo_person("王芳")
    day, slot = free_day(wang)
    other = signed_in(Client(), wang)
    assert other.post("/portal/me/appointments/", {"slot": slot}).status_code == 302
    appointment = Appointment.objects.get(person=wang, slot__day=day)
    assert zhang.post(f"/portal/me/appointments/{appointment.pk}/cancel/").status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_an_unemployment_claim_online_is_checked_by_the_same_rules(zhang):
    person = demo_person("张伟")
    claim = {"separated_on": "2026-11-30", "separation_reason": "dismissal", "employer_id": ""}
    refused = zhang.post("/portal/me/unemployment/", claim).content.decode()
    assert "UNE-CLAIM-BANK" in refused  # no bank account on record: the page says so
    short = zhang.post(
        "/portal/me/unemployment/",
        claim | {"bank_name": "中国工商银行", "bank_account": "6222021809001230001"},
    ).content.decode()
    # the demo's 张伟 has one unemployment month assessed: under the 12 months required
    assert "UNE-CLAIM-SHORT" in short
    assert not Case.objects.filter(applicant_person=person, item__code="SBBN011").exists()
