"""Browser-facing protections: CSRF on staff and login forms, a new session key at each
sign-in step, logout ending the session, the security headers, and Argon2 password hashing."""

from __future__ import annotations

import importlib
import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import make_password
from django.test import Client

from shebao.core.demo import DEMO_PASSWORD
from shebao.core.models import PermissionClaim, User
from shebao.core.testing import fresh_demo_code
from shebao.services.models import Case

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Inline script and style elements; a script with src, or a JSON data block (json_script),
# which the browser never runs, needs no nonce.
INLINE_TAG = re.compile(r'<(?:script(?![^>]*\b(?:src=|type="application/json"))|style)\b[^>]*>')
NONCE_ATTR = re.compile(r'\bnonce="([^"]*)"')
SCRIPT_NONCE = re.compile(r"script-src[^;]*'nonce-([^']+)'")


def csrf_token_of(client: Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200
    found = CSRF_INPUT.search(page.content.decode())
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def granted() -> bool:
    return PermissionClaim.objects.filter(
        staff__user__username="clerk_maojian", role__code="reviewer"
    ).exists()


def test_staff_form_without_csrf_token_is_refused_and_with_it_accepted(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="admin"))
    url = "/staff/clerk_maojian/claims/"
    data = {"role": "reviewer", "item_scope": "*"}
    refused = client.post(url, data)
    assert refused.status_code == 403
    assert not granted()
    token = csrf_token_of(client, "/staff/clerk_maojian/")
    accepted = client.post(url, {**data, "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302
    assert granted()


def test_login_form_without_csrf_token_is_refused_and_with_it_accepted(demo):
    client = Client(enforce_csrf_checks=True)
    credentials = {"username": "clerk_maojian", "password": DEMO_PASSWORD}
    refused = client.post("/login/", credentials)
    assert refused.status_code == 403
    assert "_auth_user_id" not in client.session
    token = csrf_token_of(client, "/login/")
    accepted = client.post("/login/", {**credentials, "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_session_key_changes_at_the_password_step_and_again_at_the_code_step(demo):
    client = Client()
    client.get("/login/")
    session = client.session
    session["touched"] = True
    session.save()
    before = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    response = client.post("/login/", {"username": "reviewer_maojian", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    after_password = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after_password != before
    user = User.objects.get(username="reviewer_maojian")
    code = client.post("/login/two-factor/", {"token": fresh_demo_code(user)})
    assert code.status_code == 302
    after_code = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after_code not in (before, after_password)
    assert client.get("/staff/").status_code == 200
    # The key from before the code step does not stand in for the verified session.
    stale = Client()
    stale.cookies[django_settings.SESSION_COOKIE_NAME] = after_password
    assert stale.get("/staff/").status_code == 302


def test_after_logout_the_old_session_key_no_longer_signs_in(login):
    client = login("clerk_maojian")
    old_key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert client.get("/staff/").status_code == 200
    assert client.post("/logout/").status_code == 302
    replay = Client()
    replay.cookies[django_settings.SESSION_COOKIE_NAME] = old_key
    page = replay.get("/staff/")
    assert page.status_code == 302
    assert page["Location"].startswith("/login/")


def directive(policy: str, name: str) -> str:
    found = re.search(rf"(?:^|; ){name} [^;]*", policy)
    assert found, f"{name} missing from {policy}"
    return found.group(0)


def assert_security_headers(response) -> str | None:
    """Check the headers; return the script nonce of the policy, if the page uses one."""
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert "'unsafe-inline'" not in directive(policy, "script-src")
    assert "'unsafe-eval'" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    # The policy names a nonce only when the page asked for one (django-csp adds it lazily);
    # every inline script and style element carries the nonce of this response's header.
    found = SCRIPT_NONCE.search(policy)
    nonce = found.group(1) if found else None
    for tag in INLINE_TAG.findall(response.content.decode()):
        on_tag = NONCE_ATTR.search(tag)
        assert on_tag, f"inline element without a nonce: {tag}"
        assert on_tag.group(1) == nonce, (tag, policy)
    return nonce


@pytest.mark.parametrize("url", ["/staff/", "/statistics/", "/workbench/"])
def test_security_headers_on_staff_pages(client, demo, url):
    client.force_login(User.objects.get(username="admin"))
    response = client.get(url)
    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.parametrize("url", ["/login/", "/portal/", "/catalogue/"])
def test_security_headers_on_public_pages(client, demo, url):
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert_security_headers(response)


def test_an_inline_style_carries_the_nonce_of_the_header(login):
    client = login("clerk_maojian")
    case = Case.objects.filter(agency__code="420302").order_by("pk").first()
    assert case is not None
    first = client.get(f"/cases/{case.pk}/receipt/")
    assert first.status_code == 200
    nonce = assert_security_headers(first)
    assert nonce, first["Content-Security-Policy"]
    assert f"'nonce-{nonce}'" in directive(first["Content-Security-Policy"], "style-src")
    assert f'<style nonce="{nonce}">' in first.content.decode()
    # A fresh nonce for each response.
    second = client.get(f"/cases/{case.pk}/receipt/")
    assert assert_security_headers(second) not in (None, nonce)


@pytest.fixture
def real_hashers(settings):
    settings.PASSWORD_HASHERS = importlib.import_module("config.settings").PASSWORD_HASHERS
    return settings.PASSWORD_HASHERS


def test_real_settings_hash_with_argon2(real_hashers, demo):
    assert real_hashers[0].endswith("Argon2PasswordHasher")
    user = User.objects.get(username="clerk_maojian")
    user.set_password("Hanjiang-Clerk-2026")
    user.save()
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert user.check_password("Hanjiang-Clerk-2026")


def test_a_pbkdf2_hash_is_upgraded_to_argon2_at_sign_in(real_hashers, demo):
    user = User.objects.get(username="clerk_maojian")
    user.password = make_password(DEMO_PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    assert user.password.startswith("pbkdf2_sha256$")
    client = Client()
    response = client.post("/login/", {"username": "clerk_maojian", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
