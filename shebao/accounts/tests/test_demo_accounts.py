"""The account demo a newcomer sees after `make run` (here without the bulk register): the
paid credits in the journal, migrated opening balances, and a correction and a transfer out
waiting in reviewer_maojian's queue."""

from __future__ import annotations

import pytest
from django.test import Client

from shebao.accounts import demo as accounts_demo
from shebao.accounts.models import AccountEntry, EntryKind, Transfer, TransferStatus
from shebao.accounts.services.journal import balance_fen, entry_post
from shebao.accounts.services.transfers import transfer_out_price
from shebao.contributions.models import AccountPosting, AssessmentLine
from shebao.contributions.tests.factories import person_make
from shebao.core.actors import staff_actor, system_actor
from shebao.core.demo import DEMO_PASSWORD
from shebao.core.models import AuditEntry
from shebao.core.testing import complete_second_factor
from shebao.registry.demo import demo_person
from shebao.registry.models import InsuredRelation, RelationStatus
from shebao.services.models import Case, CaseStatus
from shebao.services.selectors import review_queue

pytestmark = pytest.mark.django_db


def test_the_posting_queue_is_consumed_into_the_journal(demo):
    assert not AccountPosting.objects.filter(consumed_at__isnull=True).exists()
    zhang = demo_person("张伟")
    september = AccountEntry.objects.get(person=zhang, kind=EntryKind.CONTRIBUTION, period=202609)
    line = AssessmentLine.objects.get(person=zhang, scheme="pension", period=202609)
    assert september.amount_fen == line.account_credit_fen == 34_392  # 8% of 4,299.00


def test_the_demo_persons_have_their_migrated_balances(demo):
    for name, amount_fen in accounts_demo.DEMO_BALANCES.items():
        person = demo_person(name)
        migrated = AccountEntry.objects.get(person=person, kind=EntryKind.MIGRATED)
        assert (migrated.key, migrated.amount_fen, migrated.year, migrated.month) == (
            f"demo:migrated:{person.pk}",
            amount_fen,
            2025,
            12,
        )


def test_a_correction_and_a_priced_transfer_out_wait_for_reviewer_maojian(demo):
    queue = review_queue(staff_actor("reviewer_maojian"))
    correction = queue.get(item__code="SBAC006")
    assert correction.applicant_person == demo_person("陈建国")
    assert correction.data["amount_fen"] == 123_456

    zhang = demo_person("张伟")
    case = queue.get(item__code="SBTR001")
    assert case.applicant_person == zhang
    transfer = Transfer.objects.get(case_id=case.pk)
    assert (transfer.direction, transfer.status) == ("out", TransferStatus.REQUESTED)
    # Priced for the month it was requested in, on the journal as it stands.
    price = transfer_out_price(person=zhang, period=transfer.period)
    assert price.balance_fen == balance_fen(zhang)
    assert price.balance_fen >= accounts_demo.DEMO_BALANCES["张伟"] + 34_392
    assert (transfer.account_fen, transfer.interest_fen) == (price.account_fen, price.interest_fen)
    assert transfer.account_fen == price.balance_fen + transfer.interest_fen
    assert case.data["price"]["account_fen"] == transfer.account_fen
    # Pooled part: 12% of 4,299.00 for September 2026, the one paid month (October is unpaid).
    assert (transfer.pooled_fen, transfer.months) == (51_588, 1)
    assert InsuredRelation.objects.get(person=zhang, scheme="pension").status == (
        RelationStatus.ACTIVE
    )
    assert (
        not queue.filter(item__code__in=["SBAC006", "SBTR001"])
        .exclude(pk__in=[correction.pk, case.pk])
        .exists()
    )


def test_seeding_again_changes_nothing(demo):
    entries, cases = AccountEntry.objects.count(), Case.objects.count()
    audit = AuditEntry.objects.count()
    accounts_demo.seed_demo(bulk=False)
    assert (AccountEntry.objects.count(), Case.objects.count()) == (entries, cases)
    assert AuditEntry.objects.count() == audit


def test_bulk_balances_go_to_everybody_with_a_credit_once(demo, agency):
    maojian = agency("420302")
    credited, uncredited = person_make(maojian), person_make(maojian)
    entry_post(
        actor=system_actor("tests"),
        person=credited,
        kind=EntryKind.CONTRIBUTION,
        amount_fen=40_000,
        year=2026,
        month=9,
        source="tests",
        key=f"test:demo:{credited.pk}",
    )
    written = accounts_demo.seed_bulk_balances(system_actor("seed_demo"))
    again = accounts_demo.seed_bulk_balances(system_actor("seed_demo"))

    assert written >= 1
    assert again == 0
    migrated = AccountEntry.objects.get(person=credited, kind=EntryKind.MIGRATED)
    assert migrated.key == f"demo:migrated:{credited.pk}"
    expected = accounts_demo.BULK_FLOOR_FEN + (
        credited.pk * accounts_demo.BULK_FACTOR % accounts_demo.BULK_SPREAD_FEN
    )
    assert migrated.amount_fen == expected
    assert not AccountEntry.objects.filter(person=uncredited).exists()
    # The fixed demo persons keep their own balance: one migrated entry each.
    zhang = demo_person("张伟")
    assert AccountEntry.objects.filter(person=zhang, kind=EntryKind.MIGRATED).count() == 1


def test_the_reviewer_sees_what_the_demo_cases_ask(demo):
    client = Client()
    client.post("/login/", {"username": "reviewer_maojian", "password": DEMO_PASSWORD})
    complete_second_factor(client, "reviewer_maojian")
    pages = {
        item: client.get(
            f"/cases/{Case.objects.get(item__code=item, status=CaseStatus.IN_REVIEW).pk}/"
        ).content.decode()
        for item in ("SBTR001", "SBAC006")
    }
    assert 'data-testid="case-data"' in pages["SBTR001"]
    assert "深圳市社会保险基金管理局" in pages["SBTR001"]
    assert "515.88" in pages["SBTR001"]  # the pooled part
    assert "1,234.56" in pages["SBAC006"]
