"""The facts of the employer contribution certificate (单位参保证明) and of a bill (缴费单),
from the employer's and the bill's rows. Pure.

The certificate is what banks and tenders ask for: who the employer is, how many it insures
in each scheme today, what the last twelve assessed periods came to and whether they were
paid, and whether anything is in arrears on the issue date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from shebao.core.masking import mask_name, mask_resident_id
from shebao.core.money import format_yuan
from shebao.documents.facts.common import (
    BILL_KIND_LABELS,
    PAYMENT_STATUS_LABELS,
    SCHEME_LABELS,
    SCHEMES,
    date_text,
    line,
    month_short,
)

PERIODS_SHOWN = 12


@dataclass(frozen=True)
class PeriodLines:
    """An employer's assessment of one period, all its lines added up."""

    period: int
    persons: int
    pension_base_fen: int
    employer_fen: int
    individual_fen: int


@dataclass(frozen=True)
class PeriodBills:
    period: int
    bills: int
    due_fen: int
    paid_fen: int


@dataclass(frozen=True)
class OpenBill:
    """A bill not fully paid on the issue date."""

    number: str
    period: int
    due_date: date
    outstanding_fen: int


def paid_status(due_fen: int, paid_fen: int) -> str:
    if due_fen <= 0 and paid_fen <= 0:
        return "无应缴"
    if paid_fen == due_fen:
        return "已足额缴纳"
    if paid_fen > due_fen:
        return f"已缴纳（多缴 {format_yuan(paid_fen - due_fen)} 元）"
    if paid_fen <= 0:
        return "未缴纳"
    return f"部分缴纳（欠 {format_yuan(due_fen - paid_fen)} 元）"


def employer_certificate_body(
    *,
    employer: dict[str, Any],
    headcount: dict[str, int],
    periods: Sequence[PeriodLines],
    bills: Sequence[PeriodBills],
    open_bills: Sequence[OpenBill],
    as_of: date,
) -> dict[str, Any]:
    bills_of = {row.period: row for row in bills}
    rows = []
    for row in sorted(periods, key=lambda r: r.period, reverse=True)[:PERIODS_SHOWN]:
        billed = bills_of.get(row.period)
        due, paid = (billed.due_fen, billed.paid_fen) if billed else (0, 0)
        rows.append(
            {
                "period": row.period,
                "persons": row.persons,
                "pension_base_fen": row.pension_base_fen,
                "employer_fen": row.employer_fen,
                "individual_fen": row.individual_fen,
                "due_fen": due,
                "paid_fen": paid,
                "status": paid_status(due, paid),
            }
        )
    overdue = [b for b in open_bills if b.due_date < as_of]
    pending = [b for b in open_bills if b.due_date >= as_of]
    return {
        "employer": employer,
        "as_of": as_of.isoformat(),
        "headcount": [
            {"scheme": scheme, "label": label, "persons": headcount.get(scheme, 0)}
            for scheme, label in SCHEMES
        ],
        "periods": rows,
        "arrears": {
            "bills": len(overdue),
            "outstanding_fen": sum(b.outstanding_fen for b in overdue),
            "oldest_due": min(b.due_date for b in overdue).isoformat() if overdue else None,
            "numbers": [b.number for b in sorted(overdue, key=lambda b: (b.due_date, b.number))],
        },
        "not_yet_due": {
            "bills": len(pending),
            "outstanding_fen": sum(b.outstanding_fen for b in pending),
        },
    }


def arrears_sentence(body: dict[str, Any]) -> str:
    """The statement banks read: no arrears on the date, or how much is outstanding."""
    on = date_text(body["as_of"])
    arrears = body["arrears"]
    if not arrears["bills"]:
        return f"截至{on}，该单位无欠缴社会保险费。"
    return (
        f"截至{on}，该单位欠缴社会保险费 {format_yuan(arrears['outstanding_fen'])} 元"
        f"（{arrears['bills']} 张缴费单，最早应缴日期 {arrears['oldest_due']}），"
        "滞纳金自滞纳之日起按日加收万分之五，另行计算。"
    )


def employer_certificate_summary(body: dict[str, Any]) -> list[dict[str, str]]:
    employer = body["employer"]
    heads = "，".join(f"{h['label']} {h['persons']} 人" for h in body["headcount"])
    rows = [
        line("单位名称", "Employer", employer["name"]),
        line("统一社会信用代码", "Credit code", employer["credit_code"]),
        line("参保状态", "Status", employer["status"]),
        line("当前参保人数", "Insured now", heads),
    ]
    if body["periods"]:
        latest, earliest = body["periods"][0], body["periods"][-1]
        rows.append(
            line(
                "缴费情况",
                "Contributions",
                f"{month_short(earliest['period'])} 至 {month_short(latest['period'])} "
                f"共 {len(body['periods'])} 期，最近一期 {month_short(latest['period'])} "
                f"{latest['persons']} 人，{latest['status']}",
            )
        )
    rows.append(line("欠费情况", "Arrears", arrears_sentence(body)))
    return rows


# --- the bill ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BillLine:
    person_id: int
    name: str
    resident_id: str
    scheme: str
    base_fen: int
    employer_fen: int
    individual_fen: int


def bill_body(
    *, bill: dict[str, Any], payer: dict[str, Any], lines: Sequence[BillLine]
) -> dict[str, Any]:
    """The bill as issued (its amounts never change) with its payment as of the issue date.
    Each person's lines together, their resident ID masked: a bill goes round an office."""
    persons: list[dict[str, Any]] = []
    for row in lines:
        if not persons or persons[-1]["id"] != row.person_id:
            persons.append(
                {
                    "id": row.person_id,
                    "name": row.name,
                    "resident_id": mask_resident_id(row.resident_id),
                    "lines": [],
                }
            )
        persons[-1]["lines"].append(
            {
                "scheme": SCHEME_LABELS.get(row.scheme, row.scheme),
                "base_fen": row.base_fen,
                "employer_fen": row.employer_fen,
                "individual_fen": row.individual_fen,
            }
        )
    return {
        "bill": bill
        | {
            "kind_label": BILL_KIND_LABELS.get(bill["kind"], bill["kind"]),
            "status_label": PAYMENT_STATUS_LABELS.get(bill["payment_status"], ""),
            "outstanding_fen": max(bill["total_fen"] - bill["paid_fen"], 0),
        },
        "payer": payer,
        "persons": persons,
        "lines_employer_fen": sum(r.employer_fen for r in lines),
        "lines_individual_fen": sum(r.individual_fen for r in lines),
    }


def bill_summary(body: dict[str, Any]) -> list[dict[str, str]]:
    bill, payer = body["bill"], body["payer"]
    payer_name = payer["name"] if payer["type"] == "employer" else mask_name(payer["name"])
    return [
        line("缴费单号", "Bill number", bill["number"]),
        line("缴费单位（人）", "Payer", payer_name),
        line("费款所属期", "Period", month_short(bill["period"])),
        line("缴费单类型", "Kind", bill["kind_label"]),
        line("人数", "Persons", str(bill["persons"])),
        line("应缴合计（元）", "Total due (yuan)", format_yuan(bill["total_fen"])),
        line("应缴截止日期", "Due date", bill["due_date"]),
        line(
            "缴费状态",
            "Payment status",
            f"{bill['status_label']}，已缴 {format_yuan(bill['paid_fen'])} 元",
        ),
    ]
