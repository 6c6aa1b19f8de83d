"""What every document's facts share: the envelope (title, code, agency, issue date, the
verification address) and the Chinese labels the PDF prints.

The labels are written out here rather than taken from the models' translated choices: the
facts are the record a PDF is rendered from, and what they say must not depend on whether a
translation catalogue was compiled on the machine that issued them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shebao.core.masking import mask_name, mask_resident_id
from shebao.documents.codes import code_display

# Bumped whenever the facts' shape changes (the renderer reads every version it ever wrote).
FACTS_VERSION = 1

TITLES = {
    "personal_certificate": "参保缴费证明",
    "employer_certificate": "单位参保证明",
    "account_statement": "基本养老保险个人账户对账单",
    "bill": "社会保险费缴费单",
    "retirement_notice": "退休待遇核定通知书",
}

SCHEMES = (
    ("pension", "基本养老保险"),
    ("unemployment", "失业保险"),
    ("work_injury", "工伤保险"),
)
SCHEME_LABELS = dict(SCHEMES)
SCHEME_EN = {"pension": "Pension", "unemployment": "Unemployment", "work_injury": "Work injury"}

SEX_LABELS = {"M": "男", "F": "女"}

RELATION_STATUS_LABELS = {
    "active": "参保缴费",
    "suspended": "暂停缴费",
    "ended": "停止参保",
    "transferred_out": "已转出",
    "retired": "已退休",
    "deceased": "已死亡",
}

EMPLOYER_STATUS_LABELS = {
    "pending": "登记审核中",
    "active": "正常参保",
    "suspended": "暂停缴费",
    "deregistered": "已注销",
}

BILL_KIND_LABELS = {
    "original": "月度缴费单",
    "difference": "差额缴费单",
    "back_payment": "补缴缴费单",
}

PAYMENT_STATUS_LABELS = {
    "unpaid": "未缴费",
    "partly_paid": "部分缴费",
    "paid": "已缴费",
    "overpaid": "多缴",
    "credit": "无需缴费（冲减）",
}

ENTRY_KIND_LABELS = {
    "contribution": "缴费记账",
    "interest": "利息",
    "transfer_in": "转入",
    "transfer_out": "转出",
    "correction": "更正",
    "payout": "转入养老金发放",
    "inheritance": "继承支付",
    "refund": "退费",
    "migrated": "原系统迁移余额",
}

PENSION_GROUP_LABELS = {
    "male": "男职工",
    "female-50": "女职工（原50周岁）",
    "female-55": "女干部（原55周岁）",
}

FLEXIBLE = "灵活就业"
BEFORE_SHEBAO = "本系统启用前缴费记录"


def month_text(period: int) -> str:
    """202401 → ``2024年01月``."""
    return f"{period // 100}年{period % 100:02d}月"


def month_short(period: int) -> str:
    """202401 → ``2024-01``."""
    return f"{period // 100}-{period % 100:02d}"


def date_text(day: date | str) -> str:
    """2026-12-06 → ``2026年12月06日``."""
    value = date.fromisoformat(day) if isinstance(day, str) else day
    return f"{value.year}年{value.month:02d}月{value.day:02d}日"


def months_text(months: int) -> str:
    """400 → ``33年4个月``; under a year just the months."""
    years, rest = divmod(months, 12)
    if years == 0:
        return f"{rest}个月"
    return f"{years}年{rest}个月" if rest else f"{years}年"


def envelope(
    *,
    kind: str,
    code: str,
    verify_base: str,
    agency_code: str,
    agency_name: str,
    province: str,
    issued_at: datetime,
    body: dict[str, Any],
) -> dict[str, Any]:
    """The whole facts of a document: what every kind shares, and its ``body``. ``issued_at``
    is aware; the issue date is the Shanghai date of it (the caller converts)."""
    base = verify_base.rstrip("/")
    return {
        "version": FACTS_VERSION,
        "kind": kind,
        "title": TITLES[kind],
        "code": code,
        "code_display": code_display(code),
        "verify_base": f"{base}/verify/",
        "verify_url": f"{base}/verify/{code}/",
        "agency": {"code": agency_code, "name": agency_name},
        "province": province,
        "issued_at": issued_at.isoformat(timespec="seconds"),
        "issued_on": issued_at.date().isoformat(),
        "body": body,
    }


def person_block(
    *, person_id: int, name: str, sex: str, resident_id: str, agency: str
) -> dict[str, Any]:
    """The holder as their own document shows them: the full name and resident ID."""
    return {
        "id": person_id,
        "name": name,
        "sex": SEX_LABELS.get(sex, sex),
        "resident_id": resident_id,
        "agency": agency,
    }


def line(label: str, label_en: str, value: str) -> dict[str, str]:
    """One row of the public summary the verification page shows."""
    return {"label": label, "label_en": label_en, "value": value}


def masked_person_lines(person: dict[str, Any]) -> list[dict[str, str]]:
    return [
        line("姓名", "Name", mask_name(person["name"])),
        line("公民身份号码", "Resident ID", mask_resident_id(person["resident_id"])),
    ]
