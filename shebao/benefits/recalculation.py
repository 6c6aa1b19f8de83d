"""Recomputing the pensions awarded on a provisional benefit base (多退少补, rules.md §3.4).

Until a year's benefit base is published, new pensions are awarded on the latest published
year's. Once it is published, this batch run (kind ``pension_recalculation``, one per year and
agency subtree) recomputes each such award with the year's own base: the basic and the
transitional parts change, the account part does not. The difference is added to every rate
the pension has had since it began (later adjustments keep their own increases), and the next
payroll pays the months owed or records the overpayment, from the same owed-against-paid
comparison as every other back payment.

The yearly adjustment's proportional part was computed on the provisional amount; its share
of the difference (rate × difference) is not recomputed here (docs/retirement.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy

from shebao.benefits.models import (
    AwardKind,
    NoticeKind,
    Pension,
    PensionAward,
    PensionNotice,
    PensionRate,
    PensionStatus,
    RateReason,
)
from shebao.benefits.services.pensions import recheck_mark
from shebao.core.actors import system_actor
from shebao.core.audit import audit_record
from shebao.core.batch import ChunkOutcome, ChunkPlan, register_batch_job
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import BatchChunk, BatchRun
from shebao.core.money import fen_to_yuan, yuan_to_fen
from shebao.rules.calculators.pension import PensionClaim, PensionParams, pension_at_retirement
from shebao.rules.params import ParameterSource, ParamValue
from shebao.rules.store import DatabaseParameters

KIND = "pension_recalculation"
LAST_ID = 2**62

register_rule(
    "PEN-RECALC-DIFFERENCE",
    "按本年度公布的计发基数重新核定：差额 = 新核定额 − 原核定额，计入自首月起的每一待遇标准",
    "Recomputed on the year's published benefit base: difference = new award − provisional "
    "award, added to every rate since the first month",
    "rules.md §3.4",
    kind="calculation",
)


@dataclass(frozen=True)
class Recalculated:
    award: PensionAward
    difference_fen: int


def _published_base(source: ParameterSource, region: str, year: int) -> ParamValue | None:
    """The year's own benefit base, or None while it is unpublished."""
    try:
        value = source.lookup("pension.benefit_base", region, date(year, 1, 1))
    except RuleViolation as refusal:
        if refusal.code in {"PARAM-VALUE-UNPUBLISHED", "PARAM-NO-VALUE"}:
            return None
        raise
    return value if value.effective_from.year == year else None


def recalculate(
    run: BatchRun, pension: Pension, award: PensionAward, source: ParameterSource
) -> Recalculated | None:
    """Recompute one provisional award with its year's published base (None while it is not
    published). Runs inside the chunk's transaction with the pension row locked."""
    year = award.effective_period // 100
    region = pension.agency.division_code
    base = _published_base(source, region, year)
    if base is None:
        return None
    on = date(year, 1, 1)
    result = pension_at_retirement(
        claim=PensionClaim(
            benefit_base=base.decimal(),
            average_index=Decimal(award.average_index),
            contribution_months=award.contribution_months,
            deemed_months=award.deemed_months,
            account_balance=fen_to_yuan(award.account_balance_fen),
            retirement_age_months=award.retirement_age_months,
        ),
        params=PensionParams(
            basic_rate=source.lookup("pension.basic.rate_per_year", region, on),
            divisor_table=source.lookup("pension.divisor.table", region, on),
            divisor_rule=source.lookup("pension.divisor.part_year_rule", region, on),
            transitional_rate=source.lookup("pension.transitional.rate_per_year", region, on),
        ),
        published_base=base,
    )
    parts = result.value
    total_fen = yuan_to_fen(parts.total)
    difference = total_fen - award.total_fen
    steps = result.trace_dict()
    steps["trace"].append(
        {
            "rule": "PEN-RECALC-DIFFERENCE",
            "description": f"{total_fen} − {award.total_fen} fen",
            "value": difference,
            "params": [],
        }
    )
    new_award = PensionAward.objects.create(
        pension=pension,
        kind=AwardKind.RECALCULATION,
        case_id=award.case_id,
        effective_period=award.effective_period,
        benefit_base_fen=yuan_to_fen(base.decimal()),
        benefit_base_year=year,
        provisional=False,
        average_index=award.average_index,
        contribution_months=award.contribution_months,
        deemed_months=award.deemed_months,
        account_balance_fen=award.account_balance_fen,
        retirement_age_months=award.retirement_age_months,
        basic_fen=yuan_to_fen(parts.basic),
        account_fen=yuan_to_fen(parts.account),
        transitional_fen=yuan_to_fen(parts.transitional),
        total_fen=total_fen,
        calculation={"replaces_award": award.pk, "run": run.pk, **steps},
        created_by=run.actor_label,
    )
    if difference:
        _rates_shift(run, pension, difference)
    PensionNotice.objects.create(
        pension=pension,
        kind=NoticeKind.AWARD,
        period=award.effective_period,
        details={
            "recalculation": True,
            "before_fen": award.total_fen,
            "after_fen": total_fen,
            "difference_fen": difference,
            "base_year": year,
        },
        created_by=run.actor_label,
    )
    audit_record(
        actor=system_actor(f"{KIND}:{run.pk}"),
        action="pension.recalculation",
        target=pension,
        target_agency=pension.agency,
        before={"award": award.pk, "total_fen": award.total_fen},
        after={"award": new_award.pk, "total_fen": total_fen, "difference_fen": difference},
    )
    return Recalculated(new_award, difference)


def _rates_shift(run: BatchRun, pension: Pension, difference: int) -> None:
    """Every rate since the first month again, plus the difference; the new rows come later,
    so each wins over the row it repeats and their order among themselves is kept."""
    rates = list(PensionRate.objects.filter(pension=pension).order_by("id"))
    PensionRate.objects.bulk_create(
        PensionRate(
            pension=pension,
            effective_period=rate.effective_period,
            monthly_fen=rate.monthly_fen + difference,
            reason=RateReason.RECALCULATION,
            source=f"run:{run.pk}",
        )
        for rate in rates
    )
    pension.monthly_fen += difference
    recheck_mark(pension, pension.start_period)
    pension.save(update_fields=["monthly_fen", "recheck_from", "updated_at"])


def provisional_awards(run: BatchRun, lo: int, hi: int) -> list[tuple[Pension, PensionAward]]:
    """The chunk's pensions whose newest award is provisional and began in the run's year."""
    year = int(run.params["year"])
    pensions = (
        Pension.objects.select_for_update(of=("self",))
        .select_related("agency")
        .filter(
            pk__gte=lo,
            pk__lte=hi,
            agency_id__in=run.params["agencies"],
            start_period__gte=year * 100 + 1,
            start_period__lte=year * 100 + 12,
        )
        .exclude(status=PensionStatus.STOPPED)
        .order_by("pk")
    )
    locked = list(pensions)
    newest: dict[int, PensionAward] = {}
    # One query for all their awards, newest first: the first seen per pension is its newest.
    for award in PensionAward.objects.filter(pension__in=locked).order_by("pension_id", "-id"):
        newest.setdefault(award.pension_id, award)
    return [
        (pension, newest[pension.pk])
        for pension in locked
        if pension.pk in newest and newest[pension.pk].provisional
    ]


class PensionRecalculation:
    kind = KIND
    label = gettext_lazy("Pension recalculation on the published benefit base")

    def plan(self, run: BatchRun) -> Iterable[ChunkPlan]:
        # The year's new retirees only: one chunk.
        yield ChunkPlan("pensions", 1, LAST_ID)

    def execute(self, run: BatchRun, chunk: BatchChunk) -> ChunkOutcome:
        source = DatabaseParameters()
        recalculated = unpublished = 0
        difference_fen = 0
        for pension, award in provisional_awards(run, chunk.lo, chunk.hi):
            outcome = recalculate(run, pension, award, source)
            if outcome is None:
                unpublished += 1
                continue
            recalculated += 1
            difference_fen += outcome.difference_fen
        return ChunkOutcome(
            rows=recalculated,
            totals={
                "recalculated": recalculated,
                "still_provisional": unpublished,
                "difference_fen": difference_fen,
            },
        )

    def finish(self, run: BatchRun) -> None:
        pass


register_batch_job(PensionRecalculation())
