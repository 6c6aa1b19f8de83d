"""Shared fixtures: the demo agencies and staff, loaded once per test database."""

from __future__ import annotations

import pytest
from django.test import Client

from shebao.core import actors
from shebao.core.actors import Actor, system_actor
from shebao.core.demo import DEMO_PASSWORD, seed_all_apps
from shebao.core.models import Agency, Channel

pytest_plugins = ["e2e.browser"]


@pytest.fixture(autouse=True)
def _fast_settings(settings):  # type: ignore[no-untyped-def]
    # Hashing demo passwords with PBKDF2 would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # One-time codes go to an in-memory outbox the tests read (shebao.portal.sms.outbox).
    settings.SMS_BACKEND = "memory"
    # Tests render templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


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
    """Sign a demo user in through the real login form (so django-axes sees it)."""

    def sign_in(username: str) -> Client:
        response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"login of {username} failed"
        return client

    return sign_in
