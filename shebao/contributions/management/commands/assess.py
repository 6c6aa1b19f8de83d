"""``manage.py assess --period 202510 --agency 420300 [--resume RUN_ID]``: the monthly
assessment (月度核定) from the command line, with a progress bar and the totals at the end."""

from __future__ import annotations

from typing import Any

from shebao.contributions.jobs import KIND
from shebao.contributions.services.assessments import (
    assessment_run_create,
    assessment_run_execute,
)
from shebao.core.actors import Actor
from shebao.core.batch import Progress
from shebao.core.batch_command import AgencyMonthCommand
from shebao.core.models import Agency, BatchRun
from shebao.core.money import format_yuan


class Command(AgencyMonthCommand):
    help = (
        "Run the monthly assessment of a period for an agency and its subordinate agencies, "
        "or resume a stopped run; prints the totals. Exit code 1 on a refusal."
    )
    kind = KIND
    name = "assess"
    run_label = "assessment"
    rows_label = "lines"

    def create_month_run(
        self, actor: Actor, period: int, agency: Agency, options: dict[str, Any]
    ) -> BatchRun:
        return assessment_run_create(actor=actor, period=period, agency=agency)

    def execute_run(self, run: BatchRun, actor: Actor, progress: Progress) -> BatchRun:
        return assessment_run_execute(run, actor=actor, progress=progress)

    def totals_line(self, run: BatchRun) -> str:
        totals = run.totals
        yuan = {
            key: format_yuan(int(totals.get(key, 0)))
            for key in ("employer_fen", "individual_fen", "total_fen", "account_credit_fen")
        }
        return (
            f"run #{run.pk} {run.status}: {run.rows} lines, {totals.get('bills', 0)} bills; "
            f"employer {yuan['employer_fen']} yuan, individual {yuan['individual_fen']} yuan, "
            f"total {yuan['total_fen']} yuan (account credit {yuan['account_credit_fen']} yuan)"
        )
