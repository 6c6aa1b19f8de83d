"""Two postings at the same moment on PostgreSQL: the balance stays exact, nothing twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection, connections, transaction

from shebao.accounts.models import AccountEntry, EntryKind
from shebao.accounts.services.journal import balance_fen, entry_post, postings_consume
from shebao.contributions.models import AccountPosting, AssessmentLine
from shebao.contributions.services.assessments import (
    assessment_run_create,
    assessment_run_execute,
)
from shebao.contributions.tests.conftest import base_set
from shebao.contributions.tests.factories import employer_make, person_make, relations_make
from shebao.core.actors import system_actor
from shebao.core.demo import seed_all_apps
from shebao.core.models import Agency

pytestmark = [
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'",
        reason="row locks between two connections are PostgreSQL's; SQLite has one writer",
    ),
    pytest.mark.django_db(transaction=True),
]


def at_once(*calls: Callable[[], object]) -> None:
    """Run the calls in threads released together; any exception in one fails the test."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            call()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


def test_two_consumers_at_once_post_each_credit_once():
    seed_all_apps(bulk=False)
    system = system_actor("tests")
    zone = Agency.objects.get(code="420300-02")
    person = person_make(zone)
    relations_make(person, employer_make(zone), agency=zone, schemes=["pension"])
    base_set(person, 2025, 500000, schemes=("pension",))
    for period in (202509, 202510, 202511):
        assessment_run_execute(
            assessment_run_create(actor=system, period=period, agency=zone), actor=system
        )
    for line in AssessmentLine.objects.filter(person=person):
        AccountPosting.objects.create(
            key=f"line:{line.pk}",
            person=person,
            period=line.period,
            amount_fen=line.account_credit_fen,
            line=line,
            paid_on=date(2025, 12, 1),
        )

    at_once(lambda: postings_consume(actor=system), lambda: postings_consume(actor=system))

    assert connection.vendor == "postgresql"
    assert AccountEntry.objects.filter(person=person).count() == 3
    assert balance_fen(person) == 3 * 40000
    assert not AccountPosting.objects.filter(consumed_at__isnull=True).exists()


def test_the_same_entry_posted_twice_at_once_is_written_once_and_others_all_count():
    seed_all_apps(bulk=False)
    system = system_actor("tests")
    person = person_make(Agency.objects.get(code="420300-02"))

    def post(key: str, amount: int) -> Callable[[], object]:
        def in_a_transaction() -> None:  # as a case approval posts it
            with transaction.atomic():
                entry_post(
                    actor=system,
                    person=person,
                    kind=EntryKind.TRANSFER_IN,
                    amount_fen=amount,
                    year=2025,
                    month=6,
                    source="test",
                    key=key,
                )

        return in_a_transaction

    at_once(post("same", 100_00), post("same", 100_00), post("other", 250_00))

    assert AccountEntry.objects.filter(person=person, key="same").count() == 1
    assert balance_fen(person) == 100_00 + 250_00
