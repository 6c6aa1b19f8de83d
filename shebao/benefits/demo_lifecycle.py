"""Demo of a pension's later life, seeded after the retirees and their September and October
2026 payrolls:

1. the certification sweep for November 2026 suspends the Shiyan retirees whose certification
   is overdue, each with a notice;
2. two of them are certified again — one at the Maojian counter (SBQL001), one by the
   death-data comparison file — and resume, the withheld months to be paid by the next payroll;
3. the same comparison file reports a retiree who died on 2026-09-14: the pension stops after
   September, the October payment becomes an overpayment, the death-benefit case opens;
4. the 2026 adjustment for Shiyan, effective 2026-01, is computed and left awaiting
   ``head_shiyan``'s approval. 2026's figures are not published (null in ``parameters/``), so
   the demo enters PLACEHOLDER values through the parameter store's maker-checker path,
   marked unverified and named as demo data: they are not published figures.

Deterministic and idempotent: each step looks for what it made before making it again.
"""

from __future__ import annotations

import json
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from shebao.benefits.adjustment import KIND as ADJUSTMENT
from shebao.benefits.certification import KIND as SWEEP
from shebao.benefits.models import (
    Certification,
    Death,
    LineKind,
    LineStatus,
    NoticeKind,
    PayrollLine,
    Pension,
    PensionNotice,
    PensionStatus,
)
from shebao.benefits.services.adjustment import adjustment_run_create, adjustment_run_execute
from shebao.benefits.services.certification import (
    certification_at_counter,
    certification_sweep_create,
    certification_sweep_execute,
)
from shebao.benefits.services.death import comparison_import
from shebao.core.actors import Actor, staff_actor
from shebao.core.models import Agency, BatchRun, BatchStatus
from shebao.rules.demo import placeholder_value_enter
from shebao.rules.params import NATIONAL

CITY = "420300"
COUNTER_DISTRICT = "420302"  # clerk_maojian certifies at the counter
SWEEP_PERIOD = 202611
DIED_ON = date(2026, 9, 14)
PAID_MONTH = 202610  # the payment after the death, to recover
COMPARISON_FILE = "demo-comparison-202611.csv"
ADJUSTMENT_YEAR = 2026
EFFECTIVE = 202601

DEMO_REFERENCE = "演示数据 demo placeholder, not a published figure"
DEMO_NOTE = (
    "DEMO PLACEHOLDER entered by the demo seed so the 2026 adjustment can be shown: not the "
    "province's published split. An administrator replaces it from the 2026 notice."
)
# (key, region, value as staff type it): a plausible shape, not a published figure.
PLACEHOLDERS = (
    ("adjustment.overall_rate", NATIONAL, "0.02"),
    ("adjustment.flat_amount", "420000", "20.00"),
    ("adjustment.proportional_rate", "420000", "0.01"),
    ("adjustment.per_contribution_year", "420000", "1.00"),
    ("adjustment.age_extras", "420000", json.dumps({"70": "20.00", "75": "30.00", "80": "50.00"})),
)


def seed_demo() -> None:
    city = Agency.objects.filter(code=CITY).first()
    if city is None or not Pension.objects.filter(agency__path__startswith=city.path).exists():
        return  # no retirees to show yet
    fund = staff_actor("fund_shiyan")
    sweep = _sweep(fund, city)
    suspended = _suspended_by(sweep)
    counter = next((p for p in suspended if p.agency.code == COUNTER_DISTRICT), None)
    if counter is not None:
        _certify_at_counter(counter)
    by_file = next((p for p in suspended if p != counter), None)
    _comparison(fund, city, by_file, exclude=[p.pk for p in suspended])
    _placeholders_2026()
    _adjustment(fund, city)


def _sweep(fund: Actor, city: Agency) -> BatchRun:
    run = BatchRun.objects.filter(kind=SWEEP, period=SWEEP_PERIOD, agency=city).first()
    if run is None:
        run = certification_sweep_create(
            actor=fund, agency=city, period=SWEEP_PERIOD, as_of=timezone.localdate()
        )
    if run.status != BatchStatus.DONE:
        run = certification_sweep_execute(run, actor=fund)
    return run


def _suspended_by(sweep: BatchRun) -> list[Pension]:
    """The pensions the sweep suspended (whatever happened to them since), oldest first."""
    ids = PensionNotice.objects.filter(
        kind=NoticeKind.SUSPENSION, details__run=sweep.pk
    ).values_list("pension_id", flat=True)
    return list(Pension.objects.select_related("agency", "person").filter(pk__in=list(ids)))


def _certify_at_counter(pension: Pension) -> None:
    if Certification.objects.filter(pension=pension, channel="counter").exists():
        return
    certification_at_counter(
        actor=staff_actor("clerk_maojian"), pension=pension, certified_on=timezone.localdate()
    )


def _paid_in(city: Agency, period: int, exclude: list[int]) -> QuerySet[Pension]:
    paid = PayrollLine.objects.filter(period=period, kind=LineKind.REGULAR).exclude(
        status=LineStatus.FAILED
    )
    return (
        Pension.objects.select_related("person")
        .filter(
            agency__path__startswith=city.path,
            status=PensionStatus.ACTIVE,
            pk__in=paid.values("pension_id"),
        )
        .exclude(pk__in=exclude)
        .order_by("pk")
    )


def _comparison(fund: Actor, city: Agency, alive: Pension | None, exclude: list[int]) -> None:
    """One file from the civil-affairs comparison: one suspended retiree found alive, one
    retiree paid for October who died in September."""
    if Death.objects.filter(reference__startswith=COMPARISON_FILE).exists():
        return
    dead = _paid_in(city, PAID_MONTH, exclude).first()
    rows = ["resident_id,result,date,source"]
    if alive is not None:
        rows.append(f"{alive.person.resident_id},alive,{timezone.localdate()},民政部门比对")
    if dead is not None:
        rows.append(f"{dead.person.resident_id},deceased,{DIED_ON},公安户籍注销比对")
    if len(rows) > 1:
        content = ("\n".join(rows) + "\n").encode()
        comparison_import(actor=fund, content=content, file_name=COMPARISON_FILE)


def _placeholders_2026() -> None:
    """Enter the 2026 split as a policy officer proposes and an administrator approves it."""
    for key, region, text in PLACEHOLDERS:
        placeholder_value_enter(
            key=key,
            region=region,
            effective_from=date(ADJUSTMENT_YEAR, 1, 1),
            value_text=text,
            reference=DEMO_REFERENCE,
            note=DEMO_NOTE,
        )


def _adjustment(fund: Actor, city: Agency) -> None:
    run = BatchRun.objects.filter(
        kind=ADJUSTMENT, agency=city, params__year=ADJUSTMENT_YEAR
    ).first()
    if run is None:
        run = adjustment_run_create(
            actor=fund,
            year=ADJUSTMENT_YEAR,
            agency=city,
            effective_period=ADJUSTMENT_YEAR * 100 + 1,
        )
    if run.status != BatchStatus.DONE:
        adjustment_run_execute(run, actor=fund)
