"""Rebuilding the summary tables from the records, one period at a time (set-based SQL).

Each summary of each period is replaced whole in one transaction: the old rows go, the
new come from one ``INSERT … SELECT``, and its refresh time is recorded. A rerun writes the
same rows; a refresh killed half-way leaves the old ones. The batch runs and payment imports
call it for the periods they changed (``shebao.core.changes``); ``manage.py
refresh_statistics`` rebuilds any range, for the nightly job and after a migration.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.utils import timezone

from shebao.benefits.models import Benefit, LineStatus, PayrollLine, Pension, PensionStatus
from shebao.contributions.models import AssessmentLine, Bill, PaymentStatus
from shebao.core.changes import on_periods_changed
from shebao.core.models import BatchRun
from shebao.registry.models import InsuredRelation, Scheme
from shebao.reports.models import (
    BillSummary,
    ContributionSummary,
    InsuredSummary,
    PayrollSummary,
    RetireeSummary,
    Summary,
    SummaryRefresh,
)

log = logging.getLogger(__name__)

PAYROLL_KIND = "pension_payroll"
PENSION_BENEFIT = "pension"


def _insured_sql() -> str:
    return f"""
    INSERT INTO {InsuredSummary._meta.db_table}
        (period, agency_id, scheme, kind, insured, joined, ended)
    SELECT %(period)s, agency_id, scheme, kind, COUNT(DISTINCT person_id),
           SUM(CASE WHEN start_period = %(period)s THEN 1 ELSE 0 END),
           SUM(CASE WHEN end_period = %(period)s THEN 1 ELSE 0 END)
    FROM {InsuredRelation._meta.db_table}
    WHERE start_period <= %(period)s AND (end_period IS NULL OR end_period >= %(period)s)
    GROUP BY agency_id, scheme, kind
    """  # noqa: S608 - table names from the models, values bound


def _contribution_sql() -> str:
    return f"""
    INSERT INTO {ContributionSummary._meta.db_table}
        (period, agency_id, scheme, persons, base_fen, employer_fen, individual_fen,
         paid_fen, late_fee_fen)
    SELECT period, agency_id, scheme, COUNT(DISTINCT person_id), SUM(base_fen),
           SUM(employer_fen), SUM(individual_fen),
           SUM(CASE WHEN paid_on IS NOT NULL THEN employer_fen + individual_fen ELSE 0 END),
           SUM(late_fee_fen)
    FROM {AssessmentLine._meta.db_table}
    WHERE period = %(period)s
    GROUP BY period, agency_id, scheme
    """  # noqa: S608


def _bill_sql() -> str:
    unsettled = (PaymentStatus.UNPAID.value, PaymentStatus.PARTLY_PAID.value)
    return f"""
    INSERT INTO {BillSummary._meta.db_table}
        (period, agency_id, bills, total_fen, paid_fen, outstanding_fen, unpaid_bills)
    SELECT period, agency_id, COUNT(*), SUM(total_fen), SUM(paid_fen),
           SUM(CASE WHEN total_fen > paid_fen THEN total_fen - paid_fen ELSE 0 END),
           SUM(CASE WHEN payment_status IN ('{unsettled[0]}', '{unsettled[1]}') THEN 1 ELSE 0 END)
    FROM {Bill._meta.db_table}
    WHERE period = %(period)s
    GROUP BY period, agency_id
    """  # noqa: S608


def _payroll_sql() -> str:
    line, run, benefit = (
        PayrollLine._meta.db_table,
        BatchRun._meta.db_table,
        Benefit._meta.db_table,
    )
    return f"""
    INSERT INTO {PayrollSummary._meta.db_table}
        (period, agency_id, scheme, benefit, persons, lines, amount_fen, failed_fen)
    SELECT %(period)s, l.agency_id,
           COALESCE(b.scheme, '{Scheme.PENSION.value}'),
           COALESCE(b.kind, '{PENSION_BENEFIT}'),
           COUNT(DISTINCT l.person_id), COUNT(*), SUM(l.amount_fen),
           SUM(CASE WHEN l.status = '{LineStatus.FAILED.value}' THEN l.amount_fen ELSE 0 END)
    FROM {line} l
    JOIN {run} r ON r.id = l.run_id
    LEFT JOIN {benefit} b ON b.id = l.benefit_id
    WHERE r.kind = '{PAYROLL_KIND}' AND r.period = %(period)s
    GROUP BY l.agency_id, COALESCE(b.scheme, '{Scheme.PENSION.value}'),
             COALESCE(b.kind, '{PENSION_BENEFIT}')
    """  # noqa: S608


def _retiree_sql() -> str:
    return f"""
    INSERT INTO {RetireeSummary._meta.db_table} (period, agency_id, retirees, new, suspended)
    SELECT %(period)s, agency_id, COUNT(*),
           SUM(CASE WHEN start_period = %(period)s THEN 1 ELSE 0 END),
           SUM(CASE WHEN status = '{PensionStatus.SUSPENDED.value}'
                     AND suspended_from <= %(period)s THEN 1 ELSE 0 END)
    FROM {Pension._meta.db_table}
    WHERE start_period <= %(period)s AND (end_period IS NULL OR end_period >= %(period)s)
    GROUP BY agency_id
    """  # noqa: S608


SUMMARIES: dict[str, tuple[type[Summary], Callable[[], str]]] = {
    "insured": (InsuredSummary, _insured_sql),
    "contributions": (ContributionSummary, _contribution_sql),
    "bills": (BillSummary, _bill_sql),
    "payroll": (PayrollSummary, _payroll_sql),
    "retirees": (RetireeSummary, _retiree_sql),
}

# What each kind of change makes stale.
TOPICS: dict[str, tuple[str, ...]] = {
    "assessment": ("insured", "contributions", "bills"),
    "payments": ("contributions", "bills"),
    "payroll": ("payroll", "retirees"),
}


def summary_refresh(name: str, period: int) -> int:
    """Rebuild one summary of one period; the number of rows it now has."""
    model, sql = SUMMARIES[name]
    with transaction.atomic():
        model._default_manager.filter(period=period).delete()
        with connection.cursor() as cursor:
            cursor.execute(sql(), {"period": period})
            rows = max(cursor.rowcount, 0)
        SummaryRefresh.objects.update_or_create(
            summary=name, period=period, defaults={"refreshed_at": timezone.now(), "rows": rows}
        )
    return rows


def summaries_refresh(
    periods: Iterable[int], names: Iterable[str] = tuple(SUMMARIES)
) -> dict[str, int]:
    """Rebuild the named summaries of every period; rows written per summary."""
    chosen = list(names)
    written = dict.fromkeys(chosen, 0)
    for period in sorted(set(periods)):
        for name in chosen:
            written[name] += summary_refresh(name, period)
    return written


@on_periods_changed
def _on_periods_changed(topic: str, periods: frozenset[int]) -> None:
    names = TOPICS.get(topic)
    if names is None:
        return
    written = summaries_refresh(periods, names)
    log.info("statistics refreshed after %s: periods %s, rows %s", topic, sorted(periods), written)
