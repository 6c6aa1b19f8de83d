"""Idempotency keys: a retried POST returns the first result; another body under the same key
is refused; a refusal is forgotten so the corrected request can run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shebao.api.idempotency import purge_expired
from shebao.api.models import IdempotentRequest
from shebao.services.models import Case
from shebao.services.tests.factories import make_item, person


@pytest.fixture
def new_case(client, demo):
    item = make_item("TST031", review=False)

    def post(headers: dict[str, str], key: str | None, resident_id: str | None = None):
        if key is not None:
            headers = headers | {"Idempotency-Key": key}
        return client.post(
            "/api/v1/cases",
            {"item": item.code, "resident_id": resident_id or person("张伟").resident_id},
            content_type="application/json",
            headers=headers,
        )

    return post


def test_a_retry_with_the_same_key_returns_the_first_case(new_case, bearer):
    headers = bearer("clerk_maojian")
    before = Case.objects.count()
    first = new_case(headers, "order-2026-12-07-0001")
    retry = new_case(headers, "order-2026-12-07-0001")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Case.objects.count() == before + 1


def test_without_a_key_each_post_is_a_new_request(new_case, bearer):
    headers = bearer("clerk_maojian")
    before = Case.objects.count()
    new_case(headers, None)
    new_case(headers, None)
    assert Case.objects.count() == before + 2


def test_the_same_key_with_another_body_is_refused(new_case, bearer):
    headers = bearer("clerk_maojian")
    new_case(headers, "k-1")
    before = Case.objects.count()
    other = new_case(headers, "k-1", resident_id=person("王芳").resident_id)
    assert other.status_code == 422
    assert other.json()["code"] == "API-IDEMPOTENCY-MISMATCH"
    assert Case.objects.count() == before


def test_a_refused_request_does_not_hold_its_key(new_case, bearer):
    headers = bearer("clerk_maojian")
    refused = new_case(headers, "k-2", resident_id="110101199003077777")
    assert refused.status_code in {400, 404}
    assert not IdempotentRequest.objects.filter(key="k-2").exists()
    corrected = new_case(headers, "k-2")
    assert corrected.status_code == 201


def test_keys_belong_to_their_client(new_case, bearer):
    before = Case.objects.count()
    new_case(bearer("clerk_maojian"), "shared-key")
    new_case(bearer("clerk_maojian"), "shared-key")
    assert Case.objects.count() == before + 2


def test_staff_sessions_use_keys_too(client, new_case, demo):
    from shebao.core.models import User

    client.force_login(User.objects.get(username="clerk_maojian"))
    before = Case.objects.count()
    first = new_case({}, "session-key")
    retry = new_case({}, "session-key")
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json()["id"] == first.json()["id"]
    assert Case.objects.count() == before + 1


def test_a_malformed_key_is_refused(new_case, bearer):
    refused = new_case(bearer("clerk_maojian"), "not a key!")
    assert refused.status_code == 400
    assert refused.json()["code"] == "API-IDEMPOTENCY-KEY"


def test_a_key_whose_first_request_has_not_finished_answers_409(new_case, bearer):
    headers = bearer("clerk_maojian")
    new_case(headers, "k-3")
    IdempotentRequest.objects.filter(key="k-3").update(
        state=IdempotentRequest.State.IN_PROGRESS, response_status=None
    )
    pending = new_case(headers, "k-3")
    assert pending.status_code == 409
    assert pending.json()["code"] == "API-IDEMPOTENCY-IN-PROGRESS"


def test_expired_keys_are_forgotten(new_case, bearer, settings):
    headers = bearer("clerk_maojian")
    new_case(headers, "k-4")
    old = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_HOURS + 1)
    IdempotentRequest.objects.filter(key="k-4").update(created_at=old)
    before = Case.objects.count()
    again = new_case(headers, "k-4")
    assert again.status_code == 201
    assert not again.has_header("Idempotent-Replayed")
    assert Case.objects.count() == before + 1
    IdempotentRequest.objects.filter(key="k-4").update(created_at=old)
    assert purge_expired() == 1
    assert not IdempotentRequest.objects.filter(key="k-4").exists()


def test_the_purge_command_reports_what_it_removed(new_case, bearer, settings, capsys):
    from django.core.management import call_command

    new_case(bearer("clerk_maojian"), "k-5")
    old = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_HOURS + 1)
    IdempotentRequest.objects.filter(key="k-5").update(created_at=old)
    call_command("purge_idempotency_keys")
    assert "1 expired idempotency keys removed" in capsys.readouterr().out
