# ruff: noqa: S608 - SQL built from our own table names and integers of the run only
"""The yearly pension adjustment (养老金调整) as a batch job: chunks of pension ids, each
chunk one transaction that writes one ``AdjustmentLine`` per retiree.

The run covers the pensions of its agency subtree that were in payment before the year (first
month paid no later than December of the year before) and were not stopped before the
effective month. Each line is what the pure adjustment calculator gives for the retiree:
current pension = the rate in force for the month before the effective month, contribution
months = ``Pension.contribution_months``, age in whole years on the first day of the effective
month. The parameters are looked up once when the run is created and frozen into
``run.params`` with their versions and references (design.md §5), so a chunk never asks the
parameter store and the run can be explained years later.

Nothing is paid from the lines: a second person approves the run (``services.adjustment``),
which adds the new rates, and the next payroll pays the back pay (owed − paid).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext_lazy

from shebao.benefits.models import (
    AdjustmentDecision,
    AdjustmentLine,
    Pension,
    PensionRate,
)
from shebao.core.batch import ChunkOutcome, ChunkPlan, register_batch_job
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import BatchChunk, BatchRun
from shebao.core.money import fen_to_yuan, yuan_to_fen
from shebao.core.periods import period_add, period_first_day
from shebao.registry.models import Person
from shebao.rules.calculators.adjustment import AdjustmentParams, pension_adjustment
from shebao.rules.params import NATIONAL, ParameterSource, ParamValue
from shebao.rules.store import value_from_json, value_to_json

KIND = "pension_adjustment"
SEGMENT = "pensions"
CHUNK_PENSIONS = 5_000
LAST_ID = 2**62  # the open end of the last chunk

PENSION = Pension._meta.db_table
LINE = AdjustmentLine._meta.db_table
PERSON = Person._meta.db_table
TOTAL_KEYS = ("persons", "before_fen", "increase_fen", "after_fen")

# Where each part of the split is looked up: the national overall rate, the rest regional
# (as shebao.rules.adapters.adjustment looks them up).
PARAMETER_KEYS = {
    "overall_rate": ("adjustment.overall_rate", True),
    "flat_amount": ("adjustment.flat_amount", False),
    "proportional_rate": ("adjustment.proportional_rate", False),
    "per_contribution_year": ("adjustment.per_contribution_year", False),
    "age_extras": ("adjustment.age_extras", False),
}

register_rule(
    "ADJ-RUN-TOTALS",
    "调整批次 #{run} 的明细合计与分块合计不一致（{detail}），批次未完成。",
    "Adjustment run #{run}: the lines do not add up to the chunks' totals ({detail}); "
    "the run is not finished.",
)


# --- parameters frozen into the run ------------------------------------------------------------


def parameters_on(year: int) -> date:
    """Each year's adjustment parameters apply from 1 January of that year."""
    return date(year, 1, 1)


def _frozen(value: ParamValue) -> dict[str, Any]:
    return {
        "key": value.key,
        "region": value.region,
        "version": value.version,
        "from": value.effective_from.isoformat(),
        "value": value_to_json(value.value),
        "unit": value.unit,
        "reference": value.reference,
        "confidence": value.confidence,
        "note": value.note,
    }


def _thawed(data: dict[str, Any]) -> ParamValue:
    return ParamValue(
        key=data["key"],
        region=data["region"],
        effective_from=date.fromisoformat(data["from"]),
        value=value_from_json(data["unit"], data["value"]),
        unit=data["unit"],
        reference=data["reference"],
        confidence=data["confidence"],
        version=int(data["version"]),
        note=data.get("note", ""),
    )


def parameters_freeze(source: ParameterSource, regions: Iterable[str], year: int) -> dict[str, Any]:
    """The split of every region of the run, looked up once. An unpublished value (null in
    the store) refuses with the store's own rule code, PARAM-VALUE-UNPUBLISHED."""
    on = parameters_on(year)
    by_region: dict[str, dict[str, Any]] = {}
    for region in sorted(set(regions)):
        by_region[region] = {
            name: _frozen(source.lookup(key, NATIONAL if national else region, on))
            for name, (key, national) in PARAMETER_KEYS.items()
        }
    return by_region


def parameters_thaw(run: BatchRun) -> dict[str, AdjustmentParams]:
    return {
        region: AdjustmentParams(**{name: _thawed(data) for name, data in values.items()})
        for region, values in run.params["regions"].items()
    }


def parameters_listed(run: BatchRun) -> list[dict[str, Any]]:
    """Each distinct value the run used, for the run page (as the assessment lists its card)."""
    seen: dict[str, dict[str, Any]] = {}
    for values in run.params.get("regions", {}).values():
        for data in values.values():
            seen.setdefault(f"{data['key']}@{data['region']}#v{data['version']}", data)
    return [seen[key] for key in sorted(seen)]


def split_verified(run: BatchRun) -> bool:
    """False while any part of any region's split is an unverified value."""
    return all(
        data["confidence"] == "verified"
        for values in run.params.get("regions", {}).values()
        for name, data in values.items()
        if name != "overall_rate"
    )


# --- which pensions, and the numbers of one retiree --------------------------------------------


def covered_sql(agency_ids: list[int]) -> str:
    """The WHERE clause of the pensions a run covers (alias ``p``)."""
    ids = ",".join(str(int(pk)) for pk in agency_ids) or "NULL"
    return (
        f"p.agency_id IN ({ids}) AND p.start_period <= %(last_before)s "
        "AND (p.end_period IS NULL OR p.end_period >= %(effective)s)"
    )


def run_window(run: BatchRun) -> dict[str, int]:
    year = int(run.params["year"])
    return {"last_before": (year - 1) * 100 + 12, "effective": int(run.params["effective_period"])}


def age_in_years(birth: date, on: date) -> int:
    """Whole years of age on ``on``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def rates_before(pension_ids: list[int], period: int) -> dict[int, int]:
    """The monthly amount in force for ``period`` of each pension (the newest rate effective in
    or before it; the later of two with the same month)."""
    in_force: dict[int, int] = {}
    rows = (
        PensionRate.objects.filter(pension_id__in=pension_ids, effective_period__lte=period)
        .order_by("pension_id", "effective_period", "id")
        .values_list("pension_id", "monthly_fen")
    )
    for pension_id, monthly_fen in rows:
        in_force[pension_id] = int(monthly_fen)
    return in_force


class PensionAdjustment:
    kind = KIND
    label = gettext_lazy("Pension adjustment")

    def detail_url(self, run: BatchRun) -> str:
        return reverse("benefits:adjustment_run", args=[run.pk])

    def plan(self, run: BatchRun) -> Iterable[ChunkPlan]:
        size = max(int(run.params.get("chunk_pensions", CHUNK_PENSIONS)), 1)
        sql = f"""
SELECT id FROM (
  SELECT p.id, ROW_NUMBER() OVER (ORDER BY p.id) AS n
  FROM {PENSION} p WHERE {covered_sql(run.params["agencies"])}
) t
WHERE n %% {size} = 0
ORDER BY id"""
        with connection.cursor() as cursor:
            cursor.execute(sql, run_window(run))
            bounds = [int(row[0]) for row in cursor.fetchall()]
        lo = 1
        for hi in bounds:
            yield ChunkPlan(SEGMENT, lo, hi)
            lo = hi + 1
        yield ChunkPlan(SEGMENT, lo, LAST_ID)

    def execute(self, run: BatchRun, chunk: BatchChunk) -> ChunkOutcome:
        window = run_window(run)
        effective = window["effective"]
        on = period_first_day(effective)
        params = parameters_thaw(run)
        regions = {int(k): v for k, v in run.params["agency_regions"].items()}
        sql = f"""
SELECT p.id, p.agency_id, p.contribution_months, r.birth_date
FROM {PENSION} p JOIN {PERSON} r ON r.id = p.person_id
WHERE p.id BETWEEN %(lo)s AND %(hi)s AND {covered_sql(run.params["agencies"])}
ORDER BY p.id"""
        with connection.cursor() as cursor:
            cursor.execute(sql, window | {"lo": chunk.lo, "hi": chunk.hi})
            pensions = cursor.fetchall()
        before = rates_before([row[0] for row in pensions], period_add(effective, -1))
        lines = []
        for pension_id, agency_id, months, birth in pensions:
            before_fen = before.get(pension_id, 0)
            if before_fen <= 0:
                continue  # nothing in force before the effective month: nothing to raise
            if not isinstance(birth, date):
                birth = date.fromisoformat(str(birth))
            age = age_in_years(birth, on)
            outcome = pension_adjustment(
                current_pension=fen_to_yuan(before_fen),
                contribution_months=int(months),
                age_years=age,
                params=params[regions[int(agency_id)]],
            ).value
            increase_fen = yuan_to_fen(outcome.increase)
            lines.append(
                AdjustmentLine(
                    run_id=run.pk,
                    pension_id=pension_id,
                    agency_id=agency_id,
                    before_fen=before_fen,
                    increase_fen=increase_fen,
                    after_fen=before_fen + increase_fen,
                    contribution_years=outcome.contribution_years,
                    age_years=age,
                )
            )
        AdjustmentLine.objects.bulk_create(lines, batch_size=1000)
        totals = {
            "persons": len(lines),
            "before_fen": sum(line.before_fen for line in lines),
            "increase_fen": sum(line.increase_fen for line in lines),
            "after_fen": sum(line.after_fen for line in lines),
        }
        return ChunkOutcome(rows=len(lines), totals=totals)

    def finish(self, run: BatchRun) -> None:
        """Reconcile the lines with the chunks' totals, then await a second person's approval."""
        sums = [f"COALESCE(SUM({c}), 0)" for c in TOTAL_KEYS[1:]]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*), {', '.join(sums)} FROM {LINE} WHERE run_id = %s", [run.pk]
            )
            lines = tuple(int(v) for v in cursor.fetchone())
        chunks = [0, 0, 0, 0]
        for chunk_totals in run.chunks.values_list("totals", flat=True):
            for i, key in enumerate(TOTAL_KEYS):
                chunks[i] += int(chunk_totals.get(key, 0))
        if lines != tuple(chunks):
            raise RuleViolation("ADJ-RUN-TOTALS", run=run.pk, detail=f"{lines} ≠ {chunks}")
        AdjustmentDecision.objects.get_or_create(run=run)


register_batch_job(PensionAdjustment())
