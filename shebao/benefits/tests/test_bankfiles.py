"""Bank payment files (their bytes, sha256 and download) and the import of the bank's return:
every malformed file refused whole, nothing written."""

from __future__ import annotations

import hashlib

import pytest

from shebao.benefits.bankfiles import PAYMENT_HEADER, return_file_bytes, return_rows_read
from shebao.benefits.models import (
    LineStatus,
    PayrollFile,
    PayrollLine,
    PayrollReturn,
    Pension,
    PensionStatus,
    SuspensionReason,
)
from shebao.benefits.services.payroll import (
    payroll_file_download,
    payroll_return_import,
    payroll_run_create,
    payroll_run_execute,
)
from shebao.benefits.tests.payroll_support import pension_make
from shebao.core.errors import RuleViolation
from shebao.core.models import AuditEntry


def file_of(line: PayrollLine) -> PayrollFile:
    assert line.file is not None
    return line.file


@pytest.fixture
def maojian(agency):
    return agency("420302")


@pytest.fixture
def paid_run(system, maojian):
    """A 202611 run for three retirees of two banks, one with back pay (first paid 202610)."""
    pensions = [
        pension_make(maojian, monthly_fen=312345, settled_through=202610),
        pension_make(maojian, monthly_fen=298000, settled_through=202610, bank_name="中国农业银行"),
        pension_make(maojian, monthly_fen=250050, retirement_month=202609),
    ]
    run = payroll_run_create(actor=system, period=202611, agency=maojian)
    run = payroll_run_execute(run, actor=system)
    return run, pensions


def test_a_payment_file_is_the_documented_csv_of_its_lines(system, paid_run):
    run, pensions = paid_run
    line = PayrollLine.objects.get(run_id=run.pk, pension_id=pensions[1].pk)
    payroll_file = file_of(line)
    person = pensions[1].person

    content = payroll_file_download(actor=system, payroll_file=payroll_file)

    rows = content.decode("utf-8").splitlines()
    assert rows[0] == ",".join(PAYMENT_HEADER)
    expected = (
        f"{line.pk},202611,{person.resident_id},{person.name},中国农业银行,"
        f"{pensions[1].bank_account},2980.00,regular"
    )
    assert expected in rows
    assert len(rows) - 1 == payroll_file.line_count
    references = [int(row.split(",")[0]) for row in rows[1:]]
    assert references == sorted(references)  # in line order
    assert hashlib.sha256(content).hexdigest() == payroll_file.sha256
    total = sum(
        PayrollLine.objects.filter(file_id=payroll_file.pk).values_list("amount_fen", flat=True)
    )
    assert payroll_file.total_fen == total
    assert AuditEntry.objects.filter(
        action="payroll.file.download", target_id=str(payroll_file.pk)
    ).exists()
    # Back pay travels in the same file as the month's line, one row a month.
    back = PayrollLine.objects.filter(run_id=run.pk, pension_id=pensions[2].pk, kind="back_pay")
    assert sorted(back.values_list("period", flat=True)) == [202610]


def test_a_file_whose_lines_changed_is_not_downloaded(system, paid_run):
    run, pensions = paid_run
    line = PayrollLine.objects.get(run_id=run.pk, pension_id=pensions[0].pk)
    PayrollLine.objects.filter(pk=line.pk).update(amount_fen=line.amount_fen + 1)
    with pytest.raises(RuleViolation) as refused:
        payroll_file_download(actor=system, payroll_file=file_of(line))
    assert refused.value.code == "PAYROLL-FILE-CHANGED"


def test_a_return_marks_lines_paid_or_failed_and_suspends_for_the_bank(system, paid_run):
    run, pensions = paid_run
    lines = list(PayrollLine.objects.filter(run_id=run.pk).order_by("id"))
    ours = {pensions[2].pk}
    rows = [
        (
            line.pk,
            "F" if line.pension_id in ours else "S",
            "账户已销户" if line.pension_id in ours else "",
        )
        for line in lines
    ]

    imported = payroll_return_import(
        actor=system, run=run, file_name="return.csv", content=return_file_bytes(rows)
    )

    failed = [line for line in lines if line.pension_id in ours]
    assert (imported.rows, imported.paid, imported.failed) == (len(lines), len(lines) - 2, 2)
    assert imported.failed_fen == sum(line.amount_fen for line in failed)
    statuses = dict(PayrollLine.objects.filter(run_id=run.pk).values_list("id", "status"))
    assert all(statuses[line.pk] == LineStatus.FAILED for line in failed)
    assert sum(1 for s in statuses.values() if s == LineStatus.PAID) == len(lines) - 2
    assert PayrollLine.objects.get(pk=failed[0].pk).failure_reason == "账户已销户"
    pension = Pension.objects.get(pk=pensions[2].pk)
    assert (pension.status, pension.suspension_reason, pension.suspended_from) == (
        PensionStatus.SUSPENDED,
        SuspensionReason.BANK,
        202610,  # the earliest returned month: the back pay of 202610
    )
    assert pension.recheck_from == 202610
    assert Pension.objects.get(pk=pensions[0].pk).status == PensionStatus.ACTIVE


def _refusals(run, other_line_id):
    first = PayrollLine.objects.filter(run_id=run.pk).order_by("id").first()
    assert first is not None
    ok = (first.pk, "S", "")
    return [
        ("PAYROLL-RETURN-ENCODING", "reference,result,reason\n1,S,\xff".encode("latin-1")),
        ("PAYROLL-RETURN-HEADER", b"ref,result,reason\n1,S,\n"),
        ("PAYROLL-RETURN-ROW", f"reference,result,reason\n{first.pk},S\n".encode()),
        ("PAYROLL-RETURN-ROW", b"reference,result,reason\nabc,S,\n"),
        ("PAYROLL-RETURN-RESULT", return_file_bytes([ok, (first.pk + 0, "X", "")])),
        ("PAYROLL-RETURN-EMPTY", b"reference,result,reason\n"),
        ("PAYROLL-RETURN-DUPLICATE-ROW", return_file_bytes([ok, ok])),
        ("PAYROLL-RETURN-UNKNOWN", return_file_bytes([ok, (10**12, "S", "")])),
        ("PAYROLL-RETURN-OTHER-RUN", return_file_bytes([ok, (other_line_id, "F", "x")])),
    ]


def test_a_malformed_return_is_refused_whole_with_its_rule_code(system, maojian, paid_run):
    run, _pensions = paid_run
    other = pension_make(maojian, settled_through=202611)
    other_run = payroll_run_execute(
        payroll_run_create(actor=system, period=202612, agency=maojian), actor=system
    )
    other_line = PayrollLine.objects.get(run_id=other_run.pk, pension_id=other.pk)
    before = list(PayrollLine.objects.order_by("id").values_list("id", "status", "failure_reason"))
    pensions_before = list(Pension.objects.order_by("id").values_list("id", "status"))

    for code, content in _refusals(run, other_line.pk):
        with pytest.raises(RuleViolation) as refused:
            payroll_return_import(actor=system, run=run, file_name="bad.csv", content=content)
        assert refused.value.code == code

    assert not PayrollReturn.objects.filter(run=run).exists()
    assert (
        list(PayrollLine.objects.order_by("id").values_list("id", "status", "failure_reason"))
        == before
    )
    assert list(Pension.objects.order_by("id").values_list("id", "status")) == pensions_before


def test_the_same_return_twice_is_refused_and_a_settled_line_does_not_change(system, paid_run):
    run, _pensions = paid_run
    first = PayrollLine.objects.filter(run_id=run.pk).order_by("id").first()
    assert first is not None
    content = return_file_bytes([(first.pk, "S", "")])
    payroll_return_import(actor=system, run=run, file_name="r1.csv", content=content)

    with pytest.raises(RuleViolation) as twice:
        payroll_return_import(actor=system, run=run, file_name="r1-again.csv", content=content)
    assert twice.value.code == "PAYROLL-RETURN-DUPLICATE-FILE"
    with pytest.raises(RuleViolation) as changed:
        payroll_return_import(
            actor=system,
            run=run,
            file_name="r2.csv",
            content=return_file_bytes([(first.pk, "F", "late")]),
        )
    assert changed.value.code == "PAYROLL-RETURN-SETTLED"
    assert PayrollReturn.objects.filter(run=run).count() == 1
    assert PayrollLine.objects.get(pk=first.pk).status == LineStatus.PAID


def test_a_return_for_a_run_not_finished_is_refused(system, maojian):
    pension_make(maojian, settled_through=202610)
    run = payroll_run_create(actor=system, period=202611, agency=maojian)
    with pytest.raises(RuleViolation) as refused:
        payroll_return_import(
            actor=system, run=run, file_name="r.csv", content=return_file_bytes([(1, "S", "")])
        )
    assert refused.value.code == "PAYROLL-RUN-NOT-DONE"


def test_a_return_file_with_a_byte_order_mark_and_blank_lines_reads():
    rows = return_rows_read(
        "\ufeffreference,result,reason\r\n12,F,户名不符\r\n\r\n13,S,\r\n".encode()
    )
    assert [(r.row, r.reference, r.result, r.reason) for r in rows] == [
        (2, 12, "F", "户名不符"),
        (4, 13, "S", ""),
    ]
