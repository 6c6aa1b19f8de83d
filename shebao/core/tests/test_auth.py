"""Sign-in, lockout after repeated failures, password policy, idle timeout."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from shebao.core.demo import DEMO_PASSWORD
from shebao.core.errors import RuleViolation
from shebao.core.models import Staff
from shebao.core.services import staff_create, staff_password_set


def test_login_page_is_chinese_by_default(client):
    page = client.get("/login/")
    assert page.status_code == 200
    assert "工作人员登录" in page.content.decode()


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_login_and_logout(login):
    client = login("clerk_maojian")
    assert client.get("/").status_code == 200
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_account_locks_after_five_failures_even_for_the_right_password(client, demo, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _attempt in range(5):
        client.post("/login/", {"username": "clerk_wuhan", "password": "wrong-Password-1"})
    locked = client.post("/login/", {"username": "clerk_wuhan", "password": DEMO_PASSWORD})
    assert locked.status_code == 429
    assert 'data-testid="locked-out"' in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same window is not affected.
    other = client.post("/login/", {"username": "clerk_maojian", "password": DEMO_PASSWORD})
    assert other.status_code == 302


def test_four_failures_then_success_resets_the_count(client, demo):
    for _attempt in range(4):
        client.post("/login/", {"username": "clerk_wuhan", "password": "wrong-Password-1"})
    ok = client.post("/login/", {"username": "clerk_wuhan", "password": DEMO_PASSWORD})
    assert ok.status_code == 302


def test_session_expires_after_idle_timeout(login, settings):
    client = login("clerk_maojian")
    idle = settings.SESSION_COOKIE_AGE
    with time_machine.travel(timezone.now() + timedelta(seconds=idle - 60)):
        assert client.get("/").status_code == 200  # activity renews the session
    with time_machine.travel(timezone.now() + timedelta(seconds=2 * idle)):
        response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    "password",
    ["short1A!", "alllowercaseletters", "1234567890123", "Password123"],
)
def test_weak_passwords_are_refused(system, agency, password):
    with pytest.raises(RuleViolation) as refused:
        staff_create(
            actor=system,
            username="new_clerk",
            password=password,
            full_name="新人",
            agency=agency("420302"),
        )
    assert refused.value.code == "CORE-PASSWORD-POLICY"
    assert not Staff.objects.filter(user__username="new_clerk").exists()


def test_strong_password_is_accepted_and_works(system, agency, client):
    staff_create(
        actor=system,
        username="new_clerk",
        password="Kiosk-Hall-7731",
        full_name="新人",
        agency=agency("420302"),
    )
    response = client.post("/login/", {"username": "new_clerk", "password": "Kiosk-Hall-7731"})
    assert response.status_code == 302


def test_staff_may_change_own_password_but_not_a_colleagues(actor_of):
    clerk = actor_of("clerk_maojian")
    own = Staff.objects.get(user__username="clerk_maojian")
    staff_password_set(actor=clerk, staff=own, password="Another-Pass-2027")
    own.user.refresh_from_db()
    assert own.user.check_password("Another-Pass-2027")
    colleague = Staff.objects.get(user__username="reviewer_maojian")
    with pytest.raises(RuleViolation) as refused:
        staff_password_set(actor=clerk, staff=colleague, password="Another-Pass-2027")
    assert refused.value.code == "CORE-PERMISSION"
