"""Two workers on the same payroll run at once (PostgreSQL): each chunk is done once, each
pension paid once, the run finished once with its files."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections  # noqa: F401 - connection: the skipif
from django.db.models import Count, Sum

from shebao.benefits.models import LineKind, PayrollFile, PayrollLine
from shebao.benefits.services.payroll import payroll_run_create, payroll_run_execute
from shebao.benefits.tests.payroll_support import pension_make
from shebao.core.actors import system_actor
from shebao.core.demo import seed_all_apps
from shebao.core.errors import RuleViolation
from shebao.core.models import Agency, BatchRun, BatchStatus

pytestmark = [
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'",
        reason="row locks between two connections are PostgreSQL's; SQLite has one writer",
    ),
    pytest.mark.django_db(transaction=True),
]


def at_once(*calls: Callable[[], object]) -> list[BaseException]:
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            call()
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_two_workers_on_one_run_pay_each_pension_once():
    seed_all_apps(bulk=False)
    system = system_actor("tests")
    maojian = Agency.objects.get(code="420302")
    pensions = [
        pension_make(maojian, monthly_fen=300000 + n, settled_through=202610) for n in range(12)
    ]
    run = payroll_run_create(actor=system, period=202611, agency=maojian, chunk_pensions=2)

    def worker() -> None:
        payroll_run_execute(BatchRun.objects.select_related("agency").get(pk=run.pk), actor=system)

    errors = at_once(worker, worker)

    # The second worker may find the run done at its very end: that refusal is the only error.
    assert all(isinstance(e, RuleViolation) and e.code == "BATCH-ALREADY-DONE" for e in errors)
    run.refresh_from_db()
    assert run.status == BatchStatus.DONE
    assert run.chunks_done == run.chunks_total
    every_line = PayrollLine.objects.filter(run_id=run.pk)
    # The pensions' lines; the demo's other benefits are paid in the same run.
    lines = every_line.filter(pension__isnull=False)
    per_pension = lines.values("pension_id").annotate(n=Count("id")).order_by()
    assert all(row["n"] == 1 for row in per_pension)
    assert {row["pension_id"] for row in per_pension} >= {p.pk for p in pensions}
    assert run.totals["lines"] == lines.count() == lines.filter(kind=LineKind.REGULAR).count()
    assert run.totals["total_fen"] == lines.aggregate(s=Sum("amount_fen"))["s"]
    per_benefit = (
        every_line.filter(benefit__isnull=False)
        .values("benefit_id", "period")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert all(row["n"] == 1 for row in per_benefit)
    assert run.rows == every_line.count()
    files = PayrollFile.objects.filter(run=run)
    assert sum(f.line_count for f in files) == run.rows
    assert not every_line.filter(file__isnull=True).exists()
