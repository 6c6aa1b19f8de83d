"""Two-factor sign-in (TOTP) for reviewers, fund officers and administrators, through the real
login and code pages (the tests elsewhere use force_login, which conftest makes verified)."""

from __future__ import annotations

import time
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from shebao.core.demo import DEMO_OTP_KEY, DEMO_PASSWORD, demo_otp_code
from shebao.core.models import AuditEntry, User
from shebao.core.services import api_token_issue, claim_grant, staff_create
from shebao.core.testing import fresh_demo_code

VERIFY = "/login/two-factor/"
ENROL = "/login/two-factor/enrol/"


def password_step(client: Client, username: str, password: str = DEMO_PASSWORD) -> None:
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, f"password step of {username} failed"


def code_of(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def audit_actions(username: str) -> list[str]:
    return list(
        AuditEntry.objects.filter(actor_username=username, action__startswith="login.otp")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_nothing_answers_before_the_code(client, demo):
    password_step(client, "reviewer_maojian")
    page = client.get("/staff/")
    assert page.status_code == 302
    assert page["Location"] == "/login/two-factor/?next=%2Fstaff%2F"
    assert client.get("/admin/")["Location"].startswith(VERIFY)
    fragment = client.get("/staff/", headers={"HX-Request": "true"})
    assert fragment.status_code == 204
    assert fragment["HX-Redirect"].startswith(VERIFY)
    api = client.get("/api/v1/me")
    assert api.status_code == 401
    assert api.json()["code"] == "AUTH-OTP-REQUIRED"
    code_page = client.get(VERIFY)
    assert code_page.status_code == 200
    assert 'data-testid="otp-form"' in code_page.content.decode()
    # No menu of staff pages on the code page.
    assert 'data-testid="whoami"' not in code_page.content.decode()


def test_wrong_code_refused_with_rule_code_then_right_code_admits(client, demo):
    password_step(client, "reviewer_maojian")
    device = TOTPDevice.objects.get(user__username="reviewer_maojian", confirmed=True)
    right = demo_otp_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    refused = client.post(VERIFY, {"token": wrong, "next": "/staff/"})
    assert refused.status_code == 400
    assert "AUTH-OTP-INVALID" in refused.content.decode()
    assert client.get("/staff/").status_code == 302
    # The next attempt, even with the right code, waits out the throttle.
    throttled = client.post(VERIFY, {"token": right, "next": "/staff/"})
    assert throttled.status_code == 400
    assert "AUTH-OTP-THROTTLED" in throttled.content.decode()
    with time_machine.travel(timezone.now() + timedelta(seconds=2), tick=False):
        admitted = client.post(VERIFY, {"token": demo_otp_code(device), "next": "/staff/"})
        assert admitted.status_code == 302
        assert admitted["Location"] == "/staff/"
        assert client.get("/staff/").status_code == 200
        assert client.get("/api/v1/me").status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert audit_actions("reviewer_maojian") == [
        "login.otp_failed",
        "login.otp_failed",
        "login.otp_verified",
    ]
    failures = AuditEntry.objects.filter(
        actor_username="reviewer_maojian", action="login.otp_failed"
    ).order_by("id")
    # The throttled attempt is recorded and does not count as another wrong code.
    assert [entry.after for entry in failures] == [
        {"rule": "AUTH-OTP-INVALID", "failures": 1},
        {"rule": "AUTH-OTP-THROTTLED", "failures": 1},
    ]


def test_a_code_is_accepted_only_once(demo):
    first, second = Client(), Client()
    user = User.objects.get(username="fund_shiyan")
    code = fresh_demo_code(user)
    password_step(first, "fund_shiyan")
    assert first.post(VERIFY, {"token": code}).status_code == 302
    password_step(second, "fund_shiyan")
    replay = second.post(VERIFY, {"token": code})
    assert replay.status_code == 400
    assert "AUTH-OTP-INVALID" in replay.content.decode()


def test_enrolment_shows_a_qr_code_and_confirms_with_a_code(client, system, agency):
    staff = staff_create(
        actor=system,
        username="reviewer_new",
        password="Hanjiang-Audit-2026",
        full_name="新审核员",
        agency=agency("420302"),
    )
    claim_grant(actor=system, staff=staff, role_code="reviewer", item_scope="*")
    password_step(client, "reviewer_new", "Hanjiang-Audit-2026")
    to_code_page = client.get("/staff/")
    to_enrol = client.get(to_code_page["Location"])
    assert to_enrol.status_code == 302
    assert to_enrol["Location"] == ENROL + "?next=%2Fstaff%2F"
    page = client.get(to_enrol["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user=staff.user)
    assert not device.confirmed
    assert device.key != DEMO_OTP_KEY
    secret = page.context["secret"]
    assert secret.replace(" ", "") in html.replace(" ", "")
    # The page shown again keeps the same secret.
    assert client.get(ENROL).context["secret"] == secret
    assert client.get("/staff/").status_code == 302
    refused = client.post(ENROL, {"token": "12345x", "next": "/staff/"})
    assert refused.status_code == 400
    assert "AUTH-OTP-INVALID" in refused.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    with time_machine.travel(timezone.now() + timedelta(seconds=2), tick=False):
        confirmed = client.post(ENROL, {"token": code_of(device), "next": "/staff/"})
        assert confirmed.status_code == 302
        assert client.get("/staff/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert audit_actions("reviewer_new") == [
        "login.otp_failed",
        "login.otp_enrolled",
        "login.otp_verified",
    ]
    # Once enrolled, the next sign-in asks for a code, not for a new enrolment.
    other = Client()
    password_step(other, "reviewer_new", "Hanjiang-Audit-2026")
    assert other.get(ENROL)["Location"].startswith(VERIFY)


def test_a_clerk_is_not_asked_for_a_code(client, demo):
    password_step(client, "clerk_maojian")
    assert client.get("/staff/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert client.get(VERIFY + "?next=/staff/")["Location"] == "/staff/"
    assert not TOTPDevice.objects.filter(user__username="clerk_maojian").exists()


def test_the_roles_that_need_a_code_are_a_setting(client, demo, settings):
    settings.OTP_REQUIRED_ROLES = ["clerk"]
    password_step(client, "clerk_maojian")
    assert client.get("/staff/")["Location"].startswith(VERIFY)
    settings.OTP_REQUIRED_ROLES = []
    other = Client()
    password_step(other, "reviewer_maojian")
    assert other.get("/staff/").status_code == 200


def test_a_bearer_token_is_not_asked_for_a_code(client, demo, actor_of):
    user = User.objects.get(username="reviewer_maojian")
    _row, token = api_token_issue(actor=actor_of("reviewer_maojian"), user=user, label="system")
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=auth).status_code == 200
    # A half-signed-in session does not stand in for a wrong token.
    password_step(client, "reviewer_maojian")
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    assert client.get("/api/v1/me", headers=auth).status_code == 200


def test_seed_demo_gives_the_demo_users_who_need_it_the_demo_authenticator(demo):
    with_device = set(
        TOTPDevice.objects.filter(confirmed=True, key=DEMO_OTP_KEY).values_list(
            "user__username", flat=True
        )
    )
    assert {"admin", "reviewer_maojian", "reviewer_zhangwan", "fund_shiyan", "policy_hubei"} == (
        with_device & {u.username for u in User.objects.filter(staff__isnull=False)}
    )


def test_demo_otp_prints_the_code_only_for_the_demo_secret(demo, system, agency):
    out = StringIO()
    call_command("demo_otp", "reviewer_maojian", stdout=out)
    device = TOTPDevice.objects.get(user__username="reviewer_maojian")
    assert out.getvalue().strip() == code_of(device)
    staff = staff_create(
        actor=system,
        username="fund_real",
        password="Kaiyuan-Ledger-2026",
        full_name="真实账户",
        agency=agency("420300"),
    )
    TOTPDevice.objects.create(user=staff.user, name="phone", confirmed=True)
    with pytest.raises(CommandError, match="does not hold the demo secret"):
        call_command("demo_otp", "fund_real", stdout=StringIO())
    with pytest.raises(CommandError, match="no confirmed authenticator"):
        call_command("demo_otp", "clerk_maojian", stdout=StringIO())
