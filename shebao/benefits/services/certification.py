"""Qualification certification (待遇资格认证): each retiree proves once every 12 months that
they are alive; an overdue pension is suspended by the monthly sweep, and a certification
resumes it with the suspended months paid back by the next payroll.

Channels: the counter (item SBQL001, done on the spot), the API (the kiosk and the portal call
the same service), and the death-data comparison file (``services.death.comparison_import``:
alive → a certification of channel ``data``, deceased → a death registration).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from shebao.benefits.certification import CHUNK_PENSIONS as SWEEP_CHUNK
from shebao.benefits.certification import KIND as SWEEP
from shebao.benefits.models import (
    Certification,
    CertificationChannel,
    NoticeKind,
    Pension,
    PensionNotice,
    PensionStatus,
    SuspensionReason,
)
from shebao.benefits.services.pensions import pension_differences, recheck_mark
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.batch import Progress, batch_run_create, batch_run_execute
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import Action, Agency, BatchRun
from shebao.core.periods import period_add, period_first_day, period_of, period_validate
from shebao.core.permissions import ensure_can, ensure_in_scope
from shebao.registry.services.common import open_request
from shebao.services.models import Case
from shebao.services.services import case_record_link, case_transition

ITEM_CERTIFICATION = "SBQL001"
_BASIS = "人社部发〔2018〕19号 (领取社会保险待遇资格确认)"

register_rule(
    "CERT-PENSION-STOPPED",
    "该养老金已终止（{reason}），不能再做资格认证。",
    "This pension has stopped ({reason}); it cannot be certified any more.",
    _BASIS,
)
register_rule(
    "CERT-DATE-FUTURE",
    "认证日期 {date} 晚于今天。",
    "The certification date {date} is in the future.",
    _BASIS,
)
register_rule(
    "CERT-DATE-BEFORE-PENSION",
    "认证日期 {date} 早于退休月份 {month}。",
    "The certification date {date} is before the retirement month {month}.",
    _BASIS,
)
register_rule(
    "CERT-CHANNEL",
    "认证渠道“{channel}”无效。",
    "The certification channel '{channel}' is not valid.",
    _BASIS,
)


# A retiree is certified once every 12 months (人社部发〔2018〕19号): a year, to the day.


def add_year(day: date) -> date:
    """The same day a year later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def overdue_cutoff(today: date) -> date:
    """The first date that is NOT overdue on ``today``: certified on a day before it, the
    12 months have passed (day + 12 months < today). A year before ``today``; 29 February
    maps to 1 March, since a certification of 28 February last year is overdue then."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return date(today.year - 1, 3, 1)


def certification_due(pension: Pension) -> date:
    """The day the next certification is due by: the last one (or, never certified, the first
    day of the first month paid) plus 12 months."""
    last = pension.certified_on or period_first_day(pension.start_period)
    return add_year(last)


def is_overdue(pension: Pension, today: date) -> bool:
    return certification_due(pension) < today


@dataclass(frozen=True)
class Certified:
    certification: Certification
    resumed: bool
    created: bool  # False: the same certification was recorded already (a retried request)


def _ensure_certifiable(pension: Pension, certified_on: date, today: date) -> None:
    if pension.status == PensionStatus.STOPPED:
        raise RuleViolation(
            "CERT-PENSION-STOPPED", reason=pension.get_end_reason_display() or pension.status
        )
    if certified_on > today:
        raise RuleViolation("CERT-DATE-FUTURE", date=certified_on.isoformat())
    if period_of(certified_on) < pension.retirement_month:
        raise RuleViolation(
            "CERT-DATE-BEFORE-PENSION",
            date=certified_on.isoformat(),
            month=pension.retirement_month,
        )


def resumption_figures(pension: Pension, suspended_from: int, certified_on: date) -> dict[str, Any]:
    """The withheld months the next payroll pays back: owed − paid from the first suspended
    month to the month before the certification (the certification month is paid as usual)."""
    last = period_add(period_of(certified_on), -1)
    diffs = pension_differences(pension, first=suspended_from, last=last)
    months = [d for d in diffs if d.difference_fen > 0]
    return {
        "suspended_from": suspended_from,
        "months": [d.period for d in months],
        "back_pay_fen": sum(d.difference_fen for d in months),
        "monthly_fen": pension.monthly_fen,
        "certified_on": certified_on.isoformat(),
    }


def certification_apply(
    *,
    actor: Actor,
    pension: Pension,
    certified_on: date,
    channel: str,
    source: str = "",
    case_id: int | None = None,
) -> Certified:
    """Record a certification inside the caller's transaction (a case handler, a file import):
    lock the pension, refuse a stopped one, resume a pension suspended for certification."""
    if channel not in CertificationChannel.values:
        raise RuleViolation("CERT-CHANNEL", channel=channel)
    ensure_in_scope(actor, pension.agency)
    locked = Pension.objects.select_for_update().select_related("agency").get(pk=pension.pk)
    _ensure_certifiable(locked, certified_on, timezone.localdate())
    existing = Certification.objects.filter(
        pension=locked, certified_on=certified_on, channel=channel
    ).first()
    if existing is not None:
        return Certified(existing, resumed=False, created=False)
    certification = Certification.objects.create(
        pension=locked,
        certified_on=certified_on,
        channel=channel,
        source=source[:100],
        case_id=case_id,
        recorded_by=actor.username,
    )
    before = {
        "status": locked.status,
        "certified_on": locked.certified_on.isoformat() if locked.certified_on else None,
        "suspended_from": locked.suspended_from,
        "recheck_from": locked.recheck_from,
    }
    if locked.certified_on is None or certified_on > locked.certified_on:
        locked.certified_on = certified_on
    resumed = (
        locked.status == PensionStatus.SUSPENDED
        and locked.suspension_reason == SuspensionReason.CERTIFICATION
    )
    if resumed:
        suspended_from = locked.suspended_from or locked.start_period
        PensionNotice.objects.create(
            pension=locked,
            kind=NoticeKind.RESUMPTION,
            period=suspended_from,
            details=resumption_figures(locked, suspended_from, certified_on)
            | {"certification": certification.pk, "channel": channel},
            created_by=actor.username,
        )
        locked.status = PensionStatus.ACTIVE
        locked.suspension_reason = ""
        locked.suspended_from = None
        # The next payroll compares owed with paid from the first withheld month: back pay.
        recheck_mark(locked, suspended_from)
    locked.save(
        update_fields=[
            "certified_on",
            "status",
            "suspension_reason",
            "suspended_from",
            "recheck_from",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action="pension.certify",
        target=locked,
        target_agency=locked.agency,
        before=before,
        after={
            "certification": certification.pk,
            "certified_on": certified_on.isoformat(),
            "channel": channel,
            "source": source[:100],
            "case": case_id,
            "resumed": resumed,
            "status": locked.status,
            "recheck_from": locked.recheck_from,
        },
    )
    return Certified(certification, resumed=resumed, created=True)


def certification_record(
    *,
    actor: Actor,
    pension: Pension,
    certified_on: date,
    channel: str,
    source: str = "",
) -> Certified:
    """One certification as one business action (the API; later the kiosk and the portal)."""
    ensure_can(actor, "accept", item_code=ITEM_CERTIFICATION, category="qualification")
    with transaction.atomic(durable=True):
        return certification_apply(
            actor=actor, pension=pension, certified_on=certified_on, channel=channel, source=source
        )


def certification_at_counter(
    *, actor: Actor, pension: Pension, certified_on: date, channel: str = "counter"
) -> Case:
    """The counter's certification (SBQL001, no review): the case is opened and completed with
    the clerk, and its handler records the certification. Checked first, so a refusal leaves
    no case behind."""
    ensure_in_scope(actor, pension.agency)
    _ensure_certifiable(pension, certified_on, timezone.localdate())
    with transaction.atomic(durable=True):
        case = open_request(
            actor=actor,
            item_code=ITEM_CERTIFICATION,
            channel=channel,
            person=pension.person,
            data={
                "pension_id": pension.pk,
                "certified_on": certified_on.isoformat(),
                "certification_channel": CertificationChannel.COUNTER.value,
            },
        )
    return case_transition(actor=actor, case=case, action="complete")


def certification_case_done(case: Case, actor: Actor) -> None:
    """The SBQL001 handler: record the certification the case asked for."""
    pension = Pension.objects.select_related("agency").get(pk=case.data["pension_id"])
    outcome = certification_apply(
        actor=actor,
        pension=pension,
        certified_on=date.fromisoformat(case.data["certified_on"]),
        channel=case.data.get("certification_channel", CertificationChannel.COUNTER),
        source=f"case:{case.receipt_no}",
        case_id=case.pk,
    )
    case_record_link(case=case, record=outcome.certification, effect="created")


# --- the monthly sweep -------------------------------------------------------------------------


def certification_sweep_create(
    *,
    actor: Actor,
    agency: Agency,
    period: int,
    as_of: date | None = None,
    chunk_pensions: int = SWEEP_CHUNK,
) -> BatchRun:
    """Plan the sweep of ``period`` (the payroll month about to run) for ``agency``'s subtree:
    the pensions overdue on ``as_of`` (default today) are suspended from ``period``."""
    ensure_can(actor, Action.RUN_BATCH)
    ensure_in_scope(actor, agency)
    period_validate(period)
    as_of = as_of or timezone.localdate()
    agencies = list(
        Agency.objects.filter(path__startswith=agency.path).values_list("pk", flat=True)
    )
    return batch_run_create(
        actor=actor,
        kind=SWEEP,
        agency=agency,
        period=period,
        params={
            "as_of": as_of.isoformat(),
            "cutoff": overdue_cutoff(as_of).isoformat(),
            "agencies": agencies,
            "chunk_pensions": chunk_pensions,
        },
    )


def certification_sweep_execute(
    run: BatchRun, *, actor: Actor, progress: Progress | None = None
) -> BatchRun:
    ensure_can(actor, Action.RUN_BATCH)
    ensure_in_scope(actor, run.agency)
    return batch_run_execute(run, actor=actor, progress=progress)
