"""A citizen opens an account and signs in with the password and a code sent to the phone on
record; a portal login never reaches the staff side."""

from __future__ import annotations

import pytest

from shebao.core.demo import DEMO_PASSWORD
from shebao.core.models import AuditEntry
from shebao.portal import sms
from shebao.portal.models import CitizenAccount
from shebao.portal.tests.support import citizen_account, last_code
from shebao.registry.demo import demo_person

NEW_PASSWORD = "Qiang-Mima-2026"


def sign_in(client, person_name: str, password: str = DEMO_PASSWORD):
    person = demo_person(person_name)
    first = client.post("/portal/login/", {"resident_id": person.resident_id, "password": password})
    assert first.status_code == 302, first.content.decode()
    return client.post("/portal/login/code/", {"code": last_code(person.phone)})


def test_a_citizen_signs_in_with_password_and_code(client, demo):
    done = sign_in(client, "张伟")
    assert done.status_code == 302
    assert done.url == "/portal/me/"
    page = client.get("/portal/me/")
    assert page.status_code == 200
    assert 'data-testid="portal-whoami"' in page.content.decode()
    assert "张伟" in page.content.decode()


def test_the_password_alone_does_not_sign_in(client, demo):
    person = demo_person("张伟")
    client.post("/portal/login/", {"resident_id": person.resident_id, "password": DEMO_PASSWORD})
    assert client.get("/portal/me/").status_code == 302  # still sent to the sign-in


@pytest.mark.parametrize("wrong", ["password", "unknown-id"])
def test_a_failed_sign_in_says_the_same_and_sends_nothing(client, demo, wrong):
    person = demo_person("张伟")
    resident_id = person.resident_id if wrong == "password" else "420302199001011237"
    password = "Wrong-Password-1" if wrong == "password" else DEMO_PASSWORD
    page = client.post("/portal/login/", {"resident_id": resident_id, "password": password})
    assert page.status_code == 200
    assert "PORTAL-LOGIN-FAILED" in page.content.decode()
    assert sms.outbox == []


def test_a_wrong_code_does_not_sign_in(client, demo):
    person = demo_person("张伟")
    client.post("/portal/login/", {"resident_id": person.resident_id, "password": DEMO_PASSWORD})
    code = last_code(person.phone)
    page = client.post("/portal/login/code/", {"code": "000000" if code != "000000" else "999999"})
    assert "PORTAL-CODE-WRONG" in page.content.decode()
    assert client.get("/portal/me/").status_code == 302


def test_signing_in_gives_a_new_session_key(client, demo):
    client.get("/portal/login/")
    person = demo_person("张伟")
    client.post("/portal/login/", {"resident_id": person.resident_id, "password": DEMO_PASSWORD})
    before = client.session.session_key
    client.post("/portal/login/code/", {"code": last_code(person.phone)})
    assert client.session.session_key != before


def test_the_account_locks_after_five_wrong_passwords(client, demo):
    person = demo_person("张伟")
    for _attempt in range(5):
        client.post(
            "/portal/login/", {"resident_id": person.resident_id, "password": "Nope-12345x"}
        )
    locked = client.post(
        "/portal/login/", {"resident_id": person.resident_id, "password": DEMO_PASSWORD}
    )
    assert locked.status_code == 429
    assert sms.outbox == []


def test_a_citizen_opens_an_account_with_the_phone_on_record(client, demo):
    person = demo_person("陈建国")
    assert not CitizenAccount.objects.filter(person=person).exists()
    first = client.post(
        "/portal/activate/",
        {"resident_id": person.resident_id, "name": person.name, "phone": person.phone},
    )
    assert first.status_code == 302
    assert sms.outbox[-1].phone == person.phone
    done = client.post(
        "/portal/activate/code/",
        {"code": last_code(person.phone), "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert done.status_code == 302
    account = CitizenAccount.objects.get(person=person)
    assert account.user.kind == "citizen"
    assert account.user.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.filter(action="portal.citizen_open").latest("id")
    assert (entry.target_id, entry.channel, entry.actor_roles) == (
        str(account.pk),
        "web",
        "citizen",
    )
    assert client.get("/portal/me/").status_code == 200


@pytest.mark.parametrize("field", ["name", "phone"])
def test_an_identity_that_does_not_match_the_register_is_refused(client, demo, field):
    person = demo_person("陈建国")
    data = {"resident_id": person.resident_id, "name": person.name, "phone": person.phone}
    data[field] = "陈建军" if field == "name" else "13900000000"
    page = client.post("/portal/activate/", data)
    assert "PORTAL-IDENTITY-MISMATCH" in page.content.decode()
    assert sms.outbox == []


def test_a_weak_password_opens_nothing(client, demo):
    person = demo_person("陈建国")
    client.post(
        "/portal/activate/",
        {"resident_id": person.resident_id, "name": person.name, "phone": person.phone},
    )
    page = client.post(
        "/portal/activate/code/",
        {"code": last_code(person.phone), "password": "12345678", "confirm": "12345678"},
    )
    assert "PORTAL-PASSWORD-WEAK" in page.content.decode()
    assert not CitizenAccount.objects.filter(person=person).exists()


def test_an_account_is_opened_once(client, demo):
    person = demo_person("张伟")
    page = client.post(
        "/portal/activate/",
        {"resident_id": person.resident_id, "name": person.name, "phone": person.phone},
    )
    assert "PORTAL-ACCOUNT-EXISTS" in page.content.decode()


def test_a_citizen_cannot_use_the_staff_sign_in(client, demo):
    account = citizen_account("张伟")
    page = client.post("/login/", {"username": account.user.username, "password": DEMO_PASSWORD})
    assert page.status_code == 200  # the form again, not a redirect into the staff pages
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url", ["/", "/workbench/", "/registry/persons/", "/api/v1/me"])
def test_a_signed_in_citizen_is_refused_on_staff_pages_and_the_api(client, demo, url):
    sign_in(client, "张伟")
    assert client.get(url).status_code == 403
