"""``pension_payroll``, ``export_payroll_files`` and ``import_payroll_returns``: the monthly
cycle from the command line, refusals with exit code 1."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shebao.benefits.bankfiles import return_file_bytes
from shebao.benefits.models import LineStatus, PayrollFile, PayrollLine
from shebao.benefits.payroll import KIND
from shebao.benefits.services.payroll import payroll_run_create
from shebao.benefits.tests.payroll_support import pension_make
from shebao.core.batch import batch_run_execute
from shebao.core.models import BatchRun, BatchStatus
from shebao.core.money import format_yuan


def command(name: str, *args: object, **options: object) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def maojian(agency):
    area = agency("420302")
    for n in range(3):
        pension_make(area, monthly_fen=300000 + n, settled_through=202610)
    return area


def test_the_payroll_command_runs_a_month_and_prints_its_totals(maojian):
    output = command("pension_payroll", period="2026-11", agency="420302")
    run = BatchRun.objects.filter(kind=KIND).latest("id")
    assert (run.period, run.agency, run.status) == (202611, maojian, BatchStatus.DONE)
    assert run.actor_label == "system:pension_payroll"
    assert f"{run.rows} lines for {run.totals['persons']} retirees" in output
    assert f"total {format_yuan(run.totals['total_fen'])} yuan" in output
    assert PayrollFile.objects.filter(run=run).exists()

    with pytest.raises(CommandError) as again:
        command("pension_payroll", period="202611", agency="420302")
    assert again.value.returncode == 1
    assert str(again.value).startswith("PAYROLL-RUN-EXISTS: ")


def test_the_payroll_command_resumes_a_stopped_run(maojian, system):
    run = payroll_run_create(actor=system, period=202611, agency=maojian, chunk_pensions=1)

    def killed(seq: int) -> None:
        if seq == 2:
            raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError):
        batch_run_execute(run, actor=system, chunk_hook=killed)
    output = command("pension_payroll", resume=run.pk)
    run.refresh_from_db()
    assert run.status == BatchStatus.DONE
    assert run.rows == PayrollLine.objects.filter(run_id=run.pk).count()
    assert f"run #{run.pk} done" in output


def test_export_then_import_a_return(maojian, tmp_path):
    command("pension_payroll", period="202611", agency="420302")
    run = BatchRun.objects.filter(kind=KIND).latest("id")

    output = command("export_payroll_files", run.pk, str(tmp_path))

    files = sorted(tmp_path.iterdir())
    assert len(files) == PayrollFile.objects.filter(run=run).count()
    assert "sha256" in output
    references = [
        int(row.split(",")[0]) for f in files for row in f.read_text("utf-8").splitlines()[1:]
    ]
    assert sorted(references) == sorted(
        PayrollLine.objects.filter(run_id=run.pk).values_list("id", flat=True)
    )
    answer = tmp_path / "return.csv"
    answer.write_bytes(
        return_file_bytes(
            [(ref, "F" if i == 0 else "S", "户名不符") for i, ref in enumerate(references)]
        )
    )

    output = command("import_payroll_returns", run.pk, str(answer))

    assert f"{len(references)} rows, {len(references) - 1} paid, 1 returned" in output
    assert PayrollLine.objects.get(pk=references[0]).status == LineStatus.FAILED
    with pytest.raises(CommandError) as twice:
        command("import_payroll_returns", run.pk, str(answer))
    assert str(twice.value).startswith("PAYROLL-RETURN-DUPLICATE-FILE: ")
