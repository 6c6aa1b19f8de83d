"""``manage.py assess``: creates or resumes a run, prints its totals, exits 1 on a refusal."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shebao.contributions.models import AssessmentLine, Bill
from shebao.contributions.services.assessments import assessment_run_create
from shebao.contributions.tests.factories import employer_make, person_make, relations_make
from shebao.core.batch import batch_run_execute
from shebao.core.models import BatchRun, BatchStatus
from shebao.core.money import format_yuan


def assess(**options) -> str:
    out = io.StringIO()
    call_command("assess", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def maojian(agency):
    area = agency("420302")
    for _ in range(3):
        employer = employer_make(area)
        relations_make(person_make(area), employer, agency=area)
    return area


def test_assess_creates_and_executes_a_run_and_prints_its_totals(maojian):
    output = assess(period="2025-10", agency="420302")
    run = BatchRun.objects.latest("id")
    assert (run.period, run.agency, run.status) == (202510, maojian, BatchStatus.DONE)
    assert run.actor_label == "system:assess"
    lines = AssessmentLine.objects.filter(run=run).count()
    bills = Bill.objects.filter(run=run)
    total_fen = sum(bill.total_fen for bill in bills)
    assert f"{lines} lines, {bills.count()} bills" in output
    assert f"total {format_yuan(total_fen)} yuan" in output
    assert f"employer {format_yuan(run.totals['employer_fen'])} yuan" in output
    assert f"individual {format_yuan(run.totals['individual_fen'])} yuan" in output


def test_assess_resumes_a_stopped_run_where_it_stopped(maojian, system):
    run = assessment_run_create(actor=system, period=202510, agency=maojian, chunk_rows=3)
    assert run.chunks_total >= 3

    def killed_at_second_chunk(seq: int) -> None:
        if seq == 2:
            raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError):
        batch_run_execute(run, actor=system, chunk_hook=killed_at_second_chunk)
    run.refresh_from_db()
    assert (run.status, run.chunks_done) == (BatchStatus.FAILED, 1)
    lines_before = AssessmentLine.objects.filter(run=run).count()
    runs = BatchRun.objects.count()
    output = assess(resume=run.pk)
    run.refresh_from_db()
    assert run.status == BatchStatus.DONE
    assert run.chunks_done == run.chunks_total
    lines = AssessmentLine.objects.filter(run=run).count()
    assert lines > lines_before
    assert run.rows == lines
    assert f"run #{run.pk} done: {lines} lines" in output
    assert BatchRun.objects.count() == runs  # resumed, not started again


def test_assess_refuses_a_second_open_run_with_exit_code_1(maojian, system):
    open_run = assessment_run_create(actor=system, period=202510, agency=maojian)
    with pytest.raises(CommandError) as err:
        assess(period="202510", agency="420300")
    assert err.value.returncode == 1
    assert str(err.value).startswith("ASSESS-RUN-OPEN: ")
    assert f"#{open_run.pk}" in str(err.value)
    assert BatchRun.objects.filter(period=202510).count() == 1


def test_assess_refuses_a_bad_period_and_a_finished_run(maojian):
    with pytest.raises(CommandError) as err:
        assess(period="2025-13", agency="420302")
    assert (err.value.returncode, str(err.value)[:14]) == (1, "PERIOD-FORMAT:")
    assess(period="202510", agency="420302")
    done = BatchRun.objects.latest("id")
    with pytest.raises(CommandError) as err:
        assess(resume=done.pk)
    assert str(err.value).startswith("BATCH-ALREADY-DONE: ")


def test_assess_needs_a_period_and_an_agency_or_a_run(maojian):
    with pytest.raises(CommandError, match="--period and --agency"):
        assess(period="202510")
    with pytest.raises(CommandError, match="no agency 999999"):
        assess(period="202510", agency="999999")
    with pytest.raises(CommandError, match="no assessment run #987654"):
        assess(resume=987654)
