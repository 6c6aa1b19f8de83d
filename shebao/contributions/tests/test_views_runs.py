"""Batch-run pages: starting a monthly assessment, following its progress, resuming it."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from shebao.contributions import tasks
from shebao.contributions.models import AssessmentLine, Bill
from shebao.contributions.services.assessments import (
    assessment_run_create,
    assessment_run_execute,
)
from shebao.contributions.tests.factories import employer_make, person_make, relations_make
from shebao.core.batch import batch_run_execute
from shebao.core.models import BatchRun, BatchStatus
from shebao.core.money import format_yuan

RUNS = "/collection/runs/"


@pytest.fixture(autouse=True)
def _inline_batches(settings):
    settings.SHEBAO_BATCH_INLINE = True


def staffed_employer(agency, persons: int = 2):
    employer = employer_make(agency)
    for _ in range(persons):
        relations_make(person_make(agency), employer, agency=agency)
    return employer


def failing_at(seq: int):
    def hook(current: int) -> None:
        if current == seq:
            raise RuntimeError("worker killed")

    return hook


def test_fund_officer_starts_an_assessment_and_sees_its_bills(login, agency):
    maojian = agency("420302")
    employer = staffed_employer(maojian, persons=2)
    client = login("fund_shiyan")
    response = client.post(RUNS, {"period": "2025-10", "agency": "420302"})
    run = BatchRun.objects.latest("id")
    assert response.status_code == 302
    assert response["Location"] == f"{RUNS}{run.pk}/"
    assert (run.period, run.agency, run.status) == (202510, maojian, BatchStatus.DONE)
    assert run.actor_label == "fund_shiyan"
    bill = Bill.objects.get(run=run, employer=employer)
    assert AssessmentLine.objects.filter(run=run, employer=employer).count() == 6
    page = client.get(f"{RUNS}{run.pk}/").content.decode()
    assert bill.number in page
    assert format_yuan(bill.total_fen) in page
    assert format_yuan(run.totals["total_fen"]) in page
    listing = client.get(RUNS).content.decode()
    assert f"{RUNS}{run.pk}/" in listing
    assert format_yuan(run.totals["total_fen"]) in listing


def test_run_page_shows_the_frozen_parameters(login, agency, system):
    run = assessment_run_create(actor=system, period=202510, agency=agency("420302"))
    body = login("fund_shiyan").get(f"{RUNS}{run.pk}/").content.decode()
    parameters = run.params["rates"]["parameters"]
    assert parameters
    for parameter in parameters:
        assert parameter["key"] in body
    floor = next(p for p in parameters if p["key"] == "contribution.base.floor")
    assert floor["reference"] in body


def test_period_accepts_yyyymm_and_a_bad_period_is_refused_without_a_run(login, agency):
    client = login("fund_shiyan")
    runs = BatchRun.objects.count()
    response = client.post(RUNS, {"period": "2025-13", "agency": "420302"})
    assert response.status_code == 200
    assert "PERIOD-FORMAT" in response.content.decode()
    assert BatchRun.objects.count() == runs
    assert client.post(RUNS, {"period": "202510", "agency": "420302"}).status_code == 302
    assert BatchRun.objects.latest("id").period == 202510


def test_agency_outside_the_subtree_cannot_be_chosen(login):
    response = login("fund_shiyan").post(RUNS, {"period": "202510", "agency": "420100"})
    assert response.status_code == 200
    assert response.context["form"].errors["agency"]
    assert not BatchRun.objects.filter(agency__code="420100").exists()


def test_clerk_without_run_batch_cannot_see_or_start_runs(login):
    client = login("clerk_maojian")
    runs = BatchRun.objects.count()
    assert client.get(RUNS).status_code == 403
    assert client.post(RUNS, {"period": "202510", "agency": "420302"}).status_code == 403
    assert BatchRun.objects.count() == runs


def test_agency_head_follows_runs_but_cannot_start_one(login, agency, system):
    run = assessment_run_create(actor=system, period=202510, agency=agency("420302"))
    client = login("head_maojian")
    listing = client.get(RUNS)
    assert listing.status_code == 200
    assert 'data-testid="assessment-start"' not in listing.content.decode()
    assert client.get(f"{RUNS}{run.pk}/").status_code == 200
    assert client.post(RUNS, {"period": "202511", "agency": "420302"}).status_code == 403
    assert not BatchRun.objects.filter(period=202511).exists()


def test_run_of_another_city_is_not_found(login, agency, system):
    wuhan = assessment_run_create(actor=system, period=202510, agency=agency("420100"))
    client = login("fund_shiyan")
    assert client.get(f"{RUNS}{wuhan.pk}/").status_code == 404
    assert client.get(f"{RUNS}{wuhan.pk}/progress/").status_code == 404
    assert client.post(f"{RUNS}{wuhan.pk}/resume/").status_code == 404
    assert f"{RUNS}{wuhan.pk}/" not in client.get(RUNS).content.decode()
    assert BatchRun.objects.get(pk=wuhan.pk).status == BatchStatus.PENDING


def test_a_second_open_run_of_the_period_is_refused_with_its_rule_code(login, agency, system):
    open_run = assessment_run_create(actor=system, period=202510, agency=agency("420302"))
    response = login("fund_shiyan").post(RUNS, {"period": "202510", "agency": "420300"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "ASSESS-RUN-OPEN" in body
    assert f"#{open_run.pk}" in body
    assert BatchRun.objects.filter(period=202510).count() == 1


def test_progress_fragment_polls_while_the_run_goes_and_stops_when_done(login, agency, system):
    staffed_employer(agency("420302"))
    run = assessment_run_create(actor=system, period=202510, agency=agency("420302"))
    client = login("fund_shiyan")
    pending = client.get(f"{RUNS}{run.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in pending
    assert 'data-status="pending"' in pending
    assert 'style="width: 0%"' in pending
    assessment_run_execute(run, actor=system)
    done = client.get(f"{RUNS}{run.pk}/progress/", {"live": "1"})
    body = done.content.decode()
    assert "hx-trigger" not in body
    assert "100%" in body
    assert done["HX-Refresh"] == "true"  # the page reloads once to show the bills
    assert "HX-Refresh" not in client.get(f"{RUNS}{run.pk}/progress/")


def test_failed_run_shows_its_error_and_resumes_from_the_page(login, agency, system):
    maojian = agency("420302")
    for _ in range(3):
        staffed_employer(maojian, persons=1)
    run = assessment_run_create(actor=system, period=202510, agency=maojian, chunk_rows=3)
    assert run.chunks_total >= 3
    with pytest.raises(RuntimeError):
        batch_run_execute(run, actor=system, chunk_hook=failing_at(2))
    client = login("fund_shiyan")
    page = client.get(f"{RUNS}{run.pk}/").content.decode()
    assert "worker killed" in page
    assert 'data-testid="run-resume"' in page
    response = client.post(f"{RUNS}{run.pk}/resume/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == BatchStatus.DONE
    assert run.chunks_done == run.chunks_total
    assert run.rows == AssessmentLine.objects.filter(run=run).count()
    assert 'data-testid="run-resume"' not in client.get(f"{RUNS}{run.pk}/").content.decode()


def test_a_running_run_is_offered_for_resuming_only_once_stalled(login, agency, system):
    run = assessment_run_create(actor=system, period=202510, agency=agency("420302"))
    BatchRun.objects.filter(pk=run.pk).update(status=BatchStatus.RUNNING, started_at=timezone.now())
    client = login("fund_shiyan")
    assert 'data-testid="run-resume"' not in client.get(f"{RUNS}{run.pk}/").content.decode()
    client.post(f"{RUNS}{run.pk}/resume/")
    assert BatchRun.objects.get(pk=run.pk).status == BatchStatus.RUNNING  # not resumed
    stalled = timezone.now() - tasks.STALL_AFTER - timedelta(minutes=1)
    BatchRun.objects.filter(pk=run.pk).update(started_at=stalled)
    BatchRun.objects.filter(pk=run.pk).update(created_at=stalled)
    assert 'data-testid="run-resume"' in client.get(f"{RUNS}{run.pk}/").content.decode()
    client.post(f"{RUNS}{run.pk}/resume/")
    assert BatchRun.objects.get(pk=run.pk).status == BatchStatus.DONE


def test_run_list_query_count_does_not_grow_with_the_runs(
    login, agency, system, django_assert_max_num_queries
):
    client = login("fund_shiyan")
    for code in ("420302", "420303"):
        assessment_run_create(actor=system, period=202510, agency=agency(code))
    with django_assert_max_num_queries(12) as captured:
        client.get(RUNS)
    few = len(captured)
    for code in ("420302", "420303"):
        assessment_run_create(actor=system, period=202511, agency=agency(code))
    with django_assert_max_num_queries(few):
        client.get(RUNS)


def test_without_a_broker_the_run_executes_in_a_thread_after_commit(
    settings, agency, system, django_capture_on_commit_callbacks
):
    settings.SHEBAO_BATCH_INLINE = False
    settings.CELERY_BROKER_URL = ""
    run = assessment_run_create(actor=system, period=202510, agency=agency("420302"))
    started = []
    with mock.patch.object(tasks.threading.Thread, "start", lambda thread: started.append(thread)):
        with django_capture_on_commit_callbacks() as callbacks:
            assert tasks.assessment_run_dispatch(run, actor=system) == tasks.THREAD
        assert started == []  # not before the transaction that created the run commits
        for callback in callbacks:
            callback()
    assert [thread.name for thread in started] == [f"assessment-run-{run.pk}"]
    assert started[0].daemon


def test_with_a_broker_the_run_goes_to_celery_after_commit(
    settings, agency, system, django_capture_on_commit_callbacks
):
    settings.SHEBAO_BATCH_INLINE = False
    settings.CELERY_BROKER_URL = "amqp://broker.invalid//"
    run = assessment_run_create(actor=system, period=202510, agency=agency("420302"))
    with (
        mock.patch.object(tasks.assessment_run_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.assessment_run_dispatch(run, actor=system) == tasks.CELERY
    delay.assert_called_once_with(run.pk, None, "system", None, "tests")


def test_the_celery_task_executes_the_run_and_a_redelivery_changes_nothing(agency, system):
    staffed_employer(agency("420302"))
    run = assessment_run_create(actor=system, period=202510, agency=agency("420302"))
    rows = tasks.assessment_run_task.apply(args=(run.pk, None, "system", None, "tests")).get()
    run.refresh_from_db()
    assert run.status == BatchStatus.DONE
    assert rows == run.rows == AssessmentLine.objects.filter(run=run).count()
    again = tasks.assessment_run_task.apply(args=(run.pk, None, "system", None, "tests")).get()
    assert again == rows
    assert AssessmentLine.objects.filter(run=run).count() == rows


@pytest.mark.django_db(transaction=True)
def test_the_thread_executes_the_run_and_closes_its_connections(settings, demo, agency, system):
    settings.SHEBAO_BATCH_INLINE = False
    settings.CELERY_BROKER_URL = ""
    staffed_employer(agency("420302"))
    run = assessment_run_create(actor=system, period=202510, agency=agency("420302"))
    started = []
    real_start = tasks.threading.Thread.start

    def start(thread):
        started.append(thread)
        real_start(thread)

    with (
        mock.patch.object(tasks.threading.Thread, "start", start),
        mock.patch.object(tasks.connections, "close_all") as close_all,
    ):
        tasks.assessment_run_dispatch(run, actor=system)
        started[0].join(timeout=60)
    close_all.assert_called_once_with()
    run.refresh_from_db()
    assert run.status == BatchStatus.DONE
    assert run.rows == AssessmentLine.objects.filter(run=run).count() > 0
