"""``manage.py pension_payroll --period 202611 --agency 420300 [--resume RUN_ID]``: the monthly
pension payroll (待遇发放) from the command line, with a progress bar and the totals at the end;
the bank files are written when the run finishes (``export_payroll_files`` saves them)."""

from __future__ import annotations

from typing import Any

from shebao.benefits.payroll import KIND
from shebao.benefits.services.payroll import payroll_run_create, payroll_run_execute
from shebao.core.actors import Actor
from shebao.core.batch import Progress
from shebao.core.batch_command import AgencyMonthCommand
from shebao.core.models import Agency, BatchRun
from shebao.core.money import format_yuan


class Command(AgencyMonthCommand):
    help = (
        "Run the pension payroll of a month for an agency and its subordinate agencies, or "
        "resume a stopped run; prints the totals. Exit code 1 on a refusal."
    )
    kind = KIND
    name = "pension_payroll"
    run_label = "payroll"
    rows_label = "lines"

    def create_month_run(
        self, actor: Actor, period: int, agency: Agency, options: dict[str, Any]
    ) -> BatchRun:
        return payroll_run_create(actor=actor, period=period, agency=agency)

    def execute_run(self, run: BatchRun, actor: Actor, progress: Progress) -> BatchRun:
        return payroll_run_execute(run, actor=actor, progress=progress)

    def totals_line(self, run: BatchRun) -> str:
        totals = run.totals
        yuan = {
            key: format_yuan(int(totals.get(key, 0)))
            for key in ("regular_fen", "back_pay_fen", "total_fen", "overpaid_fen", "benefit_fen")
        }
        return (
            f"run #{run.pk} {run.status}: {run.rows} lines for {totals.get('persons', 0)} "
            f"retirees; regular {yuan['regular_fen']} yuan, back pay {yuan['back_pay_fen']} "
            f"yuan, total {yuan['total_fen']} yuan (overpaid, to recover: "
            f"{yuan['overpaid_fen']} yuan); other benefits {totals.get('benefit_lines', 0)} "
            f"lines, {yuan['benefit_fen']} yuan"
        )
