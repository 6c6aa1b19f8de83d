"""Settings helpers fail loudly on bad environment values."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, secret_key


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("off", False), ("", False)]
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SHEBAO_TEST_FLAG", raw)
    assert env_bool("SHEBAO_TEST_FLAG") is expected


def test_env_bool_refuses_a_typo(monkeypatch):
    monkeypatch.setenv("SHEBAO_TEST_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="SHEBAO_TEST_FLAG"):
        env_bool("SHEBAO_TEST_FLAG")


def test_env_int_refuses_junk_and_too_small(monkeypatch):
    monkeypatch.setenv("SHEBAO_TEST_INT", "30m")
    with pytest.raises(ImproperlyConfigured):
        env_int("SHEBAO_TEST_INT", 5)
    monkeypatch.setenv("SHEBAO_TEST_INT", "10")
    with pytest.raises(ImproperlyConfigured):
        env_int("SHEBAO_TEST_INT", 5, minimum=60)


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("SHEBAO_TEST_HOSTS", " a.example , b.example,,")
    assert env_list("SHEBAO_TEST_HOSTS", "") == ["a.example", "b.example"]


def test_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = secret_key(tmp_path)
    assert secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_short_secret_key_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "too-short")
    with pytest.raises(ImproperlyConfigured):
        secret_key(tmp_path)


def test_production_defaults(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.CELERY_TASK_ALWAYS_EAGER is (not settings.CELERY_BROKER_URL)
