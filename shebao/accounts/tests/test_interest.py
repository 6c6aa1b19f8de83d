"""Annual interest crediting as a batch run: the SQL equals the calculator for every account,
a rerun writes nothing, provisional interest is trued up, a killed run resumes.

Journal entries cannot be deleted (PostgreSQL refuses it by trigger), so every test makes
persons of its own and looks at theirs only; a run covers the demo's persons too.
"""

from __future__ import annotations

import io
import itertools
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shebao.accounts.interest import KIND, products_limit
from shebao.accounts.models import AccountEntry, EntryKind
from shebao.accounts.services.interest import interest_run_create, interest_run_execute
from shebao.accounts.services.journal import balance_fen
from shebao.contributions.tests.factories import person_make
from shebao.core.batch import batch_run_execute
from shebao.core.errors import RuleViolation
from shebao.core.models import Agency, BatchRun, BatchStatus
from shebao.core.money import fen_to_yuan, yuan_to_fen
from shebao.registry.models import Person
from shebao.rules.calculators.interest import MonthlyCredit, account_interest
from shebao.rules.params import NATIONAL, ParamValue
from shebao.rules.store import DatabaseParameters

pytestmark = pytest.mark.django_db

_keys = itertools.count(1)
_births = itertools.count(0)


@pytest.fixture
def maojian(agency) -> Agency:
    return agency("420302")


@pytest.fixture
def zhangwan(agency) -> Agency:
    return agency("420303")


def fresh_person(area: Agency) -> Person:
    # A birth date of its own: the factory's IDs repeat after a thousand persons of one date.
    return person_make(area, birth=date(1970, 1, 1) + timedelta(days=next(_births) % 9000))


def entry(person: Person, kind: str, amount_fen: int, year: int, month: int, **extra) -> None:
    AccountEntry.objects.create(
        person=person,
        kind=kind,
        amount_fen=amount_fen,
        year=year,
        month=month,
        period=year * 100 + month if kind == EntryKind.CONTRIBUTION else None,
        source="tests",
        key=f"test-interest:{next(_keys)}",
        created_by="tests",
        **extra,
    )


def opening_set(person: Person, year: int, amount_fen: int) -> None:
    """A balance migrated from a city system, counting from December of the year before."""
    entry(person, EntryKind.MIGRATED, amount_fen, year - 1, 12)


def credit_interest(actor, area: Agency, year: int, **kwargs) -> BatchRun:
    run = interest_run_create(actor=actor, year=year, agency=area, **kwargs)
    return interest_run_execute(run, actor=actor)


def interest_entries(person: Person, year: int):
    return AccountEntry.objects.filter(person=person, year=year, kind=EntryKind.INTEREST)


def interest_of(person: Person, year: int) -> int:
    return int(interest_entries(person, year).aggregate(s=Sum("amount_fen"))["s"] or 0)


def crediting_rate(year: int) -> ParamValue:
    return DatabaseParameters().lookup("account.crediting_rate", NATIONAL, date(year, 12, 31))


def calculator_interest(person: Person, year: int) -> int:
    """What the pure calculator gives for the person's journal (its year's interest)."""
    entries = AccountEntry.objects.filter(person=person, year__lte=year)
    opening = sum(e.amount_fen for e in entries if e.year < year)
    credits = [
        MonthlyCredit(period=year * 100 + e.month, amount=fen_to_yuan(e.amount_fen))
        for e in entries
        if e.year == year and e.kind != EntryKind.INTEREST
    ]
    outcome = account_interest(
        year=year, opening=fen_to_yuan(opening), credits=credits, rate=crediting_rate(year)
    ).value
    return yuan_to_fen(outcome.interest)


def test_rules_example_2021(system, maojian):
    """rules.md §2.3: opening 100,000.00 and 800.00 every month of 2021 at 6.69%."""
    person = fresh_person(maojian)
    opening_set(person, 2021, 10_000_000)
    for month in range(1, 13):
        entry(person, EntryKind.CONTRIBUTION, 80_000, 2021, month)

    run = credit_interest(system, maojian, 2021)

    [credited] = interest_entries(person, 2021)
    assert credited.amount_fen == 669_000 + 34_788  # 6,690.00 on the opening, 347.88 on credits
    assert (credited.month, credited.rate, credited.provisional) == (12, "0.0669", False)
    assert credited.source == f"interest:run:{run.pk}"
    assert credited.key == f"interest:2021:{person.pk}:{run.pk}"
    assert balance_fen(person, through_year=2021) == 11_663_788  # 116,637.88
    assert run.status == BatchStatus.DONE
    assert run.params["rate"]["value"] == "0.0669"
    assert run.params["rate"]["reference"]
    assert run.params["rate_e8"] == 6_690_000


def test_a_second_run_writes_nothing(system, maojian):
    person = fresh_person(maojian)
    opening_set(person, 2024, 5_432_100)
    entry(person, EntryKind.CONTRIBUTION, 64_004, 2024, 3)
    first = credit_interest(system, maojian, 2024)
    before = AccountEntry.objects.count()

    second = credit_interest(system, maojian, 2024)

    assert first.rows >= 1
    assert (second.status, second.rows, second.totals["interest_fen"]) == (BatchStatus.DONE, 0, 0)
    assert AccountEntry.objects.count() == before
    assert interest_entries(person, 2024).count() == 1


def test_a_provisional_crediting_is_trued_up_by_the_difference(system, maojian):
    """Retired in June 2024 before the 2024 rate appeared: credited provisionally at the 2023
    rate; the year's run adds only what the 2024 rate gives beyond that."""
    person = fresh_person(maojian)
    opening_set(person, 2024, 20_000_000)
    for month in range(1, 7):
        entry(person, EntryKind.CONTRIBUTION, 50_000, 2024, month)
    provisional = 20_000_000 * 397 // 10_000  # a provisional crediting at 3.97%
    entry(person, EntryKind.INTEREST, provisional, 2024, 6, rate="0.0397", provisional=True)

    run = credit_interest(system, maojian, 2024)

    expected = calculator_interest(person, 2024)
    [true_up] = interest_entries(person, 2024).filter(source=f"interest:run:{run.pk}")
    assert true_up.amount_fen == expected - provisional < 0  # 2.62% is below 3.97%
    assert (true_up.provisional, true_up.rate) == (False, "0.0262")
    assert interest_of(person, 2024) == expected
    assert credit_interest(system, maojian, 2024).rows == 0


def test_an_unpublished_rate_is_refused(system, maojian):
    class Without2024:
        """The parameters as they stood before the 2024 rate was published."""

        def __init__(self) -> None:
            self.inner = DatabaseParameters()

        def lookup(self, key: str, region: str, on: date) -> ParamValue:
            if key == "account.crediting_rate" and on.year == 2024:
                on = date(2023, 12, 31)
            return self.inner.lookup(key, region, on)

        def known_regions(self) -> set[str]:
            return self.inner.known_regions()

    with pytest.raises(RuleViolation) as refused:
        interest_run_create(actor=system, year=2024, agency=maojian, source=Without2024())
    assert refused.value.code == "ACC-INT-RATE-UNPUBLISHED"
    assert "2024" in refused.value.message_en
    assert "2023" in refused.value.message_en
    assert "2023" in refused.value.message_zh
    assert not BatchRun.objects.filter(kind=KIND, period=202412).exists()


def test_a_year_not_yet_ended_is_refused(system, maojian):
    this_year = timezone.localdate().year
    with pytest.raises(RuleViolation) as refused:
        interest_run_create(actor=system, year=this_year, agency=maojian)
    assert refused.value.code == "ACC-INT-YEAR-OPEN"


def test_a_clerk_cannot_start_a_run(actor_of, maojian):
    with pytest.raises(RuleViolation) as refused:
        interest_run_create(actor=actor_of("clerk_maojian"), year=2024, agency=maojian)
    assert refused.value.code == "CORE-PERMISSION"


def test_a_district_run_leaves_other_districts_alone(system, maojian, zhangwan, agency):
    inside, outside = fresh_person(maojian), fresh_person(zhangwan)
    for person in (inside, outside):
        opening_set(person, 2023, 1_000_000)

    credit_interest(system, maojian, 2023)
    assert interest_of(inside, 2023) == 39_700
    assert not interest_entries(outside, 2023).exists()

    credit_interest(system, agency("420300"), 2023)
    assert interest_of(outside, 2023) == 39_700
    assert interest_entries(inside, 2023).count() == 1


def test_a_run_of_the_whole_tree_reads_no_person_and_credits_everyone(system, agency):
    root = agency("420000")
    assert root.parent_id is None
    people = [fresh_person(agency(code)) for code in ("420302", "420303")]
    for person in people:
        opening_set(person, 2019, 2_000_000)

    run = credit_interest(system, root, 2019)

    assert run.params["every_agency"] is True
    assert [interest_of(person, 2019) for person in people] == [152_200, 152_200]  # 7.61%


def test_an_overlapping_unfinished_run_must_be_resumed_first(system, maojian, agency):
    interest_run_create(actor=system, year=2023, agency=maojian)
    with pytest.raises(RuleViolation) as refused:
        interest_run_create(actor=system, year=2023, agency=agency("420300"))
    assert refused.value.code == "ACC-INT-RUN-OPEN"
    interest_run_create(actor=system, year=2022, agency=agency("420300"))  # another year


@pytest.mark.parametrize(
    ("history", "interest"),
    [
        # 2025 at 1.50%: exact interest = (12 × opening + products) / 800 fen.
        ({"opening": 0, "credits": [(12, 400)]}, 1),  # 0.5 fen: the closing 400.5 → 401
        # Closing below zero: -614.5 rounds away from zero to -615, so the interest is -15.
        ({"opening": -1000, "credits": [(12, 400)]}, -15),
        # Exact interest -0.5 fen on a closing of 149.5: the closing rounds up to 150, so the
        # interest is 0 (rounding the interest itself away from zero would give -1).
        ({"opening": 2000, "credits": [(1, -2050), (12, 200)]}, 0),
        # Exact interest -0.5 fen on a closing of -400.5: -401, the interest -1.
        ({"opening": 1000, "credits": [(1, -1000), (12, -400)]}, -1),
    ],
)
def test_half_a_fen_rounds_the_closing_balance_half_up(system, maojian, history, interest):
    person = fresh_person(maojian)
    opening_set(person, 2025, history["opening"])
    for month, amount in history["credits"]:
        entry(person, EntryKind.CORRECTION, amount, 2025, month)

    credit_interest(system, maojian, 2025)

    assert interest_of(person, 2025) == interest == calculator_interest(person, 2025)


def test_an_account_beyond_the_exact_range_stops_the_run(system, maojian):
    person = fresh_person(maojian)
    opening_set(person, 2016, products_limit(8_310_000) // 12 + 1)

    with pytest.raises(RuleViolation) as refused:
        credit_interest(system, maojian, 2016)
    assert refused.value.code == "ACC-INT-RANGE"
    assert not interest_entries(person, 2016).exists()
    run = BatchRun.objects.filter(kind=KIND, period=201612).latest("id")
    assert run.status == BatchStatus.FAILED


MONTHS = st.integers(min_value=1, max_value=12)
HISTORY = st.fixed_dictionaries(
    {
        "opening": st.one_of(st.just(0), st.integers(min_value=0, max_value=50_000_000)),
        "credits": st.lists(
            st.tuples(MONTHS, st.integers(min_value=0, max_value=600_000)), max_size=14
        ),
        # A transfer out mid-year: the balance so far leaves, give or take a little.
        "transfer_out": st.one_of(
            st.none(), st.tuples(MONTHS, st.integers(min_value=-5_000, max_value=5_000))
        ),
        "corrections": st.lists(
            st.tuples(MONTHS, st.integers(min_value=-20_000, max_value=20_000)), max_size=2
        ),
        "provisional": st.one_of(st.none(), st.integers(min_value=0, max_value=2_000_000)),
    }
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    year=st.integers(min_value=2016, max_value=2025),
    histories=st.lists(HISTORY, min_size=1, max_size=5),
)
def test_every_account_gets_exactly_the_calculators_interest(system, maojian, year, histories):
    """Random histories: the interest each person holds for the year after the run is the
    calculator's, to the fen."""
    people = []
    for history in histories:
        person = fresh_person(maojian)
        if history["opening"]:
            opening_set(person, year, history["opening"])
        for month, amount in history["credits"]:
            entry(person, EntryKind.CONTRIBUTION, amount, year, month)
        for month, amount in history["corrections"]:
            entry(person, EntryKind.CORRECTION, amount, year, month)
        if history["transfer_out"] is not None:
            month, slack = history["transfer_out"]
            so_far = history["opening"] + sum(a for m, a in history["credits"] if m <= month)
            entry(person, EntryKind.TRANSFER_OUT, -(so_far + slack), year, month)
        if history["provisional"] is not None:
            entry(person, EntryKind.INTEREST, history["provisional"], year, 6, provisional=True)
        people.append(person)

    run = credit_interest(system, maojian, year)

    assert run.status == BatchStatus.DONE
    for person in people:
        assert interest_of(person, year) == calculator_interest(person, year)
        written = interest_entries(person, year).filter(source=f"interest:run:{run.pk}")
        assert written.count() <= 1


def test_a_killed_run_resumes_to_the_same_totals(system, maojian):
    people = []
    for number in range(12):
        person = fresh_person(maojian)
        opening_set(person, 2022, 1_000_000 + number * 77_777)
        for month in range(1, 13, number % 3 + 1):
            entry(person, EntryKind.CONTRIBUTION, 40_000 + number * 101, 2022, month)
        people.append(person)

    with transaction.atomic():
        whole = credit_interest(system, maojian, 2022, chunk_persons=5)
        whole_totals = whole.totals
        whole_interest = {p.pk: interest_of(p, 2022) for p in people}
        transaction.set_rollback(True)  # undone, not deleted: the journal refuses DELETE

    run = interest_run_create(actor=system, year=2022, agency=maojian, chunk_persons=5)
    assert run.chunks_total >= 3

    def kill(seq: int) -> None:
        if seq == 2:
            raise SystemExit("killed")  # like a process killed in the middle of chunk 2

    with pytest.raises(SystemExit):
        batch_run_execute(run, actor=system, chunk_hook=kill)
    run.refresh_from_db()
    # A killed process records nothing more: the run still says running, one chunk done, and
    # the entries of the chunk it was in were rolled back with its transaction.
    assert (run.status, run.chunks_done) == (BatchStatus.RUNNING, 1)
    written = AccountEntry.objects.filter(source=f"interest:run:{run.pk}").count()
    assert written == run.rows == run.chunks.get(seq=1).rows

    resumed = interest_run_execute(run, actor=system)

    assert resumed.status == BatchStatus.DONE
    assert resumed.totals == whole_totals
    assert resumed.chunks_done == resumed.chunks_total
    assert {p.pk: interest_of(p, 2022) for p in people} == whole_interest
    for person in people:
        assert interest_of(person, 2022) == calculator_interest(person, 2022)


def command(**options) -> str:
    out = io.StringIO()
    call_command("credit_interest", stdout=out, **options)
    return out.getvalue()


def test_the_command_credits_and_resumes(system, maojian):
    person = fresh_person(maojian)
    opening_set(person, 2021, 10_000_000)
    for month in range(1, 13):
        entry(person, EntryKind.CONTRIBUTION, 80_000, 2021, month)

    output = command(year=2021, agency="420302")

    run = BatchRun.objects.filter(kind=KIND).latest("id")
    assert (run.period, run.agency, run.status) == (202112, maojian, BatchStatus.DONE)
    assert run.actor_label == "system:credit_interest"
    assert f"run #{run.pk} done: {run.rows} interest entries" in output
    assert interest_of(person, 2021) == 703_788

    stopped = interest_run_create(actor=system, year=2020, agency=maojian)
    output = command(resume=stopped.pk)
    stopped.refresh_from_db()
    assert stopped.status == BatchStatus.DONE
    assert f"run #{stopped.pk} done" in output
    with pytest.raises(CommandError) as err:
        command(resume=stopped.pk)
    assert str(err.value).startswith("BATCH-ALREADY-DONE: ")


def test_the_command_refuses_with_exit_code_1(maojian):
    with pytest.raises(CommandError) as err:
        command(year=timezone.localdate().year, agency="420302")
    assert (err.value.returncode, str(err.value)[:18]) == (1, "ACC-INT-YEAR-OPEN:")
    with pytest.raises(CommandError, match="--year"):
        command(agency="420302")
    with pytest.raises(CommandError, match="no agency 999999"):
        command(year=2024, agency="999999")
    with pytest.raises(CommandError, match="no interest run #987654"):
        command(resume=987654)
