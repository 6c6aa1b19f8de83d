"""Demo payrolls: Shiyan (420300) pays its retirees for September and October 2026 (the city
systems paid them through August), the bank returns two October payments, one retiree's account
is corrected through a case (clerk, then reviewer) and the returned payment re-issued. November
is left for the fund officer to run in ``make run``.

Deterministic and idempotent: each step looks for what it would make before making it.
"""

from __future__ import annotations

from shebao.benefits.bankfiles import return_file_bytes
from shebao.benefits.models import (
    LineKind,
    PayrollFile,
    PayrollLine,
    PayrollReturn,
    Pension,
    PensionStatus,
    SuspensionReason,
)
from shebao.benefits.payroll import KIND
from shebao.benefits.services.payroll import (
    ITEM_BANK_CHANGE,
    payroll_reissue,
    payroll_return_import,
    payroll_run_create,
    payroll_run_execute,
    pension_bank_change_request,
)
from shebao.core.actors import Actor, staff_actor
from shebao.core.models import Agency, BatchRun, BatchStatus
from shebao.services.models import Case, CaseStatus
from shebao.services.services import case_transition

PERIODS = (202609, 202610)
CITY = "420300"
DISTRICT = "420302"  # the returned payments are Maojian's, so its clerk and reviewer correct one
RETURN_REASONS = ("账户已销户", "户名与账号不符")  # account closed; name does not match
CORRECTED = ("中国建设银行十堰分行", "6217002870098765432")


def seed_demo() -> None:
    fund = staff_actor("fund_shiyan")
    city = Agency.objects.get(code=CITY)
    runs = [_payroll(fund, city, period) for period in PERIODS]
    october = runs[-1]
    failed = _bank_return(fund, october)
    if failed:
        _correct_and_reissue(fund, october, failed[0])


def _payroll(fund: Actor, city: Agency, period: int) -> BatchRun:
    run = BatchRun.objects.filter(kind=KIND, period=period, agency=city).order_by("pk").first()
    if run is None:
        run = payroll_run_create(actor=fund, period=period, agency=city)
    if run.status != BatchStatus.DONE:
        run = payroll_run_execute(run, actor=fund)
    return run


def _bank_return(fund: Actor, run: BatchRun) -> list[Pension]:
    """The bank's answer for the run: every payment made but two of Maojian's retirees'."""
    lines = list(
        PayrollLine.objects.filter(run_id=run.pk, kind__in=[LineKind.REGULAR, LineKind.BACK_PAY])
        .order_by("pk")
        .values_list("pk", "pension_id", "agency__code")
    )
    returned_pensions = sorted(
        {pid for _pk, pid, code in lines if code == DISTRICT and pid is not None}
    )[:2]
    if not PayrollReturn.objects.filter(run=run).exists() and lines:
        reasons = dict(zip(returned_pensions, RETURN_REASONS, strict=False))
        rows = [
            (pk, "F", reasons[pid]) if pid in reasons else (pk, "S", "") for pk, pid, _code in lines
        ]
        payroll_return_import(
            actor=fund,
            run=run,
            file_name=f"bank-return-{run.period}.csv",
            content=return_file_bytes(rows),
        )
    return list(Pension.objects.filter(pk__in=returned_pensions).order_by("pk"))


def _correct_and_reissue(fund: Actor, run: BatchRun, pension: Pension) -> None:
    """The retiree brings a new bank card: the clerk opens the case, the reviewer approves it,
    and the fund officer re-issues the returned payment to the new account."""
    if PayrollFile.objects.filter(run=run, kind=LineKind.REISSUE).exists():
        return
    if pension.status == PensionStatus.SUSPENDED and pension.suspension_reason == (
        SuspensionReason.BANK
    ):
        case = (
            Case.objects.filter(item__code=ITEM_BANK_CHANGE, applicant_person_id=pension.person_id)
            .order_by("pk")
            .first()
        )
        clerk = staff_actor("clerk_maojian")
        if case is None:
            case = pension_bank_change_request(
                actor=clerk, pension=pension, bank_name=CORRECTED[0], bank_account=CORRECTED[1]
            )
        if case.status == CaseStatus.ACCEPTED:
            case = case_transition(actor=clerk, case=case, action="send_for_review")
        if case.status == CaseStatus.IN_REVIEW:
            case_transition(actor=staff_actor("reviewer_maojian"), case=case, action="approve")
    payroll_reissue(actor=fund, run=run)
