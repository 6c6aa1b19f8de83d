"""Two reviewers approve the same case at the same moment: exactly one wins."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from conftest import staff_actor
from shebao.core.actors import system_actor
from shebao.core.demo import seed_all_apps
from shebao.core.errors import RuleViolation
from shebao.core.models import Staff
from shebao.core.services import claim_grant
from shebao.services.models import Case, CaseEvent, CaseStatus
from shebao.services.services import case_transition
from shebao.services.tests.factories import make_item, open_case, person


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="row locks between two connections are PostgreSQL's; SQLite has one writer at a time",
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_exactly_one_wins():
    seed_all_apps(bulk=False)
    system = system_actor("tests")
    head = Staff.objects.get(user__username="head_maojian")
    claim_grant(actor=system, staff=head, role_code="reviewer", item_scope="*")
    item = make_item("TST010", review=True)
    clerk = staff_actor("clerk_maojian")
    case = case_transition(
        actor=clerk, case=open_case(clerk, item, person("张伟")), action="send_for_review"
    )
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def approve(username: str) -> None:
        try:
            actor = staff_actor(username)
            barrier.wait(timeout=10)
            case_transition(actor=actor, case=Case.objects.get(pk=case.pk), action="approve")
            outcomes[username] = "approved"
        except RuleViolation as exc:
            outcomes[username] = exc.code
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=approve, args=(name,))
        for name in ("reviewer_maojian", "head_maojian")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["CASE-TRANSITION-NOT-ALLOWED", "approved"]
    assert Case.objects.get(pk=case.pk).status == CaseStatus.APPROVED
    assert CaseEvent.objects.filter(case_id=case.pk, action="approve").count() == 1
    assert connection.vendor == "postgresql"
