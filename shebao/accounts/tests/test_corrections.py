"""Account corrections (SBAC006): a reversing entry or an adjustment, written once when a second
person approves; never a second reversal, a reversal of a reversal or a negative balance.

The journal is append-only, so each test works on persons of its own."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from shebao.accounts.models import AccountEntry, EntryKind
from shebao.accounts.services.corrections import apply_correction, correction_request
from shebao.accounts.services.journal import balance_fen, entry_post
from shebao.contributions.tests.factories import person_make
from shebao.core.actors import system_actor
from shebao.core.demo import DEMO_PASSWORD
from shebao.core.errors import RuleViolation
from shebao.core.models import Agency
from shebao.core.testing import complete_second_factor
from shebao.registry.models import Person
from shebao.services.models import Case, CaseStatus
from shebao.services.services import case_transition

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
_keys = itertools.count(1)


def entry(person: Person, kind: str, amount_fen: int, year: int, month: int) -> AccountEntry:
    return entry_post(
        actor=system_actor("tests"),
        person=person,
        kind=kind,
        amount_fen=amount_fen,
        year=year,
        month=month,
        period=year * 100 + month if kind == EntryKind.CONTRIBUTION else None,
        source="tests",
        key=f"test:correction:{person.pk}:{next(_keys)}",
    )


def corrections_of(person: Person):
    return AccountEntry.objects.filter(person=person, kind=EntryKind.CORRECTION)


@pytest.fixture
def maojian(agency) -> Agency:
    return agency("420302")


@pytest.fixture
def account(maojian):
    """A Maojian person with 1,000.00 migrated and a credit of 400.00 for 2026-09."""
    person = person_make(maojian)
    entry(person, EntryKind.MIGRATED, 100_000, 2025, 12)
    credit = entry(person, EntryKind.CONTRIBUTION, 40_000, 2026, 9)
    return person, credit


def in_review(actor_of, case: Case) -> Case:
    return case_transition(actor=actor_of("clerk_maojian"), case=case, action="send_for_review")


def approve(actor_of, case: Case) -> Case:
    return case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")


def reverse(actor_of, person: Person, credit: AccountEntry) -> Case:
    return correction_request(
        actor=actor_of("clerk_maojian"), person=person, entry=credit, reason="重复记账"
    )


@time_machine.travel(TODAY, tick=False)
def test_the_maker_cannot_approve_and_approval_writes_exactly_one_entry(actor_of, account):
    person, credit = account
    case = in_review(actor_of, reverse(actor_of, person, credit))
    assert not corrections_of(person).exists()

    with pytest.raises(RuleViolation) as refused:
        case_transition(actor=actor_of("clerk_maojian"), case=case, action="approve")
    assert refused.value.code in {"CASE-MAKER-CHECKER", "CORE-PERMISSION"}
    assert not corrections_of(person).exists()

    approve(actor_of, case)
    (written,) = corrections_of(person)
    assert (written.amount_fen, written.reverses_id, written.key) == (
        -40_000,
        credit.pk,
        f"correction:case:{case.pk}",
    )
    assert (written.year, written.month, written.period) == (2026, 11, 202609)
    assert written.note == "重复记账"
    assert balance_fen(person) == 100_000


@time_machine.travel(TODAY, tick=False)
def test_a_replayed_approval_writes_nothing_more(actor_of, account):
    person, credit = account
    case = approve(actor_of, in_review(actor_of, reverse(actor_of, person, credit)))
    first = corrections_of(person).get()

    again = apply_correction(Case.objects.get(pk=case.pk), actor_of("reviewer_maojian"))
    with pytest.raises(RuleViolation) as refused:
        approve(actor_of, case)

    assert again.pk == first.pk
    assert refused.value.code == "CASE-TRANSITION-NOT-ALLOWED"
    assert corrections_of(person).count() == 1


@time_machine.travel(TODAY, tick=False)
def test_an_entry_is_reversed_once(actor_of, account):
    person, credit = account
    pending = reverse(actor_of, person, credit)
    with pytest.raises(RuleViolation) as waiting:
        reverse(actor_of, person, credit)
    assert waiting.value.code == "ACC-CORR-PENDING"
    assert pending.receipt_no in waiting.value.message_zh

    approve(actor_of, in_review(actor_of, pending))
    with pytest.raises(RuleViolation) as twice:
        reverse(actor_of, person, credit)
    assert twice.value.code == "ACC-CORR-REVERSED"


@time_machine.travel(TODAY, tick=False)
def test_a_reversal_cannot_be_reversed(actor_of, account):
    person, credit = account
    approve(actor_of, in_review(actor_of, reverse(actor_of, person, credit)))
    reversal = corrections_of(person).get()
    with pytest.raises(RuleViolation) as refused:
        reverse(actor_of, person, reversal)
    assert refused.value.code == "ACC-CORR-REVERSAL"


@time_machine.travel(TODAY, tick=False)
def test_a_correction_may_not_leave_the_balance_negative(actor_of, account):
    person, credit = account
    with pytest.raises(RuleViolation) as too_much:
        correction_request(
            actor=actor_of("clerk_maojian"), person=person, amount_fen=-140_001, reason="多记"
        )
    assert too_much.value.code == "ACC-CORR-NEGATIVE"
    assert "-0.01" in too_much.value.message_zh

    entry(person, EntryKind.PAYOUT, -120_000, 2026, 10)  # 200.00 left
    with pytest.raises(RuleViolation) as reversal:
        reverse(actor_of, person, credit)
    assert reversal.value.code == "ACC-CORR-NEGATIVE"
    assert not Case.objects.filter(item__code="SBAC006", applicant_person=person).exists()


@time_machine.travel(TODAY, tick=False)
def test_the_balance_is_checked_again_at_approval(actor_of, account):
    person, _credit = account
    case = in_review(
        actor_of,
        correction_request(
            actor=actor_of("clerk_maojian"), person=person, amount_fen=-140_000, reason="多记"
        ),
    )
    entry(person, EntryKind.PAYOUT, -10_000, 2026, 10)  # meanwhile
    with pytest.raises(RuleViolation) as refused:
        approve(actor_of, case)
    assert refused.value.code == "ACC-CORR-NEGATIVE"
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert not corrections_of(person).exists()


@time_machine.travel(TODAY, tick=False)
def test_an_adjustment_is_written_with_its_reason(actor_of, account):
    person, _credit = account
    case = correction_request(
        actor=actor_of("clerk_maojian"), person=person, amount_fen=12_345, reason="2019年漏记"
    )
    approve(actor_of, in_review(actor_of, case))
    written = corrections_of(person).get()
    assert (written.amount_fen, written.reverses_id, written.note) == (12_345, None, "2019年漏记")
    assert balance_fen(person) == 152_345


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"amount_fen": 100, "reason": " "}, "ACC-CORR-REASON"),
        ({"amount_fen": 0, "reason": "x"}, "ACC-CORR-AMOUNT"),
        ({"reason": "x"}, "ACC-CORR-WHAT"),
    ],
)
def test_what_a_correction_must_say(actor_of, account, kwargs, code):
    person, _credit = account
    with pytest.raises(RuleViolation) as refused:
        correction_request(actor=actor_of("clerk_maojian"), person=person, **kwargs)
    assert refused.value.code == code


def test_only_the_persons_own_entries_are_reversed(actor_of, account, maojian):
    _person, credit = account
    other = person_make(maojian)
    entry(other, EntryKind.MIGRATED, 500_000, 2025, 12)
    with pytest.raises(RuleViolation) as refused:
        reverse(actor_of, other, credit)
    assert refused.value.code == "ACC-CORR-ENTRY"


def test_corrections_stay_within_the_clerks_scope_and_claims(actor_of, account, agency):
    person, credit = account
    with pytest.raises(RuleViolation) as outside:
        correction_request(actor=actor_of("clerk_wuhan"), person=person, entry=credit, reason="x")
    assert outside.value.code == "CORE-SCOPE"
    neighbour = person_make(agency("420303"))
    entry(neighbour, EntryKind.MIGRATED, 500_000, 2025, 12)
    with pytest.raises(RuleViolation) as unclaimed:
        correction_request(
            actor=actor_of("clerk_zhangwan"), person=neighbour, amount_fen=100, reason="x"
        )
    assert unclaimed.value.code == "CORE-PERMISSION"


# --- the counter page ---------------------------------------------------------------------------


def signed_in(username: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    complete_second_factor(client, username)
    return client


@time_machine.travel(TODAY, tick=False)
def test_the_page_previews_then_opens_the_case_and_the_reviewer_sees_it(actor_of, account):
    person, credit = account
    client = signed_in("clerk_maojian")
    url = f"/accounts/persons/{person.pk}/correction/"

    page = client.get(url).content.decode()
    assert 'data-testid="entries"' in page
    assert f'value="{credit.pk}"' in page

    preview = client.post(url, {"entry": credit.pk, "reason": "重复记账", "action": "preview"})
    body = preview.content.decode()
    assert 'data-testid="correction-preview"' in body
    assert "-400.00" in body
    assert "1,000.00" in body  # the balance after
    assert not Case.objects.filter(item__code="SBAC006", applicant_person=person).exists()

    opened = client.post(url, {"entry": credit.pk, "reason": "重复记账", "action": "open"})
    case = Case.objects.get(item__code="SBAC006", applicant_person=person)
    assert opened["Location"] == f"{url}{case.pk}/"
    assert case.receipt_no in client.get(opened["Location"]).content.decode()

    in_review(actor_of, case)
    review = signed_in("reviewer_maojian").get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="reversed-entry"' in review
    assert "-400.00" in review
    assert "重复记账" in review


@time_machine.travel(TODAY, tick=False)
def test_a_refused_correction_shows_its_rule(account):
    person, _credit = account
    response = signed_in("clerk_maojian").post(
        f"/accounts/persons/{person.pk}/correction/",
        {"amount": "-5000", "reason": "多记", "action": "preview"},
    )
    assert response.status_code == 200
    assert any("ACC-CORR-NEGATIVE" in str(m) for m in response.context["messages"])


def test_a_reversed_entry_is_not_offered_again(actor_of, account):
    person, credit = account
    approve(actor_of, in_review(actor_of, reverse(actor_of, person, credit)))
    page = signed_in("clerk_maojian").get(f"/accounts/persons/{person.pk}/correction/")
    assert f'value="{credit.pk}"' not in page.content.decode()
    posted = signed_in("clerk_maojian").post(
        f"/accounts/persons/{person.pk}/correction/",
        {"entry": credit.pk, "reason": "x", "action": "open"},
    )
    assert posted.status_code == 200
    assert "entry" in posted.context["form"].errors
    assert Case.objects.filter(item__code="SBAC006", applicant_person=person).count() == 1
