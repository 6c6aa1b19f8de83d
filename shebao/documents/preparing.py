"""Preparing a document before it is written: a fresh code, the facts read from the records,
the public summary and the rendered PDF.

Preparing reads and renders but writes nothing, so the services do it before their
transaction: a PDF of many pages is not rendered while the case's transaction holds the
audit chain's lock, and a failure while rendering leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from shebao.accounts.selectors import account_summary, statement_of
from shebao.benefits.models import AwardKind, Pension, PensionAward
from shebao.contributions.models import Bill
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.masking import mask_resident_id
from shebao.core.models import Agency
from shebao.documents import selectors
from shebao.documents.codes import code_new
from shebao.documents.facts.account import (
    account_statement_body,
    account_statement_summary,
    retirement_notice_body,
    retirement_notice_summary,
)
from shebao.documents.facts.common import EMPLOYER_STATUS_LABELS, envelope, person_block
from shebao.documents.facts.employer import (
    bill_body,
    bill_summary,
    employer_certificate_body,
    employer_certificate_summary,
)
from shebao.documents.facts.personal import (
    personal_certificate_body,
    personal_certificate_summary,
)
from shebao.documents.models import DocumentKind
from shebao.documents.render.base import RENDERER, Rendered
from shebao.documents.render.kinds import render_document
from shebao.registry.models import Employer, EmployerStatus, Person
from shebao.registry.services.persons import ensure_person_active
from shebao.services.models import Case, CaseStatus

register_rule(
    "DOC-STATEMENT-NO-ACCOUNT",
    "该人员尚无个人账户记账记录，不能开具对账单。",
    "This person's account has no entries yet: there is no statement to issue.",
)
register_rule(
    "DOC-STATEMENT-YEAR",
    "对账单年度 {year} 无效：可开具 {first} 至 {last} 年度的对账单。",
    "There is no statement of {year}: statements can be issued for {first} to {last}.",
)
register_rule(
    "DOC-EMPLOYER-PENDING",
    "该单位的参保登记尚在审核中，审核通过后方可开具单位参保证明。",
    "The employer's registration is still in review: a certificate can be issued once it is "
    "approved.",
)
register_rule(
    "DOC-NOTICE-NO-AWARD",
    "该养老金没有在本系统审批的退休待遇核定（如由原城市系统迁移），不能开具核定通知书副本。",
    "This pension has no award approved in shebao (it was migrated from a city system, for "
    "instance): there is no approval notice to copy.",
)


@dataclass(frozen=True)
class Prepared:
    """A document ready to be written: what the row will hold, and the PDF."""

    kind: str
    code: str
    facts: dict[str, Any]
    summary: list[dict[str, str]]
    rendered: Rendered
    agency: Agency
    issued_at: datetime
    person: Person | None = None
    employer: Employer | None = None
    reference: str = ""

    @property
    def renderer(self) -> str:
        return RENDERER


def _prepare(
    kind: str,
    *,
    agency: Agency,
    body: dict[str, Any],
    summarise: Callable[[dict[str, Any]], list[dict[str, str]]],
    person: Person | None = None,
    employer: Employer | None = None,
    reference: str = "",
    issued_at: datetime | None = None,
) -> Prepared:
    issued_at = issued_at or timezone.now()
    code = code_new()
    facts = envelope(
        kind=kind,
        code=code,
        verify_base=settings.SHEBAO_PUBLIC_URL,
        agency_code=agency.code,
        agency_name=agency.name,
        province=settings.SHEBAO_PROVINCE_NAME,
        issued_at=timezone.localtime(issued_at),
        body=body,
    )
    return Prepared(
        kind=kind,
        code=code,
        facts=facts,
        summary=summarise(body),
        rendered=render_document(facts),
        agency=agency,
        issued_at=issued_at,
        person=person,
        employer=employer,
        reference=reference,
    )


def _person(person: Person) -> dict[str, Any]:
    return person_block(
        person_id=person.pk,
        name=person.name,
        sex=person.sex,
        resident_id=person.resident_id,
        agency=person.managing_agency.name,
    )


def personal_certificate_prepare(person: Person) -> Prepared:
    ensure_person_active(person)
    as_of = timezone.localdate()
    body = personal_certificate_body(
        person=_person(person),
        relations=selectors.person_relation_rows(person),
        lines=selectors.person_line_sums(person),
        history=selectors.person_history_months(person),
        as_of=as_of,
    )
    return _prepare(
        DocumentKind.PERSONAL_CERTIFICATE,
        agency=person.managing_agency,
        body=body,
        summarise=personal_certificate_summary,
        person=person,
    )


def employer_certificate_prepare(employer: Employer) -> Prepared:
    if employer.status == EmployerStatus.PENDING:
        raise RuleViolation("DOC-EMPLOYER-PENDING")
    as_of = timezone.localdate()
    periods = selectors.employer_period_lines(employer, as_of=as_of)
    body = employer_certificate_body(
        employer={
            "id": employer.pk,
            "name": employer.name,
            "credit_code": employer.credit_code,
            "legal_representative": employer.legal_representative,
            "agency": employer.managing_agency.name,
            "status": EMPLOYER_STATUS_LABELS.get(employer.status, employer.status),
            "since": selectors.employer_first_period(employer),
        },
        headcount=selectors.employer_headcount(employer),
        periods=periods,
        bills=selectors.employer_period_bills(employer, [p.period for p in periods]),
        open_bills=selectors.employer_open_bills(employer),
        as_of=as_of,
    )
    return _prepare(
        DocumentKind.EMPLOYER_CERTIFICATE,
        agency=employer.managing_agency,
        body=body,
        summarise=employer_certificate_summary,
        employer=employer,
    )


def statement_year_check(person: Person, year: int, today: date) -> None:
    years = account_summary(person).years
    if not years:
        raise RuleViolation("DOC-STATEMENT-NO-ACCOUNT")
    if not years[0] <= year <= today.year:
        raise RuleViolation("DOC-STATEMENT-YEAR", year=year, first=years[0], last=today.year)


def default_statement_year(person: Person) -> int:
    """For a statement case opened without a year: the last year the account moved in."""
    years = account_summary(person).years
    return years[-1] if years else timezone.localdate().year


def account_statement_prepare(person: Person, year: int) -> Prepared:
    ensure_person_active(person)
    statement_year_check(person, year, timezone.localdate())
    body = account_statement_body(person=_person(person), statement=statement_of(person, year))
    return _prepare(
        DocumentKind.ACCOUNT_STATEMENT,
        agency=person.managing_agency,
        body=body,
        summarise=account_statement_summary,
        person=person,
        reference=str(year),
    )


def bill_payer(bill: Bill) -> Person | Employer:
    payer = bill.employer or bill.person
    assert payer is not None  # contributions_bill_has_payer
    return payer


def bill_prepare(bill: Bill) -> Prepared:
    payer = bill_payer(bill)
    if isinstance(payer, Employer):
        payer_facts = {"type": "employer", "name": payer.name, "code": payer.credit_code}
    else:
        payer_facts = {
            "type": "flexible",
            "name": payer.name,
            "code": mask_resident_id(payer.resident_id),
        }
    facts_of_bill = {
        "number": bill.number,
        "kind": bill.kind,
        "period": bill.period,
        "due_date": bill.due_date.isoformat(),
        "issued_on": timezone.localdate(bill.issued_at).isoformat(),
        "persons": bill.persons,
        "lines": bill.lines,
        "employer_fen": bill.employer_fen,
        "individual_fen": bill.individual_fen,
        "late_fee_fen": bill.late_fee_fen,
        "total_fen": bill.total_fen,
        "paid_fen": bill.paid_fen,
        "payment_status": bill.payment_status,
        "paid_on": bill.paid_on.isoformat() if bill.paid_on else None,
    }
    body = bill_body(bill=facts_of_bill, payer=payer_facts, lines=selectors.bill_line_rows(bill))
    return _prepare(
        DocumentKind.BILL,
        agency=payer.managing_agency,
        body=body,
        summarise=bill_summary,
        person=payer if isinstance(payer, Person) else None,
        employer=payer if isinstance(payer, Employer) else None,
        reference=bill.number,
    )


def award_case_of(pension: Pension) -> tuple[PensionAward, Case]:
    """The award approved at retirement and its case, or a refusal for a pension awarded
    outside shebao."""
    award = (
        PensionAward.objects.filter(
            pension=pension, kind=AwardKind.AWARD, case_id=pension.award_case_id
        )
        .order_by("pk")
        .first()
    )
    case = (
        Case.objects.select_related("item").filter(pk=pension.award_case_id).first()
        if pension.award_case_id is not None
        else None
    )
    finished = (CaseStatus.APPROVED, CaseStatus.DONE)
    if award is None or case is None or case.status not in finished or case.finished_at is None:
        raise RuleViolation("DOC-NOTICE-NO-AWARD")
    return award, case


def retirement_notice_prepare(pension: Pension) -> tuple[Prepared, Case]:
    award, case = award_case_of(pension)
    person = Person.objects.select_related("managing_agency").get(pk=pension.person_id)
    assert case.finished_at is not None
    body = retirement_notice_body(
        person=_person(person),
        pension={
            "group": pension.group,
            "retirement_month": pension.retirement_month,
            "start_period": pension.start_period,
            "monthly_fen": pension.monthly_fen,
            "agency": pension.agency.name,
        },
        award={
            "retirement_age_months": award.retirement_age_months,
            "basic_fen": award.basic_fen,
            "account_fen": award.account_fen,
            "transitional_fen": award.transitional_fen,
            "total_fen": award.total_fen,
            "contribution_months": award.contribution_months,
            "deemed_months": award.deemed_months,
            "average_index": award.average_index,
            "benefit_base_fen": award.benefit_base_fen,
            "benefit_base_year": award.benefit_base_year,
            "provisional": award.provisional,
            "account_balance_fen": award.account_balance_fen,
            "divisor": award.calculation.get("divisor"),
        },
        case={
            "receipt_no": case.receipt_no,
            "item": case.item.name,
            "approved_on": timezone.localdate(case.finished_at).isoformat(),
        },
    )
    prepared = _prepare(
        DocumentKind.RETIREMENT_NOTICE,
        agency=pension.agency,
        body=body,
        summarise=retirement_notice_summary,
        person=person,
        reference=case.receipt_no,
    )
    return prepared, case
