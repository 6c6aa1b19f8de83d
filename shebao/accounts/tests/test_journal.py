"""The journal: postings consumed once, entries idempotent and append-only."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction

from shebao.accounts.models import AccountEntry, EntryKind
from shebao.accounts.services.journal import balance_fen, entry_post, postings_consume
from shebao.contributions.models import AccountPosting, AssessmentLine
from shebao.contributions.services.assessments import (
    assessment_run_create,
    assessment_run_execute,
)
from shebao.contributions.tests.conftest import base_set
from shebao.contributions.tests.factories import employer_make, person_make, relations_make

pytestmark = pytest.mark.django_db


def paid_credits(system, agency, person, periods):
    employer = employer_make(agency)
    relations_make(person, employer, agency=agency, schemes=["pension"])
    base_set(person, 2025, 500000, schemes=("pension",))
    for period in periods:
        run = assessment_run_create(actor=system, period=period, agency=agency)
        assessment_run_execute(run, actor=system)
    for line in AssessmentLine.objects.filter(person=person):
        AccountPosting.objects.create(
            key=f"line:{line.pk}",
            person=person,
            period=line.period,
            amount_fen=line.account_credit_fen,
            line=line,
            paid_on=date(2025, 12, 20),
        )


def test_postings_become_entries_once(system, agency):
    maojian = agency("420302")
    person = person_make(maojian)
    paid_credits(system, maojian, person, [202510, 202511])

    first = postings_consume(actor=system)
    again = postings_consume(actor=system)

    entries = AccountEntry.objects.filter(person=person).order_by("month")
    assert [(e.kind, e.year, e.month, e.amount_fen) for e in entries] == [
        (EntryKind.CONTRIBUTION, 2025, 10, 40000),
        (EntryKind.CONTRIBUTION, 2025, 11, 40000),
    ]
    assert first.entries >= 2
    assert (again.postings, again.entries) == (0, 0)
    assert balance_fen(person) == 80000
    assert not AccountPosting.objects.filter(person=person, consumed_at__isnull=True).exists()


def test_an_entry_posted_twice_with_its_key_is_written_once(system, agency):
    person = person_make(agency("420302"))
    kwargs = {
        "actor": system,
        "person": person,
        "kind": EntryKind.TRANSFER_IN,
        "amount_fen": 1234567,
        "year": 2025,
        "month": 6,
        "source": "transfer:1",
        "key": "transfer-in:1",
    }
    first = entry_post(**kwargs)
    second = entry_post(**kwargs)
    assert first.pk == second.pk
    assert AccountEntry.objects.filter(person=person).count() == 1


def test_the_database_refuses_to_change_an_entry(system, agency):
    person = person_make(agency("420302"))
    entry = entry_post(
        actor=system,
        person=person,
        kind=EntryKind.CORRECTION,
        amount_fen=100,
        year=2025,
        month=1,
        source="t",
        key="t:1",
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        AccountEntry.objects.filter(pk=entry.pk).update(amount_fen=999)
    entry.refresh_from_db()
    assert entry.amount_fen == 100


def test_the_command_posts_what_waits_and_then_nothing(system, agency):
    person = person_make(agency("420302"))
    paid_credits(system, agency("420302"), person, [202510])
    out = StringIO()
    call_command("post_account_credits", stdout=out)
    call_command("post_account_credits", stdout=out)
    first, second = out.getvalue().splitlines()
    assert "entries=" in first
    assert second == "postings=0 entries=0 amount=0.00"
    assert balance_fen(person) == 40000
