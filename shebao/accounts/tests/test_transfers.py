"""Transfer of the pension relation across the provincial border (SBTR001): the amounts per
rules.md §2.4 and §2.6 to the fen, the relation ended and the entries written once on approval
by a second person, transfers in as the letter states them, and the data scope.

The journal is append-only, so each test works on persons of its own."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from shebao.accounts.models import AccountEntry, EntryKind, Transfer, TransferStatus
from shebao.accounts.services.journal import balance_fen, entry_post
from shebao.accounts.services.transfers import (
    apply_transfer,
    transfer_in_request,
    transfer_out_price,
    transfer_out_request,
)
from shebao.contributions.models import AssessmentLine
from shebao.contributions.tests.factories import employer_make, person_make, relations_make
from shebao.core.actors import system_actor
from shebao.core.demo import DEMO_PASSWORD
from shebao.core.errors import RuleViolation
from shebao.core.masking import mask_resident_id
from shebao.core.models import Agency, BatchRun
from shebao.core.testing import complete_second_factor
from shebao.registry.models import InsuredRelation, Person, RelationStatus
from shebao.services.models import Case, CaseStatus
from shebao.services.services import case_transition

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOVEMBER = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)  # transfer month 2026-11
_keys = itertools.count(1)


def entry(person: Person, kind: str, amount_fen: int, year: int, month: int) -> AccountEntry:
    return entry_post(
        actor=system_actor("tests"),
        person=person,
        kind=kind,
        amount_fen=amount_fen,
        year=year,
        month=month,
        source="tests",
        key=f"test:transfer:{person.pk}:{next(_keys)}",
    )


def paid_lines(relation: InsuredRelation, bases: dict[int, int], *, paid: bool = True) -> None:
    """Pension lines of the person's relation, one per period, with the base in fen."""
    run = BatchRun.objects.create(kind="test_lines", agency=relation.agency, actor_label="tests")
    AssessmentLine.objects.bulk_create(
        AssessmentLine(
            run=run,
            period=period,
            relation=relation,
            person_id=relation.person_id,
            employer=relation.employer,
            agency=relation.agency,
            scheme="pension",
            kind=relation.kind,
            base_source="declared",
            base_fen=base,
            employer_fen=base * 16 // 100,
            individual_fen=base * 8 // 100,
            account_credit_fen=base * 8 // 100,
            paid_on=dt.date(period // 100, period % 100, 20) if paid else None,
        )
        for period, base in bases.items()
    )


@pytest.fixture
def maojian(agency) -> Agency:
    return agency("420302")


@pytest.fixture
def insured(maojian):
    """A Maojian employee since 2024 with 123,456.78 yuan at the end of 2025, 812.34 credited
    each month of 2026 up to November, and twelve paid months of 6,000 in 2025."""
    person = person_make(maojian)
    employer = employer_make(maojian)
    (relation,) = relations_make(
        person, employer, agency=maojian, start=202401, schemes=["pension"]
    )
    entry(person, EntryKind.MIGRATED, 12_345_678, 2025, 12)
    for month in range(1, 12):
        entry(person, EntryKind.CONTRIBUTION, 81_234, 2026, month)
    paid_lines(relation, {202500 + month: 600_000 for month in range(1, 13)})
    return person, relation


def signed_in(username: str) -> Client:
    """A browser of its own (the ``login`` fixture shares one client between users)."""
    client = Client()
    response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    complete_second_factor(client, username)
    return client


def request_out(actor_of, person: Person) -> Transfer:
    return transfer_out_request(
        actor=actor_of("clerk_maojian"),
        person=person,
        other_region="广东省",
        other_agency="深圳市社会保险基金管理局",
    )


def sent_for_review(actor_of, transfer: Transfer) -> Case:
    case = Case.objects.get(pk=transfer.case_id)
    return case_transition(actor=actor_of("clerk_maojian"), case=case, action="send_for_review")


# --- the amounts --------------------------------------------------------------------------------


def test_pooled_part_is_twelve_percent_of_the_paid_bases(insured):
    """rules.md §2.6: 6,000 a month for 12 months → 8,640.00."""
    person, _relation = insured
    price = transfer_out_price(person=person, period=202611)
    assert (price.pooled_fen, price.months, price.months_ignored) == (864_000, 12, 0)


def test_part_year_interest_is_provisional_at_the_latest_rate_to_the_transfer_month(insured):
    """rules.md §2.4: 2026 has no rate yet, so 2025's 1.50% provisionally. A transfer in
    November: the opening balance earns 10 months, a credit of month n earns 11 − n.

    123,456.78 × 10 + 812.34 × (10 + 9 + … + 1) = 1,279,246.50 yuan-months;
    × 1.50% ÷ 12 = 1,599.058125 → 1,599.06 (rounded once)."""
    person, _relation = insured
    price = transfer_out_price(person=person, period=202611)
    assert price.balance_fen == 13_239_252  # 123,456.78 + 11 × 812.34
    assert price.interest_fen == 159_906
    assert (price.rate, price.rate_year, price.provisional) == ("0.0150", 2025, True)
    assert price.account_fen == 13_399_158
    assert price.total_fen == 13_399_158 + 864_000
    assert price.trace[0]["rule"] == "ACC-INT-PART-YEAR"
    assert {"TRF-POOLED", "ACC-INT-RATE"} <= {step["rule"] for step in price.trace}


def test_a_transfer_in_january_earns_no_interest(maojian):
    person = person_make(maojian)
    entry(person, EntryKind.MIGRATED, 10_000_000, 2025, 12)
    entry(person, EntryKind.CONTRIBUTION, 80_000, 2026, 1)
    price = transfer_out_price(person=person, period=202601)
    assert (price.interest_fen, price.account_fen) == (0, 10_080_000)


def test_unpaid_months_and_months_before_1998_do_not_count(maojian):
    person = person_make(maojian)
    employer = employer_make(maojian)
    (relation,) = relations_make(
        person, employer, agency=maojian, start=199701, schemes=["pension"]
    )
    paid_lines(relation, {199712: 300_000, 199801: 300_000, 202510: 512_345})
    paid_lines(relation, {202511: 600_000}, paid=False)
    price = transfer_out_price(person=person, period=202611)
    # (3,000.00 + 5,123.45) × 12% = 974.814 → 974.81
    assert (price.pooled_fen, price.months, price.months_ignored) == (97_481, 2, 1)


def test_a_difference_line_counts_with_its_original(maojian):
    person = person_make(maojian)
    employer = employer_make(maojian)
    (relation,) = relations_make(
        person, employer, agency=maojian, start=202501, schemes=["pension"]
    )
    paid_lines(relation, {202503: 500_000})
    paid_lines(relation, {202503: 100_000})  # the base raised afterwards, paid too
    price = transfer_out_price(person=person, period=202611)
    assert (price.pooled_fen, price.months) == (72_000, 1)


# --- transfer out, request and approval ----------------------------------------------------------


@time_machine.travel(NOVEMBER, tick=False)
def test_the_maker_cannot_approve_and_the_checker_moves_everything_once(actor_of, insured):
    person, relation = insured
    transfer = request_out(actor_of, person)
    assert (transfer.period, transfer.account_fen, transfer.pooled_fen) == (
        202611,
        13_399_158,
        864_000,
    )
    assert not AccountEntry.objects.filter(person=person, source__startswith="transfer").exists()
    case = sent_for_review(actor_of, transfer)

    with pytest.raises(RuleViolation) as refused:
        case_transition(actor=actor_of("clerk_maojian"), case=case, action="approve")
    assert refused.value.code in {"CASE-MAKER-CHECKER", "CORE-PERMISSION"}

    case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")

    written = AccountEntry.objects.filter(person=person, source=f"transfer:{transfer.pk}")
    assert [(e.kind, e.amount_fen, e.year, e.month, e.provisional, e.rate) for e in written] == [
        (EntryKind.INTEREST, 159_906, 2026, 11, True, "0.0150"),
        (EntryKind.TRANSFER_OUT, -13_399_158, 2026, 11, False, ""),
    ]
    assert balance_fen(person) == 0
    relation.refresh_from_db()
    assert (relation.status, relation.end_period, relation.end_reason) == (
        RelationStatus.TRANSFERRED_OUT,
        202611,
        "transfer_out",
    )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.APPROVED
    assert transfer.decided_by is not None
    assert transfer.decided_by.username == "reviewer_maojian"

    # A replayed approval writes nothing more.
    apply_transfer(Case.objects.get(pk=case.pk), actor_of("reviewer_maojian"))
    with pytest.raises(RuleViolation) as again:
        case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")
    assert again.value.code == "CASE-TRANSITION-NOT-ALLOWED"
    assert AccountEntry.objects.filter(person=person, source__startswith="transfer").count() == 2


@time_machine.travel(NOVEMBER, tick=False)
def test_approval_moves_the_balance_as_it_stands_then(actor_of, insured):
    person, _relation = insured
    case = sent_for_review(actor_of, request_out(actor_of, person))
    entry(person, EntryKind.CONTRIBUTION, 10_000, 2026, 11)  # a late credit of the month

    case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")

    transfer = Transfer.objects.get(case_id=case.pk)
    assert (transfer.interest_fen, transfer.account_fen) == (159_906, 13_409_158)
    assert balance_fen(person) == 0


@time_machine.travel(NOVEMBER, tick=False)
def test_a_person_without_an_active_pension_relation_cannot_transfer_out(actor_of, maojian):
    person = person_make(maojian)
    relations_make(person, employer_make(maojian), agency=maojian, end=202506)
    with pytest.raises(RuleViolation) as refused:
        request_out(actor_of, person)
    assert refused.value.code == "TRF-NO-PENSION-RELATION"
    assert not Transfer.objects.filter(person=person).exists()


@time_machine.travel(NOVEMBER, tick=False)
def test_a_second_transfer_waits_for_the_first(actor_of, insured):
    person, _relation = insured
    first = request_out(actor_of, person)
    with pytest.raises(RuleViolation) as refused:
        request_out(actor_of, person)
    assert refused.value.code == "TRF-OPEN-REQUEST"
    assert Case.objects.get(pk=first.case_id).receipt_no in refused.value.message_zh


def test_an_approval_in_a_later_year_is_refused_and_writes_nothing(actor_of, insured):
    person, relation = insured
    with time_machine.travel(dt.datetime(2026, 12, 28, 10, 0, tzinfo=SHANGHAI), tick=False):
        case = sent_for_review(actor_of, request_out(actor_of, person))
    january = dt.datetime(2027, 1, 4, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(january, tick=False), pytest.raises(RuleViolation) as refused:
        case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")
    assert refused.value.code == "TRF-YEAR-CHANGED"
    case.refresh_from_db()
    relation.refresh_from_db()
    assert (case.status, relation.status) == (CaseStatus.IN_REVIEW, RelationStatus.ACTIVE)
    assert not AccountEntry.objects.filter(person=person, source__startswith="transfer").exists()


@time_machine.travel(NOVEMBER, tick=False)
def test_transfers_stay_within_the_clerks_scope_and_claims(actor_of, insured, agency):
    person, _relation = insured
    with pytest.raises(RuleViolation) as outside:
        transfer_out_request(
            actor=actor_of("clerk_wuhan"), person=person, other_region="广东省", other_agency="x"
        )
    assert outside.value.code == "CORE-SCOPE"
    zhangwan = agency("420303")
    neighbour = person_make(zhangwan)
    relations_make(neighbour, employer_make(zhangwan), agency=zhangwan, schemes=["pension"])
    with pytest.raises(RuleViolation) as unclaimed:
        transfer_out_request(
            actor=actor_of("clerk_zhangwan"),
            person=neighbour,
            other_region="广东省",
            other_agency="x",
        )
    assert unclaimed.value.code == "CORE-PERMISSION"
    assert not Transfer.objects.filter(person__in=[person, neighbour]).exists()


# --- transfer in --------------------------------------------------------------------------------


@time_machine.travel(NOVEMBER, tick=False)
def test_a_transfer_in_credits_the_account_part_once(actor_of, insured):
    person, relation = insured
    before = balance_fen(person)
    transfer = transfer_in_request(
        actor=actor_of("clerk_maojian"),
        person=person,
        other_region="河南省",
        other_agency="郑州市社会保险中心",
        account_fen=4_567_890,
        pooled_fen=1_234_500,
        months=37,
    )
    case = sent_for_review(actor_of, transfer)
    case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")
    apply_transfer(Case.objects.get(pk=case.pk), actor_of("reviewer_maojian"))  # replayed

    credited = AccountEntry.objects.get(person=person, source=f"transfer:{transfer.pk}")
    assert (credited.kind, credited.amount_fen, credited.year, credited.month) == (
        EntryKind.TRANSFER_IN,
        4_567_890,
        2026,
        11,
    )
    assert balance_fen(person) == before + 4_567_890
    transfer.refresh_from_db()
    assert (transfer.status, transfer.pooled_fen, transfer.months) == ("approved", 1_234_500, 37)
    relation.refresh_from_db()
    assert relation.status == RelationStatus.ACTIVE  # insured here already: nothing else


@time_machine.travel(NOVEMBER, tick=False)
def test_a_transfer_in_without_a_relation_here_is_just_the_entry(actor_of, maojian):
    person = person_make(maojian)
    transfer = transfer_in_request(
        actor=actor_of("clerk_maojian"),
        person=person,
        other_region="河南省",
        other_agency="郑州市社会保险中心",
        account_fen=100_000,
        pooled_fen=0,
        months=5,
    )
    case = sent_for_review(actor_of, transfer)
    case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")
    assert balance_fen(person) == 100_000
    assert not InsuredRelation.objects.filter(person=person).exists()


@pytest.mark.parametrize(("account", "pooled", "months"), [(0, 0, 0), (-1, 100, 1), (100, 0, -1)])
def test_transfer_in_amounts_are_checked(actor_of, maojian, account, pooled, months):
    person = person_make(maojian)
    with pytest.raises(RuleViolation) as refused:
        transfer_in_request(
            actor=actor_of("clerk_maojian"),
            person=person,
            other_region="河南省",
            other_agency="郑州市社会保险中心",
            account_fen=account,
            pooled_fen=pooled,
            months=months,
        )
    assert refused.value.code == "TRF-IN-AMOUNTS"
    assert not Transfer.objects.filter(person=person).exists()


# --- the counter pages ---------------------------------------------------------------------------


@time_machine.travel(NOVEMBER, tick=False)
def test_the_transfer_out_page_prices_before_opening_and_the_reviewer_sees_it(
    login, actor_of, insured
):
    person, _relation = insured
    client = login("clerk_maojian")
    url = f"/accounts/persons/{person.pk}/transfer-out/"

    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="transfer-preview"' in body
    for shown in ("1,599.06", "133,991.58", "8,640.00", "142,631.58"):
        assert shown in body
    assert person.resident_id not in body
    assert mask_resident_id(person.resident_id) in body
    assert not Transfer.objects.filter(person=person).exists()

    opened = client.post(
        url, {"other_region": "广东省", "other_agency": "深圳市社会保险基金管理局"}
    )
    transfer = Transfer.objects.get(person=person)
    assert opened.status_code == 302
    assert opened["Location"] == f"{url}{transfer.case_id}/"
    outcome = client.get(opened["Location"]).content.decode()
    case = Case.objects.get(pk=transfer.case_id)
    assert case.receipt_no in outcome
    assert "133,991.58" in outcome

    sent_for_review(actor_of, transfer)
    review = signed_in("reviewer_maojian").get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="case-data"' in review
    assert "133,991.58" in review
    assert "深圳市社会保险基金管理局" in review


@time_machine.travel(NOVEMBER, tick=False)
def test_the_transfer_in_page_previews_then_opens_the_case(login, insured):
    person, _relation = insured
    client = login("clerk_maojian")
    url = f"/accounts/persons/{person.pk}/transfer-in/"
    fields = {
        "other_region": "河南省",
        "other_agency": "郑州市社会保险中心",
        "account": "45,678.90",
        "pooled": "12345",
        "months": "37",
    }
    preview = client.post(url, {**fields, "action": "preview"})
    assert preview.status_code == 200
    assert 'data-testid="transfer-in-preview"' in preview.content.decode()
    assert "178,071.42" in preview.content.decode()  # 132,392.52 + 45,678.90
    assert not Transfer.objects.filter(person=person).exists()

    opened = client.post(url, {**fields, "action": "open"})
    transfer = Transfer.objects.get(person=person)
    assert (transfer.account_fen, transfer.pooled_fen, transfer.months) == (
        4_567_890,
        1_234_500,
        37,
    )
    assert opened["Location"] == f"{url}{transfer.case_id}/"
    assert (
        Case.objects.get(pk=transfer.case_id).receipt_no
        in client.get(opened["Location"]).content.decode()
    )


@time_machine.travel(NOVEMBER, tick=False)
def test_a_refusal_is_shown_with_its_rule_and_opens_nothing(login, maojian):
    person = person_make(maojian)  # no relation at all
    client = login("clerk_maojian")
    url = f"/accounts/persons/{person.pk}/transfer-out/"
    assert "TRF-NO-PENSION-RELATION" in client.get(url).content.decode()
    response = client.post(url, {"other_region": "广东省", "other_agency": "深圳"})
    assert response.status_code == 200
    assert any("TRF-NO-PENSION-RELATION" in str(m) for m in response.context["messages"])
    assert not Transfer.objects.filter(person=person).exists()


@pytest.mark.parametrize("page", ["transfer-out/", "transfer-in/", "correction/"])
def test_pages_outside_the_clerks_agency_subtree_are_absent(login, insured, page):
    person, _relation = insured
    assert login("clerk_wuhan").get(f"/accounts/persons/{person.pk}/{page}").status_code == 404
    assert login("clerk_zhangwan").get(f"/accounts/persons/{person.pk}/{page}").status_code == 404


@time_machine.travel(NOVEMBER, tick=False)
def test_an_outcome_page_of_another_persons_case_is_absent(actor_of, login, insured, maojian):
    person, _relation = insured
    transfer = request_out(actor_of, person)
    other = person_make(maojian)
    response = login("clerk_maojian").get(
        f"/accounts/persons/{other.pk}/transfer-out/{transfer.case_id}/"
    )
    assert response.status_code == 404
