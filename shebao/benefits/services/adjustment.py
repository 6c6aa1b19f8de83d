# ruff: noqa: S608 - SQL built from our own table names and integers of the run only
"""Starting a yearly pension adjustment (养老金调整) run, and deciding it.

A fund officer starts the run for an agency subtree; it computes one line per retiree and
waits. A second person (never the run's creator) approves or rejects it. Approval applies it,
set-based: a new ``PensionRate`` per line from the effective month (``rate_add`` semantics:
the pension keeps its newest amount and the next payroll compares owed with paid from the
effective month, which pays the back pay), and an adjustment notice per retiree. A pension
whose rate changed after the run computed it (a recalculation, say) is skipped and named in
the decision, so no one gets an increase computed on an amount no longer in force.
"""

from __future__ import annotations

import io
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from openpyxl import Workbook

from shebao.benefits.adjustment import (
    CHUNK_PENSIONS,
    KIND,
    parameters_freeze,
)
from shebao.benefits.models import (
    AdjustmentDecision,
    AdjustmentLine,
    DecisionStatus,
    NoticeKind,
    Pension,
    PensionNotice,
    PensionRate,
    RateReason,
)
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.batch import Progress, batch_run_create, batch_run_execute
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.masking import mask_resident_id
from shebao.core.models import Action, Agency, BatchRun, BatchStatus
from shebao.core.money import fen_to_yuan
from shebao.core.periods import period_validate
from shebao.core.permissions import OutOfScope, ensure_can, ensure_in_scope, scope_filter
from shebao.rules.params import ParameterSource
from shebao.rules.store import DatabaseParameters

_BASIS = "人力资源社会保障部 财政部 yearly notice on adjusting basic pensions"

register_rule(
    "ADJ-RUN-EFFECTIVE",
    "调整生效月份 {period} 应在调整年度 {year} 内。",
    "The effective month {period} must lie in the adjustment year {year}.",
    _BASIS,
)
register_rule(
    "ADJ-RUN-EXISTS",
    "{year} 年度已有范围重叠的调整批次 #{run}（{status}），不能重复计算；驳回后方可重算。",
    "Adjustment run #{run} for {year} covers an overlapping area ({status}): reject it before "
    "computing again.",
    "design.md §7",
)
register_rule(
    "ADJ-NOT-AWAITING",
    "调整批次 #{run} 不在待审批状态，不能再次审批。",
    "Adjustment run #{run} is not awaiting approval; it cannot be decided again.",
)
register_rule(
    "ADJ-APPROVE-SELF",
    "调整批次须由发起人以外的另一名人员审批。",
    "An adjustment run must be approved by someone other than the person who started it.",
    "maker-checker: 经办与复核分离",
)
register_rule(
    "ADJ-REJECT-REASON",
    "驳回调整批次须填写原因。",
    "Give the reason for rejecting the adjustment run.",
)

RATE = PensionRate._meta.db_table
PENSION = Pension._meta.db_table
LINE = AdjustmentLine._meta.db_table
NOTICE = PensionNotice._meta.db_table
SKIPPED_LISTED = 50  # skipped pension ids named in the audit entry


def open_overlapping(agency: Agency, year: int) -> BatchRun | None:
    """A run of the year for an overlapping subtree that is not rejected."""
    rejected = AdjustmentDecision.objects.filter(status=DecisionStatus.REJECTED).values("run_id")
    runs = (
        BatchRun.objects.filter(kind=KIND, params__year=year)
        .exclude(pk__in=rejected)
        .exclude(status=BatchStatus.FAILED, chunks_done=0)
        .select_related("agency")
    )
    for run in runs:
        if run.agency.contains(agency) or agency.contains(run.agency):
            return run
    return None


def adjustment_run_create(
    *,
    actor: Actor,
    year: int,
    agency: Agency,
    effective_period: int | None = None,
    source: ParameterSource | None = None,
    chunk_pensions: int = CHUNK_PENSIONS,
) -> BatchRun:
    """Plan the adjustment of ``year`` for ``agency`` and its descendants, with the year's
    parameters of each agency's region frozen into the run. Refuses an unpublished year with
    PARAM-VALUE-UNPUBLISHED (an administrator must enter the year's values first)."""
    ensure_can(actor, Action.RUN_BATCH)
    ensure_in_scope(actor, agency)
    effective = period_validate(effective_period or year * 100 + 1)
    if effective // 100 != year:
        raise RuleViolation("ADJ-RUN-EFFECTIVE", period=effective, year=year)
    existing = open_overlapping(agency, year)
    if existing is not None:
        decision = AdjustmentDecision.objects.filter(run=existing).first()
        status = decision.get_status_display() if decision else existing.get_status_display()
        raise RuleViolation("ADJ-RUN-EXISTS", year=year, run=existing.pk, status=status)
    agencies = list(Agency.objects.filter(path__startswith=agency.path).order_by("path"))
    agency_regions = {str(a.pk): a.division_code for a in agencies}
    source = source or DatabaseParameters()
    regions = parameters_freeze(source, agency_regions.values(), year)
    watermark = PensionRate.objects.aggregate(top=Max("id"))["top"] or 0
    return batch_run_create(
        actor=actor,
        kind=KIND,
        agency=agency,
        period=effective,
        params={
            "year": year,
            "effective_period": effective,
            "agencies": [a.pk for a in agencies],
            "agency_regions": agency_regions,
            "regions": regions,
            # Rates written after this id changed a pension after the run computed it.
            "rate_watermark": watermark,
            "chunk_pensions": chunk_pensions,
        },
    )


def adjustment_run_execute(
    run: BatchRun, *, actor: Actor, progress: Progress | None = None
) -> BatchRun:
    """Execute (or resume) a run; it ends awaiting approval."""
    ensure_can(actor, Action.RUN_BATCH)
    ensure_in_scope(actor, run.agency)
    return batch_run_execute(run, actor=actor, progress=progress)


# --- reads -------------------------------------------------------------------------------------


def adjustment_runs_visible(actor: Actor) -> QuerySet[BatchRun]:
    return scope_filter(
        BatchRun.objects.filter(kind=KIND).select_related("agency"), actor, "agency"
    ).order_by("-created_at", "-id")


def adjustment_run_get(actor: Actor, run_id: int) -> BatchRun:
    """A run of the actor's subtree (out of scope or not an adjustment: absent, 404)."""
    run = BatchRun.objects.select_related("agency").filter(pk=run_id, kind=KIND).first()
    if run is None:
        raise OutOfScope()
    ensure_in_scope(actor, run.agency)
    return run


def decision_of(run: BatchRun) -> AdjustmentDecision | None:
    return AdjustmentDecision.objects.filter(run=run).first()


def lines_of(run: BatchRun) -> QuerySet[AdjustmentLine]:
    return AdjustmentLine.objects.filter(run_id=run.pk).order_by("pension_id")


def line_rows(lines: list[AdjustmentLine]) -> list[dict[str, Any]]:
    """The page's or the export's rows: each line with its retiree (masked resident ID)."""
    pensions = Pension.objects.select_related("person").in_bulk([line.pension_id for line in lines])
    rows = []
    for line in lines:
        person = pensions[line.pension_id].person
        rows.append(
            {
                "line": line,
                "person": person,
                "masked_id": mask_resident_id(person.resident_id),
            }
        )
    return rows


def run_summary(run: BatchRun) -> dict[str, int]:
    totals = run.totals or {}
    persons = int(totals.get("persons", 0))
    increase = int(totals.get("increase_fen", 0))
    return {
        "persons": persons,
        "before_fen": int(totals.get("before_fen", 0)),
        "increase_fen": increase,
        "after_fen": int(totals.get("after_fen", 0)),
        # Half-up to the fen on integers: (2 × sum + n) // (2 × n).
        "average_increase_fen": (2 * increase + persons) // (2 * persons) if persons else 0,
        "applied": int(totals.get("applied", 0)),
        "skipped": int(totals.get("skipped", 0)),
    }


def adjustment_workbook(run: BatchRun) -> bytes:
    """The run's lines as an Excel workbook (resident IDs masked; amounts in yuan)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(f"adjustment-{run.pk}")
    sheet.append(["养老金调整 pension adjustment", f"#{run.pk}", run.params.get("year")])
    sheet.append(
        [
            "养老金编号 pension",
            "姓名 name",
            "身份证号 resident ID",
            "年龄 age",
            "缴费年限 contribution years",
            "调整前 before (yuan)",
            "调整额 increase (yuan)",
            "调整后 after (yuan)",
        ]
    )
    queryset = lines_of(run)
    last = 0
    while True:
        batch = list(queryset.filter(pension_id__gt=last)[:2000])
        if not batch:
            break
        for row in line_rows(batch):
            line = row["line"]
            sheet.append(
                [
                    line.pension_id,
                    row["person"].name,
                    row["masked_id"],
                    line.age_years,
                    line.contribution_years,
                    fen_to_yuan(line.before_fen),
                    fen_to_yuan(line.increase_fen),
                    fen_to_yuan(line.after_fen),
                ]
            )
        last = batch[-1].pension_id
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- the decision ------------------------------------------------------------------------------


def _json_object(pairs: dict[str, str]) -> str:
    """SQL building a JSON object from column expressions, on either database."""
    args = ", ".join(f"'{key}', {expr}" for key, expr in pairs.items())
    if connection.vendor == "postgresql":
        return f"jsonb_build_object({args})"
    return f"json_object({args})"


def _skipped_sql(where_rate_after: str) -> str:
    """Lines (alias ``l``) whose pension changed since the run computed them: a rate written
    after the run was created, or the pension ended before the effective month."""
    return f"""(
  EXISTS (SELECT 1 FROM {RATE} r WHERE r.pension_id = l.pension_id AND {where_rate_after})
  OR EXISTS (SELECT 1 FROM {PENSION} p WHERE p.id = l.pension_id
             AND p.end_period IS NOT NULL AND p.end_period < %(effective)s)
)"""


def _apply(run: BatchRun, actor: Actor) -> dict[str, Any]:
    """Write the rates, the pensions' new amount and recheck month, and the notices, in
    set-based statements; returns what was applied and skipped."""
    effective = int(run.params["effective_period"])
    source = f"run:{run.pk}"
    # Lock the run's pensions in primary-key order, as rate_add would lock each one.
    list(
        Pension.objects.select_for_update()
        .filter(pk__in=AdjustmentLine.objects.filter(run_id=run.pk).values("pension_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    before_insert = PensionRate.objects.aggregate(top=Max("id"))["top"] or 0
    now = timezone.now()
    args: dict[str, Any] = {
        "run": run.pk,
        "effective": effective,
        "watermark": int(run.params.get("rate_watermark", 0)),
        "before_insert": before_insert,
        "source": source,
        "reason": RateReason.ADJUSTMENT.value,
        "now": connection.ops.adapt_datetimefield_value(now),
        "by": actor.username,
        "kind": NoticeKind.ADJUSTMENT.value,
    }
    changed = _skipped_sql("r.id > %(watermark)s AND r.id <= %(before_insert)s")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT l.pension_id FROM {LINE} l WHERE l.run_id = %(run)s AND {changed} "
            "ORDER BY l.pension_id",
            args,
        )
        skipped = [int(row[0]) for row in cursor.fetchall()]
        cursor.execute(
            f"""
INSERT INTO {RATE} (pension_id, effective_period, monthly_fen, reason, source, created_at)
SELECT l.pension_id, %(effective)s, l.after_fen, %(reason)s, %(source)s, %(now)s
FROM {LINE} l WHERE l.run_id = %(run)s AND NOT {changed}
ORDER BY l.pension_id""",
            args,
        )
        new_rates = f"""SELECT r.pension_id FROM {RATE} r
WHERE r.id > %(before_insert)s AND r.source = %(source)s AND r.reason = %(reason)s"""
        # rate_add: the newest rate is the pension's amount; compare from the effective month.
        cursor.execute(
            f"""
UPDATE {PENSION} SET
  monthly_fen = (SELECT r.monthly_fen FROM {RATE} r WHERE r.pension_id = {PENSION}.id
                 ORDER BY r.effective_period DESC, r.id DESC LIMIT 1),
  recheck_from = CASE WHEN recheck_from IS NULL OR recheck_from > %(effective)s
                      THEN %(effective)s ELSE recheck_from END,
  updated_at = %(now)s
WHERE id IN ({new_rates})""",
            args,
        )
        applied = cursor.rowcount
        details = _json_object(
            {
                "run": "l.run_id",
                "before_fen": "l.before_fen",
                "increase_fen": "l.increase_fen",
                "after_fen": "l.after_fen",
            }
        )
        cursor.execute(
            f"""
INSERT INTO {NOTICE} (pension_id, kind, period, details, created_at, created_by)
SELECT l.pension_id, %(kind)s, %(effective)s, {details}, %(now)s, %(by)s
FROM {LINE} l WHERE l.run_id = %(run)s AND l.pension_id IN ({new_rates})
ORDER BY l.pension_id""",
            args,
        )
    return {"applied": applied, "skipped": skipped}


def adjustment_decide(
    *, actor: Actor, run: BatchRun, approve: bool, note: str = ""
) -> AdjustmentDecision:
    """Approve (and apply) or reject a computed adjustment run. The decider holds the approve
    permission, has the run's agency in scope and is not the person who started the run."""
    ensure_can(actor, Action.APPROVE)
    ensure_in_scope(actor, run.agency)
    if actor.user is not None and actor.user.pk == run.created_by_id:
        raise RuleViolation("ADJ-APPROVE-SELF")
    if not approve and not note.strip():
        raise RuleViolation("ADJ-REJECT-REASON")
    with transaction.atomic(durable=True):
        decision = AdjustmentDecision.objects.select_for_update().filter(run=run).first()
        if decision is None or decision.status != DecisionStatus.AWAITING:
            raise RuleViolation("ADJ-NOT-AWAITING", run=run.pk)
        locked = BatchRun.objects.select_for_update().get(pk=run.pk)
        outcome: dict[str, Any] = {"applied": 0, "skipped": []}
        text = note.strip()
        if approve:
            outcome = _apply(locked, actor)
            skipped = outcome["skipped"]
            summary = f"applied {outcome['applied']}, skipped {len(skipped)}"
            if skipped:
                listed = ", ".join(str(pk) for pk in skipped[:10])
                summary += f" (pensions {listed}{' …' if len(skipped) > 10 else ''})"
            text = f"{text} · {summary}" if text else summary
            locked.totals = {
                **locked.totals,
                "applied": outcome["applied"],
                "skipped": len(skipped),
            }
            locked.save(update_fields=["totals"])
        decision.status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
        decision.decided_by = actor.username
        decision.decided_at = timezone.now()
        decision.note = text[:300]
        decision.save()
        audit_record(
            actor=actor,
            action="adjustment.approve" if approve else "adjustment.reject",
            target=decision,
            target_agency=run.agency,
            before={"status": DecisionStatus.AWAITING.value},
            after={
                "run": run.pk,
                "status": decision.status,
                "year": run.params.get("year"),
                "effective_period": run.params.get("effective_period"),
                "applied": outcome["applied"],
                "skipped": len(outcome["skipped"]),
                "skipped_pensions": outcome["skipped"][:SKIPPED_LISTED],
                "increase_fen": (locked.totals or {}).get("increase_fen", 0),
                "note": note.strip(),
            },
        )
    run.refresh_from_db()
    return decision
