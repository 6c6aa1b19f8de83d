"""A payment the bank returned: the pension is suspended, a corrected account (SBBC003,
approved by a second person) resumes it, and the returned month is paid once, by a re-issue or
by the next payroll, never by both."""

from __future__ import annotations

import pytest

from shebao.benefits.bankfiles import return_file_bytes
from shebao.benefits.models import (
    LineKind,
    LineStatus,
    PayrollFile,
    PayrollLine,
    Pension,
    PensionStatus,
    SuspensionReason,
)
from shebao.benefits.services.payroll import (
    payroll_reissue,
    payroll_return_import,
    payroll_run_create,
    payroll_run_execute,
    pension_bank_change_request,
)
from shebao.benefits.tests.payroll_support import pension_make
from shebao.core.errors import RuleViolation
from shebao.core.models import AuditEntry
from shebao.services.models import CaseStatus
from shebao.services.services import case_transition

NEW_BANK, NEW_ACCOUNT = "中国建设银行十堰分行", "6217000000001234567"


@pytest.fixture
def maojian(agency):
    return agency("420302")


def pay(system, agency, period):
    run = payroll_run_create(actor=system, period=period, agency=agency)
    return payroll_run_execute(run, actor=system)


def returned(system, run, pension, reason="账户已冻结"):
    """The bank's return for ``run``: the pension's lines failed, every other line paid."""
    rows = [
        (line.pk, "F" if line.pension_id == pension.pk else "S", reason)
        for line in PayrollLine.objects.filter(run_id=run.pk).order_by("id")
    ]
    payroll_return_import(
        actor=system, run=run, file_name=f"return-{run.pk}.csv", content=return_file_bytes(rows)
    )


def change_account(actor_of, pension):
    clerk, reviewer = actor_of("clerk_maojian"), actor_of("reviewer_maojian")
    case = pension_bank_change_request(
        actor=clerk, pension=pension, bank_name=NEW_BANK, bank_account=NEW_ACCOUNT
    )
    case = case_transition(actor=clerk, case=case, action="send_for_review")
    case = case_transition(actor=reviewer, case=case, action="approve")
    assert case.status == CaseStatus.APPROVED
    return case


def lines_of(pension, run):
    rows = PayrollLine.objects.filter(pension_id=pension.pk, run_id=run.pk).order_by("period", "id")
    return [(line.period, line.kind, line.amount_fen, line.bank_account) for line in rows]


def test_corrected_account_reissue_then_next_payroll_pays_nothing_twice(system, actor_of, maojian):
    pension = pension_make(maojian, monthly_fen=320000, settled_through=202610)
    old_account = pension.bank_account
    first_run = pay(system, maojian, 202611)
    returned(system, first_run, pension)
    pension.refresh_from_db()
    assert (pension.status, pension.suspension_reason, pension.suspended_from) == (
        PensionStatus.SUSPENDED,
        SuspensionReason.BANK,
        202611,
    )

    case = change_account(actor_of, pension)

    pension.refresh_from_db()
    assert (pension.status, pension.suspension_reason, pension.suspended_from) == (
        PensionStatus.ACTIVE,
        "",
        None,
    )
    assert (pension.bank_name, pension.bank_account, pension.recheck_from) == (
        NEW_BANK,
        NEW_ACCOUNT,
        202611,
    )
    entry = AuditEntry.objects.get(action="pension.bank_change", target_id=str(pension.pk))
    assert entry.before is not None
    assert entry.after is not None
    assert entry.before["bank_account"] == old_account  # full in the audit log
    assert entry.after["bank_account"] == NEW_ACCOUNT
    assert entry.after["case"] == case.receipt_no

    [reissue_file] = payroll_reissue(actor=system, run=first_run)

    failed = PayrollLine.objects.get(run_id=first_run.pk, pension_id=pension.pk, kind="regular")
    reissue = PayrollLine.objects.get(reissue_of=failed)
    assert (reissue.kind, reissue.period, reissue.amount_fen, reissue.bank_account) == (
        LineKind.REISSUE,
        202611,
        320000,
        NEW_ACCOUNT,
    )
    assert (reissue_file.kind, reissue_file.bank_name, reissue_file.line_count) == (
        LineKind.REISSUE,
        NEW_BANK,
        1,
    )
    assert reissue.file_id == reissue_file.pk
    first_run.refresh_from_db()
    assert (first_run.totals["reissue_lines"], first_run.totals["reissue_fen"]) == (1, 320000)
    assert payroll_reissue(actor=system, run=first_run) == []  # once

    second_run = pay(system, maojian, 202612)

    assert lines_of(pension, second_run) == [(202612, LineKind.REGULAR, 320000, NEW_ACCOUNT)]
    pension.refresh_from_db()
    assert pension.recheck_from is None


def test_without_a_reissue_the_next_payroll_pays_the_suspended_months(system, actor_of, maojian):
    pension = pension_make(maojian, monthly_fen=320000, settled_through=202610)
    first_run = pay(system, maojian, 202611)
    returned(system, first_run, pension)
    second_run = pay(system, maojian, 202612)  # suspended: nothing for the month
    assert lines_of(pension, second_run) == []

    change_account(actor_of, pension)
    third_run = pay(system, maojian, 202701)

    assert lines_of(pension, third_run) == [
        (202611, LineKind.BACK_PAY, 320000, NEW_ACCOUNT),
        (202612, LineKind.BACK_PAY, 320000, NEW_ACCOUNT),
        (202701, LineKind.REGULAR, 320000, NEW_ACCOUNT),
    ]
    # The returned month is paid now: a late re-issue of its returned line pays nothing.
    assert payroll_reissue(actor=system, run=first_run) == []
    assert not PayrollLine.objects.filter(kind=LineKind.REISSUE, pension_id=pension.pk).exists()


def test_a_returned_line_is_not_reissued_to_the_same_account(system, maojian):
    pension = pension_make(maojian, settled_through=202610)
    first_run = pay(system, maojian, 202611)
    returned(system, first_run, pension)
    Pension.objects.filter(pk=pension.pk).update(status=PensionStatus.ACTIVE)

    assert payroll_reissue(actor=system, run=first_run) == []
    assert not PayrollFile.objects.filter(run=first_run, kind=LineKind.REISSUE).exists()
    assert PayrollLine.objects.get(run_id=first_run.pk, pension_id=pension.pk).status == (
        LineStatus.FAILED
    )


def test_a_bank_change_request_is_checked(actor_of, maojian):
    pension = pension_make(maojian, settled_through=202610)
    clerk = actor_of("clerk_maojian")
    for bank, account, code in (
        ("", NEW_ACCOUNT, "PAYROLL-BANK-ACCOUNT"),
        (NEW_BANK, "12AB", "PAYROLL-BANK-ACCOUNT"),
        (pension.bank_name, pension.bank_account, "PAYROLL-BANK-UNCHANGED"),
    ):
        with pytest.raises(RuleViolation) as refused:
            pension_bank_change_request(
                actor=clerk, pension=pension, bank_name=bank, bank_account=account
            )
        assert refused.value.code == code
    pension_bank_change_request(
        actor=clerk, pension=pension, bank_name=NEW_BANK, bank_account=NEW_ACCOUNT
    )
    with pytest.raises(RuleViolation) as twice:
        pension_bank_change_request(
            actor=clerk, pension=pension, bank_name=NEW_BANK, bank_account="6217000000009999"
        )
    assert twice.value.code == "PAYROLL-BANK-OPEN-REQUEST"
    pension.refresh_from_db()
    assert pension.bank_account != NEW_ACCOUNT  # nothing changes before the approval


def test_the_resumption_notice_of_a_corrected_account_prints(system, actor_of, maojian, login):
    pension = pension_make(maojian, settled_through=202610)
    returned(system, pay(system, maojian, 202611), pension)
    case = change_account(actor_of, pension)
    notice = pension.notices.get(kind="resumption")
    page = login("clerk_maojian").get(f"/benefits/notices/{notice.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert case.receipt_no in text
    assert "202611" in text
