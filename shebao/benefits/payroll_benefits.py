"""The benefits other than the pension in the monthly payroll run (segment ``benefits``):
unemployment benefits, work-injury allowances, survivor pensions and every one-time payment
(lump sums, funeral subsidies, inheritances) go out in the same run and the same bank files as
the pensions.

A fund-paid benefit that is not suspended is owed every month from its first month to the
earliest of its last month, the month it was stopped after, and the run's month. The chunk
pays each such month that has no line the bank kept: a month never paid gets its regular line,
a month whose payment came back gets a back-pay line. A one-time benefit has one month, so it
is paid once. Employer-paid benefits are recorded only. For an unemployment benefit the fund
also pays the claimant's medical contribution for each month it pays (``MedicalContribution``).

Benefits are few next to pensions: the segment is one chunk, written with a handful of
queries, not per benefit.
"""

from __future__ import annotations

from collections import defaultdict

from shebao.benefits.models import (
    Benefit,
    BenefitPayer,
    BenefitStatus,
    LineKind,
    LineStatus,
    MedicalContribution,
    PayrollFile,
    PayrollLine,
)
from shebao.core.batch import ChunkOutcome
from shebao.core.models import BatchChunk, BatchRun
from shebao.core.periods import period_range

SEGMENT = "benefits"


def last_month_due(benefit: Benefit, period: int) -> int:
    """The last month the benefit is owed as of the run's month."""
    last = period
    for bound in (benefit.end_period, benefit.stop_period):
        if bound is not None:
            last = min(last, bound)
    return last


def benefits_payable(run: BatchRun) -> list[Benefit]:
    assert run.period is not None
    return list(
        Benefit.objects.select_for_update()
        .filter(
            agency_id__in=run.params["agencies"],
            payer=BenefitPayer.FUND,
            start_period__lte=run.period,
        )
        .exclude(status=BenefitStatus.SUSPENDED)
        .order_by("pk")
    )


def benefit_banks(run: BatchRun) -> set[str]:
    """The banks of the benefits the run may pay (their files are planned with the run)."""
    return set(
        Benefit.objects.filter(agency_id__in=run.params["agencies"], payer=BenefitPayer.FUND)
        .exclude(status=BenefitStatus.SUSPENDED)
        .values_list("bank_name", flat=True)
    )


def planned_file_ids(run: BatchRun) -> dict[str, int]:
    """The id of the run's planned payment file of each bank, for the lines written into it."""
    return dict(
        PayrollFile.objects.filter(run=run, kind=LineKind.REGULAR).values_list("bank_name", "id")
    )


def execute_benefits(run: BatchRun, chunk: BatchChunk) -> ChunkOutcome:
    assert run.period is not None
    benefits = benefits_payable(run)
    ids = [b.pk for b in benefits]
    kept: dict[int, set[int]] = defaultdict(set)  # months paid and not returned
    regular: dict[int, set[int]] = defaultdict(set)  # months with a regular line at all
    for benefit_id, period, kind, status in PayrollLine.objects.filter(
        benefit_id__in=ids
    ).values_list("benefit_id", "period", "kind", "status"):
        if status != LineStatus.FAILED:
            kept[benefit_id].add(period)
        if kind == LineKind.REGULAR:
            regular[benefit_id].add(period)
    files = planned_file_ids(run)
    lines: list[PayrollLine] = []
    medical: list[MedicalContribution] = []
    for benefit in benefits:
        for period in period_range(benefit.start_period, last_month_due(benefit, run.period)):
            if period in kept[benefit.pk]:
                continue
            lines.append(
                PayrollLine(
                    run_id=run.pk,
                    benefit_id=benefit.pk,
                    person_id=benefit.person_id,
                    agency_id=benefit.agency_id,
                    period=period,
                    kind=LineKind.BACK_PAY if period in regular[benefit.pk] else LineKind.REGULAR,
                    amount_fen=benefit.monthly_fen,
                    bank_name=benefit.bank_name,
                    bank_account=benefit.bank_account,
                    file_id=files.get(benefit.bank_name),
                )
            )
            if benefit.medical_fen:
                medical.append(
                    MedicalContribution(
                        benefit=benefit, run=run, period=period, amount_fen=benefit.medical_fen
                    )
                )
    PayrollLine.objects.bulk_create(lines, batch_size=1000)
    # A month paid again after a return already had its contribution paid.
    MedicalContribution.objects.bulk_create(medical, batch_size=1000, ignore_conflicts=True)
    medical_fen = sum(
        MedicalContribution.objects.filter(run=run).values_list("amount_fen", flat=True)
    )
    totals = {
        "benefit_lines": len(lines),
        "benefit_payees": len({line.benefit_id for line in lines}),
        "benefit_fen": sum(line.amount_fen for line in lines),
        "medical_fen": int(medical_fen),
    }
    return ChunkOutcome(rows=len(lines), totals=totals)
