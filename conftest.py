"""Shared fixtures: the demo agencies and staff, loaded once per test database."""

from __future__ import annotations

import pytest
from django.test import Client
from django.test.client import ClientMixin

from shebao.core import actors
from shebao.core.actors import Actor, system_actor
from shebao.core.demo import DEMO_PASSWORD, seed_all_apps
from shebao.core.models import Agency, Channel
from shebao.core.testing import complete_second_factor, verified_force_login

pytest_plugins = ["e2e.browser"]


@pytest.fixture(autouse=True)
def _fast_settings(settings):  # type: ignore[no-untyped-def]
    # Hashing demo passwords with PBKDF2 would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The API's rate limits count per user across tests in one process; the tests that check
    # them set their own limits (shebao/api/tests/test_limits.py).
    settings.API_RATE_LIMIT_PER_MINUTE = 0
    settings.API_SESSION_RATE_LIMIT_PER_MINUTE = 0
    settings.API_ANONYMOUS_RATE_LIMIT_PER_MINUTE = 0
    # One-time codes go to an in-memory outbox the tests read (shebao.portal.sms.outbox).
    settings.SMS_BACKEND = "memory"
    # Tests render templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _verified_force_login(monkeypatch):  # type: ignore[no-untyped-def]
    # force_login gives staff who need a second factor a verified session, as if they had
    # entered their code (shebao.core.testing); the sign-in tests use the real pages.
    monkeypatch.setattr(ClientMixin, "force_login", verified_force_login)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from django.conf import settings

    with django_db_blocker.unblock():
        hashers = settings.PASSWORD_HASHERS
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        try:
            seed_all_apps(bulk=False)
        finally:
            settings.PASSWORD_HASHERS = hashers


@pytest.fixture
def demo(db) -> None:  # type: ignore[no-untyped-def]
    """The demo data: seeded once per session, each test's changes roll back. A transactional
    test empties the database when it ends, so seed again if a test ran after one."""
    if not Agency.objects.exists():
        seed_all_apps(bulk=False)


def staff_actor(username: str, channel: str = Channel.COUNTER) -> Actor:
    return actors.staff_actor(username, channel, client_ip="10.0.0.1")


@pytest.fixture
def actor_of(demo):  # type: ignore[no-untyped-def]
    return staff_actor


@pytest.fixture
def system(demo) -> Actor:  # type: ignore[no-untyped-def]
    return system_actor("tests")


@pytest.fixture
def agency(demo):  # type: ignore[no-untyped-def]
    def get(code: str) -> Agency:
        return Agency.objects.get(code=code)

    return get


@pytest.fixture
def login(demo, client):  # type: ignore[no-untyped-def]
    """Sign a demo user in through the real login form (so django-axes sees it), and the
    code page for those who need a second factor."""

    def sign_in(username: str) -> Client:
        response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"login of {username} failed"
        complete_second_factor(client, username)
        return client

    return sign_in


@pytest.fixture
def bearer(demo):  # type: ignore[no-untyped-def]
    """API headers with a fresh token of a demo user, with the given scopes and rate limit."""
    from shebao.core.models import User
    from shebao.core.services import api_token_issue

    def issue(username: str, scopes: str = "*", rate_limit: int | None = None) -> dict[str, str]:
        _row, token = api_token_issue(
            actor=system_actor("tests"),
            user=User.objects.get(username=username),
            scopes=scopes,
            rate_limit_per_minute=rate_limit,
        )
        return {"Authorization": f"Bearer {token}"}

    return issue
