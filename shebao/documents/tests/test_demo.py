"""The demo documents: a genuine, a revoked and a made-up code to try; a second seed writes
nothing."""

from __future__ import annotations

import pytest

from shebao.core.models import AuditEntry
from shebao.documents.demo import MADE_UP_CODE, demo_codes, demo_logins, seed_demo
from shebao.documents.models import IssuedDocument
from shebao.documents.services import Outcome, document_verify
from shebao.services.models import Case

pytestmark = pytest.mark.usefixtures("demo")


def test_the_demo_has_a_genuine_a_revoked_and_a_made_up_code():
    outcomes = [document_verify(code=code).outcome for _label, code in demo_codes()]
    assert outcomes == [Outcome.GENUINE, Outcome.GENUINE, Outcome.REVOKED, Outcome.NOT_FOUND]
    assert document_verify(code=MADE_UP_CODE).outcome == Outcome.NOT_FOUND
    assert any("/verify/" in line for line in demo_logins())


def test_a_second_seed_writes_nothing():
    before = (IssuedDocument.objects.count(), Case.objects.count(), AuditEntry.objects.count())
    seed_demo(bulk=False)
    after = (IssuedDocument.objects.count(), Case.objects.count(), AuditEntry.objects.count())
    assert after == before
