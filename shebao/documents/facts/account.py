"""The facts of the account statement (个人账户对账单) and the retirement approval notice
(退休待遇核定通知书). Pure: the statement comes from ``accounts.selectors.statement_of``, the
notice from the pension's award and its approving case."""

from __future__ import annotations

from typing import Any

from shebao.accounts.statements import Statement, rate_percent
from shebao.core.money import format_yuan
from shebao.documents.facts.common import (
    ENTRY_KIND_LABELS,
    PENSION_GROUP_LABELS,
    line,
    masked_person_lines,
    month_short,
    months_text,
)


def account_statement_body(*, person: dict[str, Any], statement: Statement) -> dict[str, Any]:
    return {
        "person": person,
        "year": statement.year,
        "opening_fen": statement.opening_fen,
        "credits": [
            {"month": c.month, "periods": list(c.periods), "amount_fen": c.amount_fen}
            for c in statement.credits
        ],
        "interest": [
            {
                "month": i.month,
                "rate": i.rate,
                "rate_percent": rate_percent(i.rate),
                "amount_fen": i.amount_fen,
                "provisional": i.provisional,
            }
            for i in statement.interest
        ],
        "others": [
            {
                "kind": o.kind,
                "label": ENTRY_KIND_LABELS.get(o.kind, o.kind),
                "month": o.month,
                "period": o.period,
                "amount_fen": o.amount_fen,
            }
            for o in statement.others
        ],
        "credits_fen": statement.credits_fen,
        "interest_fen": statement.interest_fen,
        "others_fen": statement.others_fen,
        "closing_fen": statement.closing_fen,
        "contribution_months": statement.contribution_months,
        "provisional": statement.provisional,
    }


def account_statement_summary(body: dict[str, Any]) -> list[dict[str, str]]:
    rates = "、".join(sorted({i["rate_percent"] for i in body["interest"]})) or "—"
    return [
        *masked_person_lines(body["person"]),
        line("对账年度", "Year", str(body["year"])),
        line("上年末余额（元）", "Opening balance (yuan)", format_yuan(body["opening_fen"])),
        line("本年记账（元）", "Credits (yuan)", format_yuan(body["credits_fen"])),
        line(
            "本年利息（元）",
            "Interest (yuan)",
            f"{format_yuan(body['interest_fen'])}（记账利率 {rates}）",
        ),
        line("本年末余额（元）", "Closing balance (yuan)", format_yuan(body["closing_fen"])),
        line("累计缴费月数", "Contribution months", str(body["contribution_months"])),
    ]


def retirement_notice_body(
    *,
    person: dict[str, Any],
    pension: dict[str, Any],
    award: dict[str, Any],
    case: dict[str, Any],
) -> dict[str, Any]:
    """``pension``: group, retirement month, first month paid, the amount in force today and
    the paying agency; ``award``: the parts and their inputs as approved; ``case``: the
    approving case's receipt number, item and approval date."""
    return {
        "person": person,
        "group": PENSION_GROUP_LABELS.get(pension["group"], pension["group"]),
        "retirement_month": pension["retirement_month"],
        "start_period": pension["start_period"],
        "monthly_in_force_fen": pension["monthly_fen"],
        "paying_agency": pension["agency"],
        "retirement_age_months": award["retirement_age_months"],
        "basic_fen": award["basic_fen"],
        "account_fen": award["account_fen"],
        "transitional_fen": award["transitional_fen"],
        "total_fen": award["total_fen"],
        "contribution_months": award["contribution_months"],
        "deemed_months": award["deemed_months"],
        "average_index": award["average_index"],
        "benefit_base_fen": award["benefit_base_fen"],
        "benefit_base_year": award["benefit_base_year"],
        "provisional": award["provisional"],
        "account_balance_fen": award["account_balance_fen"],
        "divisor": award.get("divisor"),
        "case": case,
    }


def age_text(months: int) -> str:
    years, rest = divmod(months, 12)
    return f"{years}周岁{rest}个月" if rest else f"{years}周岁"


def retirement_notice_summary(body: dict[str, Any]) -> list[dict[str, str]]:
    rows = [
        *masked_person_lines(body["person"]),
        line("退休年月", "Retirement month", month_short(body["retirement_month"])),
        line("待遇起始年月", "Paid from", month_short(body["start_period"])),
        line(
            "核定月基本养老金（元）",
            "Monthly pension awarded (yuan)",
            format_yuan(body["total_fen"])
            + ("（按暂定计发基数核定）" if body["provisional"] else ""),
        ),
        line(
            "缴费年限（含视同）",
            "Contribution years (deemed included)",
            months_text(body["contribution_months"]),
        ),
        line(
            "核定办件",
            "Approving case",
            f"{body['case']['receipt_no']}（{body['case']['approved_on']}）",
        ),
    ]
    return rows
