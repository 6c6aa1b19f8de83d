"""The monthly assessment batch run: amounts to the fen, bills, reruns, differences, resume."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Count, Q, Sum

from shebao.contributions.models import AssessmentLine, Bill, BillKind
from shebao.contributions.rates import rate_e8
from shebao.contributions.services.assessments import (
    assessment_run_create,
    assessment_run_execute,
)
from shebao.contributions.tests.conftest import base_set
from shebao.contributions.tests.factories import employer_make, person_make, relations_make
from shebao.core.batch import batch_run_execute
from shebao.core.errors import RuleViolation
from shebao.core.models import BatchStatus
from shebao.core.money import fen_to_yuan, yuan_to_fen
from shebao.registry.models import InsuredRelation, RelationStatus
from shebao.rules.calculators.contribution import (
    BaseBounds,
    EmployeeRates,
    WorkInjuryRate,
    employee_contribution,
)
from shebao.rules.store import DatabaseParameters

pytestmark = pytest.mark.django_db
PERIOD = 202510


def run_assessment(actor, agency, period=PERIOD, **kwargs):
    run = assessment_run_create(actor=actor, period=period, agency=agency, **kwargs)
    return assessment_run_execute(run, actor=actor)


def lines_of(person, scheme):
    return list(AssessmentLine.objects.filter(person=person, scheme=scheme).order_by("id"))


def test_each_scheme_is_base_times_rate_rounded_half_up(system, maojian):
    employer = employer_make(maojian, risk_class=3, tier=150)  # 0.7% × 150% = 1.05%
    person = person_make(maojian)
    relations_make(person, employer, agency=maojian)
    base_set(person, 2025, 800055)  # 8,000.55 yuan

    run_assessment(system, maojian)

    [pension] = lines_of(person, "pension")
    assert (pension.base_fen, pension.employer_fen, pension.individual_fen) == (
        800055,
        128009,
        64004,
    )
    assert pension.account_credit_fen == 64004  # the employee's 8% is credited whole
    [unemployment] = lines_of(person, "unemployment")
    assert (unemployment.employer_fen, unemployment.individual_fen) == (5600, 2400)
    assert unemployment.account_credit_fen == 0
    [work_injury] = lines_of(person, "work_injury")
    assert (work_injury.employer_fen, work_injury.individual_fen) == (8401, 0)  # 84.005775


def test_a_half_fen_rounds_up(system, maojian):
    person = person_make(maojian)
    relations_make(person, employer_make(maojian), agency=maojian, schemes=["unemployment"])
    base_set(person, 2025, 430500, schemes=("unemployment",))  # × 0.3% = 12.915 yuan

    run_assessment(system, maojian)

    [line] = lines_of(person, "unemployment")
    assert line.individual_fen == 1292


def test_lines_equal_the_contribution_calculator_for_any_base(system, maojian):
    """The SQL and the pure calculator agree to the fen over a spread of bases."""
    rng = random.Random(6)
    employer = employer_make(maojian, risk_class=8, tier=80)
    people = []
    for _ in range(40):
        person = person_make(maojian)
        relations_make(person, employer, agency=maojian)
        base = rng.randint(429900, 2167800)
        base_set(person, 2025, base)
        people.append((person, base))

    run_assessment(system, maojian)

    source = DatabaseParameters()
    on = date(2025, 10, 1)
    rates = EmployeeRates(
        pension_employer=source.lookup("contribution.pension.employer_rate", "420302", on),
        pension_individual=source.lookup("contribution.pension.individual_rate", "420302", on),
        unemployment_employer=source.lookup(
            "contribution.unemployment.employer_rate", "420302", on
        ),
        unemployment_individual=source.lookup(
            "contribution.unemployment.individual_rate", "420302", on
        ),
        account_credit=source.lookup("account.credit_rate", "420302", on),
    )
    bounds = BaseBounds(
        floor=source.lookup("contribution.base.floor", "420302", on),
        cap=source.lookup("contribution.base.cap", "420302", on),
    )
    work_injury = WorkInjuryRate(rate=Decimal("0.019") * Decimal("0.8"), basis="class 8 at 80%")
    for person, base in people:
        expected = employee_contribution(
            declared_wage=fen_to_yuan(base), bounds=bounds, rates=rates, work_injury=work_injury
        ).value
        got = {line.scheme: line for line in AssessmentLine.objects.filter(person=person)}
        assert got["pension"].employer_fen == yuan_to_fen(expected.pension_employer)
        assert got["pension"].individual_fen == yuan_to_fen(expected.pension_individual)
        assert got["pension"].account_credit_fen == yuan_to_fen(expected.account_credit)
        assert got["unemployment"].employer_fen == yuan_to_fen(expected.unemployment_employer)
        assert got["unemployment"].individual_fen == yuan_to_fen(expected.unemployment_individual)
        assert got["work_injury"].employer_fen == yuan_to_fen(expected.work_injury_employer)


def test_each_bill_equals_the_sum_of_its_lines(system, maojian):
    employers = [employer_make(maojian) for _ in range(3)]
    for number in range(10):
        person = person_make(maojian)
        relations_make(person, employers[number % 3], agency=maojian)
        base_set(person, 2025, 500000 + number * 12345)

    run = run_assessment(system, maojian, chunk_rows=7)

    assert run.chunks_total > 1
    for employer in employers:
        bill = Bill.objects.get(run=run, employer=employer)
        lines = AssessmentLine.objects.filter(run=run, employer=employer)
        assert bill.employer_fen == sum(line.employer_fen for line in lines)
        assert bill.individual_fen == sum(line.individual_fen for line in lines)
        assert bill.total_fen == bill.employer_fen + bill.individual_fen
        assert bill.lines == lines.count()
        assert bill.kind == BillKind.ORIGINAL
    assert run.totals["total_fen"] == sum(
        Bill.objects.filter(run=run).values_list("total_fen", flat=True)
    )


def test_a_rerun_with_nothing_changed_writes_nothing(system, maojian):
    person = person_make(maojian)
    relations_make(person, employer_make(maojian), agency=maojian)
    base_set(person, 2025, 600000)
    first = run_assessment(system, maojian)
    lines, bills = AssessmentLine.objects.count(), Bill.objects.count()

    second = run_assessment(system, maojian)

    assert second.status == BatchStatus.DONE
    assert second.rows == 0
    assert (AssessmentLine.objects.count(), Bill.objects.count()) == (lines, bills)
    assert first.totals["lines"] > 0


def test_a_changed_base_gives_a_difference_bill_and_leaves_the_issued_bill(system, maojian):
    employer = employer_make(maojian)
    person = person_make(maojian)
    relations_make(person, employer, agency=maojian, schemes=["pension"])
    base_set(person, 2025, 600000, schemes=("pension",))
    run_assessment(system, maojian)
    original = Bill.objects.get(employer=employer)

    base_set(person, 2025, 700000, schemes=("pension",))
    run = run_assessment(system, maojian)

    difference = Bill.objects.get(run=run, employer=employer)
    assert difference.kind == BillKind.DIFFERENCE
    assert (difference.employer_fen, difference.individual_fen) == (16000, 8000)
    [line] = AssessmentLine.objects.filter(run=run)
    assert line.base_fen == 100000  # the delta, so the lines sum to the current base
    original.refresh_from_db()
    assert original.total_fen == 96000 + 48000


def test_a_relation_ended_back_dated_is_reversed(system, maojian):
    employer = employer_make(maojian)
    person = person_make(maojian)
    [relation] = relations_make(person, employer, agency=maojian, schemes=["pension"])
    base_set(person, 2025, 600000, schemes=("pension",))
    run_assessment(system, maojian)

    InsuredRelation.objects.filter(pk=relation.pk).update(
        end_period=202509, status=RelationStatus.ENDED
    )
    run = run_assessment(system, maojian)

    [reversal] = AssessmentLine.objects.filter(run=run)
    assert (reversal.base_source, reversal.employer_fen, reversal.individual_fen) == (
        "reversal",
        -96000,
        -48000,
    )
    bill = Bill.objects.get(run=run)
    assert bill.total_fen == -144000
    assert bill.payment_status == "credit"
    assert sum(AssessmentLine.objects.filter(person=person).values_list("base_fen", flat=True)) == 0


def test_an_undeclared_employee_pays_on_110_percent_of_the_last_base(system, maojian):
    person = person_make(maojian)
    relations_make(person, employer_make(maojian), agency=maojian, schemes=["pension"])
    base_set(person, 2024, 500000, schemes=("pension",))
    newcomer = person_make(maojian)
    relations_make(newcomer, employer_make(maojian), agency=maojian, schemes=["pension"])
    high = person_make(maojian)
    relations_make(high, employer_make(maojian), agency=maojian, schemes=["pension"])
    base_set(high, 2024, 2100000, schemes=("pension",))

    run_assessment(system, maojian)

    [line] = lines_of(person, "pension")
    assert (line.base_source, line.base_fen) == ("undeclared", 550000)
    [line] = lines_of(newcomer, "pension")
    assert (line.base_source, line.base_fen) == ("floor", 429900)
    [line] = lines_of(high, "pension")
    assert line.base_fen == 2167800  # 110% of 21,000 is above the cap


def test_a_flexible_worker_pays_20_percent_on_their_own_bill(system, maojian):
    person = person_make(maojian)
    relations_make(person, None, agency=maojian, schemes=["pension"])
    base_set(person, 2025, 429900, schemes=("pension",))

    run = run_assessment(system, maojian)

    [line] = lines_of(person, "pension")
    assert (line.employer_fen, line.individual_fen, line.account_credit_fen) == (0, 85980, 34392)
    bill = Bill.objects.get(run=run, person=person)
    assert bill.employer_id is None
    assert bill.total_fen == 85980


def test_a_district_run_leaves_other_districts_alone(system, maojian, zhangwan, agency):
    inside = person_make(maojian)
    relations_make(inside, employer_make(maojian), agency=maojian, schemes=["pension"])
    outside = person_make(zhangwan)
    relations_make(outside, employer_make(zhangwan), agency=zhangwan, schemes=["pension"])

    run_assessment(system, maojian)
    assert not AssessmentLine.objects.filter(person=outside).exists()

    city_run = run_assessment(system, agency("420300"))
    assert AssessmentLine.objects.filter(run=city_run, person=outside).count() == 1
    assert not AssessmentLine.objects.filter(run=city_run, person=inside).exists()


def test_a_killed_run_resumes_to_the_same_totals(system, maojian):
    employers = [employer_make(maojian) for _ in range(4)]
    for number in range(12):
        person = person_make(maojian)
        relations_make(person, employers[number % 4], agency=maojian)
        base_set(person, 2025, 450000 + number * 33333)
    whole = run_assessment(system, maojian, period=202509, chunk_rows=9)

    run = assessment_run_create(actor=system, period=PERIOD, agency=maojian, chunk_rows=9)

    def kill(seq: int) -> None:
        if seq == 3:
            raise SystemExit("killed")  # like a process killed in the middle of chunk 3

    with pytest.raises(SystemExit):
        batch_run_execute(run, actor=system, chunk_hook=kill)
    run.refresh_from_db()
    # A killed process records nothing more: the run still says running, two chunks done,
    # and the lines of the chunk it was in were rolled back with its transaction.
    assert run.status == BatchStatus.RUNNING
    assert run.chunks_done == 2
    done_rows = sum(run.chunks.filter(done=True).values_list("rows", flat=True))
    assert AssessmentLine.objects.filter(run=run).count() == done_rows == run.rows

    resumed = assessment_run_execute(run, actor=system)

    assert resumed.status == BatchStatus.DONE
    assert resumed.totals == whole.totals
    assert resumed.chunks_done == resumed.chunks_total == whole.chunks_total


def test_an_overlapping_unfinished_run_must_be_resumed_first(system, maojian, agency):
    person = person_make(maojian)
    relations_make(person, employer_make(maojian), agency=maojian)
    assessment_run_create(actor=system, period=PERIOD, agency=maojian)

    with pytest.raises(RuleViolation) as refused:
        assessment_run_create(actor=system, period=PERIOD, agency=agency("420300"))
    assert refused.value.code == "ASSESS-RUN-OPEN"


def test_a_clerk_cannot_start_a_run(actor_of, maojian):
    with pytest.raises(RuleViolation) as refused:
        assessment_run_create(actor=actor_of("clerk_maojian"), period=PERIOD, agency=maojian)
    assert refused.value.code == "CORE-PERMISSION"


def test_the_run_freezes_the_parameters_it_used(system, maojian):
    run = assessment_run_create(actor=system, period=PERIOD, agency=maojian)
    used = {p["key"]: p for p in run.params["rates"]["parameters"]}
    assert used["contribution.base.floor"]["value"] == "4299.00"
    assert used["contribution.base.floor"]["region"] == "420300"
    assert rate_e8(Decimal("0.16")) == 16_000_000


GOLDEN_TOTALS = {
    "lines": 88,
    "base": 120442033,
    "employer": 7136300,
    "individual": 3504563,
    "credit": 3265120,
}


def test_sqlite_and_postgresql_give_the_same_totals(system, maojian, zhangwan, agency):
    """A fixed register whose totals are pinned: CI runs this on both databases, so both
    must produce exactly these figures."""
    rng = random.Random(2026)
    employers = [
        employer_make(maojian, risk_class=1, tier=120),
        employer_make(maojian, risk_class=5, tier=50),
        employer_make(zhangwan, risk_class=8, tier=150),
    ]
    for number in range(30):
        employer = employers[number % 3]
        area = employer.managing_agency
        person = person_make(area)
        relations_make(person, employer, agency=area, end=202509 if number == 7 else None)
        if number % 10 != 3:  # every tenth one is not declared
            base_set(person, 2025, rng.randint(300000, 2500000))
    flexible = person_make(zhangwan)
    relations_make(flexible, None, agency=zhangwan, schemes=["pension"])
    base_set(flexible, 2025, 1000000, schemes=("pension",))

    run = run_assessment(system, agency("420300"), chunk_rows=20)

    # Only this test's register: the demo data of the test database may grow.
    ours = AssessmentLine.objects.filter(run=run).filter(
        Q(employer__in=employers) | Q(person=flexible)
    )
    totals = ours.aggregate(
        lines=Count("id"),
        base=Sum("base_fen"),
        employer=Sum("employer_fen"),
        individual=Sum("individual_fen"),
        credit=Sum("account_credit_fen"),
    )
    bills = Bill.objects.filter(run=run).filter(Q(employer__in=employers) | Q(person=flexible))
    assert sum(b.total_fen for b in bills) == totals["employer"] + totals["individual"]
    assert totals == GOLDEN_TOTALS
