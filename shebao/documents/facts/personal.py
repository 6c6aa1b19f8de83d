"""The facts of the personal contribution certificate (参保缴费证明), from the person's rows.

Pure: the relations, the assessment sums and the months recorded before shebao are passed in.

What counts as a contribution month is what retirement counts (``benefits.services.history``):
a period of shebao's own assessment whose paid lines add up to a positive base, or a month
recorded before shebao (``HistoricalContribution``); a month in both counts once, as
assessed. A period assessed but not paid is listed apart, as owed, and never counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from shebao.core.money import format_yuan
from shebao.core.periods import period_add
from shebao.documents.facts.common import (
    BEFORE_SHEBAO,
    FLEXIBLE,
    RELATION_STATUS_LABELS,
    SCHEME_EN,
    SCHEMES,
    line,
    masked_person_lines,
    month_short,
)


@dataclass(frozen=True)
class RelationRow:
    scheme: str
    employer_name: str | None  # None: a flexible worker
    start_period: int
    end_period: int | None
    status: str


@dataclass(frozen=True)
class LineSum:
    """The person's assessment lines of one scheme, period and payer, paid or not, added up
    (an original line and its differences)."""

    scheme: str
    period: int
    employer_name: str | None
    paid: bool
    base_fen: int
    employer_fen: int
    individual_fen: int


@dataclass(frozen=True)
class HistoryMonth:
    scheme: str
    period: int
    base_fen: int


@dataclass(frozen=True)
class _Month:
    period: int
    payer: str
    origin: str  # "assessment" or "history"
    base_fen: int
    employer_fen: int | None  # None: not known (recorded before shebao)
    individual_fen: int | None


def _status(relations: Sequence[RelationRow]) -> dict[str, Any]:
    """The scheme's standing now: the active relation, else the most recent one."""
    if not relations:
        return {"status": "未参保", "payer": "", "since": None}
    active = [r for r in relations if r.status == "active"]
    current = (active or sorted(relations, key=lambda r: (r.start_period, r.end_period or 0)))[-1]
    return {
        "status": RELATION_STATUS_LABELS.get(current.status, current.status),
        "payer": current.employer_name or FLEXIBLE,
        "since": min(r.start_period for r in relations),
    }


def _months(
    lines: Iterable[LineSum], history: Iterable[HistoryMonth]
) -> tuple[list[_Month], list[dict[str, Any]]]:
    """The contribution months of one scheme, and the periods assessed but unpaid."""
    paid: dict[int, list[LineSum]] = defaultdict(list)
    unpaid: dict[int, list[LineSum]] = defaultdict(list)
    for row in lines:
        (paid if row.paid else unpaid)[row.period].append(row)
    months: dict[int, _Month] = {}
    for period, rows in paid.items():
        base = sum(r.base_fen for r in rows)
        if base <= 0:
            continue
        # Two payers in one period (a change of employer with a reversal): the larger names it.
        by_payer: dict[str, int] = defaultdict(int)
        for r in rows:
            by_payer[r.employer_name or FLEXIBLE] += r.base_fen
        months[period] = _Month(
            period=period,
            payer=max(sorted(by_payer), key=lambda name: by_payer[name]),
            origin="assessment",
            base_fen=base,
            employer_fen=sum(r.employer_fen for r in rows),
            individual_fen=sum(r.individual_fen for r in rows),
        )
    for month in history:
        if month.period not in months and month.base_fen > 0:
            months[month.period] = _Month(
                period=month.period,
                payer=BEFORE_SHEBAO,
                origin="history",
                base_fen=month.base_fen,
                employer_fen=None,
                individual_fen=None,
            )
    owed = []
    for period in sorted(unpaid):
        rows = unpaid[period]
        base = sum(r.base_fen for r in rows)
        if period in months or base <= 0:
            continue
        owed.append(
            {
                "period": period,
                "base_fen": base,
                "employer_fen": sum(r.employer_fen for r in rows),
                "individual_fen": sum(r.individual_fen for r in rows),
            }
        )
    return [months[p] for p in sorted(months)], owed


def _ranges(months: Sequence[_Month]) -> list[dict[str, Any]]:
    """Runs of consecutive months with the same payer."""
    ranges: list[dict[str, Any]] = []
    for month in months:
        last = ranges[-1] if ranges else None
        if last and last["payer"] == month.payer and period_add(last["to"], 1) == month.period:
            last["to"] = month.period
            last["months"] += 1
        else:
            ranges.append(
                {"from": month.period, "to": month.period, "months": 1, "payer": month.payer}
            )
    return ranges


def _years(months: Sequence[_Month]) -> list[dict[str, Any]]:
    """Per year and origin: months, the lowest and highest monthly base, the amounts (None
    for months recorded before shebao, whose amounts are not known)."""
    groups: dict[tuple[int, str], list[_Month]] = defaultdict(list)
    for month in months:
        groups[(month.period // 100, month.origin)].append(month)
    years = []
    for (year, origin), group in sorted(
        groups.items(), key=lambda item: (item[0][0], item[0][1] != "history")
    ):
        known = origin == "assessment"
        years.append(
            {
                "year": year,
                "origin": origin,
                "months": len(group),
                "base_min_fen": min(m.base_fen for m in group),
                "base_max_fen": max(m.base_fen for m in group),
                "employer_fen": sum(m.employer_fen or 0 for m in group) if known else None,
                "individual_fen": sum(m.individual_fen or 0 for m in group) if known else None,
            }
        )
    return years


def scheme_facts(
    scheme: str,
    label: str,
    relations: Sequence[RelationRow],
    lines: Iterable[LineSum],
    history: Iterable[HistoryMonth],
) -> dict[str, Any]:
    months, owed = _months(lines, history)
    assessed = [m for m in months if m.origin == "assessment"]
    return {
        "scheme": scheme,
        "label": label,
        **_status(relations),
        "ranges": _ranges(months),
        "years": _years(months),
        "unpaid": owed,
        "paid_months": len(assessed),
        "history_months": len(months) - len(assessed),
        "total_months": len(months),
        "first_month": months[0].period if months else None,
        "last_month": months[-1].period if months else None,
        "employer_fen": sum(m.employer_fen or 0 for m in assessed),
        "individual_fen": sum(m.individual_fen or 0 for m in assessed),
    }


def personal_certificate_body(
    *,
    person: dict[str, Any],
    relations: Sequence[RelationRow],
    lines: Sequence[LineSum],
    history: Sequence[HistoryMonth],
    as_of: date,
) -> dict[str, Any]:
    return {
        "person": person,
        "as_of": as_of.isoformat(),
        "schemes": [
            scheme_facts(
                scheme,
                label,
                [r for r in relations if r.scheme == scheme],
                [row for row in lines if row.scheme == scheme],
                [month for month in history if month.scheme == scheme],
            )
            for scheme, label in SCHEMES
        ],
    }


def personal_certificate_summary(body: dict[str, Any]) -> list[dict[str, str]]:
    rows = masked_person_lines(body["person"])
    for scheme in body["schemes"]:
        if scheme["total_months"]:
            value = (
                f"{month_short(scheme['first_month'])} 至 {month_short(scheme['last_month'])} "
                f"累计缴费 {scheme['total_months']} 个月"
            )
            if scheme["paid_months"]:
                value += (
                    f"（本系统记录 {scheme['paid_months']} 个月，个人缴费 "
                    f"{format_yuan(scheme['individual_fen'])} 元，单位缴费 "
                    f"{format_yuan(scheme['employer_fen'])} 元）"
                )
        else:
            value = "无缴费记录"
        # An employer's name is public record; "灵活就业" names no one.
        status = f"{scheme['status']}（{scheme['payer']}）" if scheme["payer"] else scheme["status"]
        rows.append(line(scheme["label"], SCHEME_EN[scheme["scheme"]], f"{status}；{value}"))
    return rows
