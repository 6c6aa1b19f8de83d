"""A migrated balance is a year-end balance: it earns nothing in its own year (its interest is
in it) and is the opening balance from the next year on — for the batch and the check alike."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from shebao.accounts.models import AccountEntry, EntryKind
from shebao.accounts.services.interest import interest_run_create, interest_run_execute
from shebao.accounts.services.journal import entry_post
from shebao.contributions.tests.factories import person_make

pytestmark = pytest.mark.django_db


def test_a_balance_migrated_in_december_earns_from_the_next_year(system, agency):
    zone = agency("420300-02")  # a zone of its own: nothing else of the demo is there
    person = person_make(zone)
    entry_post(
        actor=system,
        person=person,
        kind=EntryKind.MIGRATED,
        amount_fen=10_000_000,
        year=2024,
        month=12,
        source="migration",
        key=f"test-migrated:{person.pk}",
    )

    for year in (2024, 2025):
        run = interest_run_create(actor=system, year=year, agency=zone)
        interest_run_execute(run, actor=system)

    interest = dict(
        AccountEntry.objects.filter(person=person, kind=EntryKind.INTEREST).values_list(
            "year", "amount_fen"
        )
    )
    assert interest == {2025: 150_000}  # 100,000.00 × 1.50 %; nothing for 2024
    out, err = io.StringIO(), io.StringIO()
    call_command("accounts_verify", "--agency", zone.code, stdout=out, stderr=err)  # exits 1 if not
    assert "accounts consistent" in out.getvalue()
