"""One-time codes: sent by SMS, kept only as a hash, good once, for a few attempts and minutes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from shebao.core.errors import RuleViolation
from shebao.portal import sms
from shebao.portal.codes import code_check, code_send
from shebao.portal.models import OneTimeCode
from shebao.portal.tests.support import last_code

PHONE = "13807190001"


def send(subject: str = "person:1") -> OneTimeCode:
    return code_send(purpose="citizen_login", subject=subject, phone=PHONE)


@pytest.mark.django_db
def test_the_code_goes_by_sms_and_only_its_hash_is_kept():
    row = send()
    code = last_code(PHONE)
    assert sms.outbox[-1].phone == PHONE
    assert row.phone_masked == "138****0001"
    stored = OneTimeCode.objects.get(pk=row.pk)
    assert code not in stored.code_hash
    assert code not in stored.salt
    code_check(code_id=row.pk, purpose="citizen_login", subject="person:1", code=code)
    assert OneTimeCode.objects.get(pk=row.pk).used_at is not None


@pytest.mark.django_db
def test_a_code_is_good_once():
    row = send()
    code = last_code()
    code_check(code_id=row.pk, purpose="citizen_login", subject="person:1", code=code)
    with pytest.raises(RuleViolation) as refused:
        code_check(code_id=row.pk, purpose="citizen_login", subject="person:1", code=code)
    assert refused.value.code == "PORTAL-CODE-EXPIRED"


@pytest.mark.django_db
def test_wrong_attempts_are_counted_and_then_even_the_right_code_is_refused(settings):
    settings.PORTAL_CODE_MAX_ATTEMPTS = 3
    row = send()
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    for left in (2, 1):
        with pytest.raises(RuleViolation) as refused:
            code_check(code_id=row.pk, purpose="citizen_login", subject="person:1", code=wrong)
        assert (refused.value.code, refused.value.params) == ("PORTAL-CODE-WRONG", {"left": left})
    with pytest.raises(RuleViolation) as last:
        code_check(code_id=row.pk, purpose="citizen_login", subject="person:1", code=wrong)
    assert last.value.code == "PORTAL-CODE-EXPIRED"
    assert OneTimeCode.objects.get(pk=row.pk).attempts == 3
    with pytest.raises(RuleViolation):
        code_check(code_id=row.pk, purpose="citizen_login", subject="person:1", code=code)


@pytest.mark.django_db
def test_a_code_expires(settings):
    settings.PORTAL_CODE_TTL_SECONDS = 300
    row = send()
    code = last_code()
    with (
        time_machine.travel(timezone.now() + dt.timedelta(seconds=301)),
        pytest.raises(RuleViolation) as refused,
    ):
        code_check(code_id=row.pk, purpose="citizen_login", subject="person:1", code=code)
    assert refused.value.code == "PORTAL-CODE-EXPIRED"


@pytest.mark.django_db
def test_a_code_is_bound_to_its_subject_and_purpose():
    row = send("person:1")
    code = last_code()
    for purpose, subject in (("citizen_login", "person:2"), ("kiosk_login", "person:1")):
        with pytest.raises(RuleViolation):
            code_check(code_id=row.pk, purpose=purpose, subject=subject, code=code)


@pytest.mark.django_db
def test_codes_are_rate_limited_per_subject(settings):
    settings.PORTAL_CODE_RESEND_SECONDS = 60
    settings.PORTAL_CODES_PER_DAY = 3
    start = timezone.now()
    send()
    with pytest.raises(RuleViolation) as too_soon:
        send()
    assert too_soon.value.code == "PORTAL-CODE-TOO-SOON"
    assert len(sms.outbox) == 1
    for minutes in (2, 4):
        with time_machine.travel(start + dt.timedelta(minutes=minutes)):
            send()
    with (
        time_machine.travel(start + dt.timedelta(minutes=6)),
        pytest.raises(RuleViolation) as daily,
    ):
        send()
    assert daily.value.code == "PORTAL-CODE-DAILY-LIMIT"
    send("person:2")  # another subject is not held back
    assert len(sms.outbox) == 4
