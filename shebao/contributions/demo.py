"""Collection demo data: verified bases, two monthly assessments of the whole province, the tax
bureau's payments (most bills paid, some partly, a few overpaid, some not at all), and cases a
clerk and a reviewer find in their queues (a base declaration, a back-payment, a refund).

Deterministic and skipped when already there (the September assessment marks it).
"""

from __future__ import annotations

import random

from django.db import transaction

from shebao.contributions.models import BaseClamp, BaseSource, Bill, ContributionBase
from shebao.contributions.services.assessments import (
    assessment_run_create,
    assessment_run_execute,
)
from shebao.contributions.services.backpay import back_payment_request
from shebao.contributions.services.bases import WageRow, base_declaration_request, year_bounds
from shebao.contributions.services.payments import payments_receive
from shebao.contributions.services.refunds import refund_request
from shebao.core.actors import staff_actor, system_actor
from shebao.core.audit import audit_record
from shebao.core.models import Agency, BatchRun
from shebao.registry.demo import demo_employer, demo_person
from shebao.registry.models import InsuredRelation, RelationKind, RelationStatus
from shebao.services.models import Case
from shebao.services.services import case_transition

DEMO_YEAR = 2026
DEMO_PERIODS = (202609, 202610)
SEED = 2026_06


def seed_demo(*, bulk: bool = True) -> None:
    if BatchRun.objects.filter(kind="monthly_assessment", period=DEMO_PERIODS[0]).exists():
        return
    seed_declarations()
    seed_register_bases()
    system = system_actor("seed_demo")
    province = Agency.objects.get(code="420000")
    for period in DEMO_PERIODS:
        run = assessment_run_create(actor=system, period=period, agency=province)
        assessment_run_execute(run, actor=system)
    seed_payments()
    seed_back_payment()
    seed_refund()


def seed_declarations() -> None:
    """The supermarket's 2026 declaration, approved (a wage raised to the floor); the
    auto-parts maker's, waiting in reviewer_zhangwan's queue (a wage lowered to the cap)."""
    supermarket = demo_employer("十堰市示范超市有限公司")
    case = base_declaration_request(
        actor=staff_actor("clerk_maojian"),
        employer=supermarket,
        year=DEMO_YEAR,
        rows=[WageRow(demo_person("张伟").resident_id, 380000)],
    )
    case = case_transition(actor=staff_actor("clerk_maojian"), case=case, action="send_for_review")
    case_transition(actor=staff_actor("reviewer_maojian"), case=case, action="approve")
    parts = demo_employer("湖北示例汽车零部件有限公司")
    case = base_declaration_request(
        actor=staff_actor("clerk_zhangwan"),
        employer=parts,
        year=DEMO_YEAR,
        rows=[WageRow(demo_person("李娜").resident_id, 2500000)],
    )
    case_transition(actor=staff_actor("clerk_zhangwan"), case=case, action="send_for_review")


def seed_register_bases() -> None:
    """A 2026 base for every other employee insured now: as if each employer had declared.

    Written in bulk (the register has tens of thousands of relations) and audited once.
    """
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data
    have = set(ContributionBase.objects.filter(year=DEMO_YEAR).values_list("person_id", "scheme"))
    relations = (
        InsuredRelation.objects.filter(kind=RelationKind.EMPLOYEE, status=RelationStatus.ACTIVE)
        .select_related("employer__managing_agency")
        .order_by("person_id", "scheme")
    )
    bounds: dict[int, tuple[int, int]] = {}
    wages: dict[int, int] = {}
    rows = []
    for relation in relations.iterator(chunk_size=5000):
        if (relation.person_id, relation.scheme) in have:
            continue
        employer = relation.employer
        assert employer is not None
        agency = employer.managing_agency
        if agency.pk not in bounds:
            year = year_bounds(agency, DEMO_YEAR)
            bounds[agency.pk] = (year.floor_fen, year.cap_fen)
        floor, cap = bounds[agency.pk]
        wage = wages.setdefault(relation.person_id, rng.randint(3000, 26000) * 100)
        base = min(max(wage, floor), cap)
        clamp = BaseClamp.FLOOR if base > wage else BaseClamp.CAP if base < wage else ""
        rows.append(
            ContributionBase(
                person_id=relation.person_id,
                scheme=relation.scheme,
                year=DEMO_YEAR,
                employer=employer,
                source=BaseSource.DECLARED,
                declared_wage_fen=wage,
                base_fen=base,
                clamp=clamp,
                floor_fen=floor,
                cap_fen=cap,
                declared_by="system:seed_demo",
            )
        )
    with transaction.atomic(durable=True):
        ContributionBase.objects.bulk_create(rows, batch_size=2000)
        audit_record(
            actor=system_actor("seed_demo"),
            action="contribution_base.demo_import",
            target_type="contributions",
            target_id=str(DEMO_YEAR),
            after={"bases": len(rows), "year": DEMO_YEAR},
        )


def seed_back_payment() -> None:
    """A back-payment of July and August for 张伟, priced and waiting for reviewer_maojian."""
    clerk = staff_actor("clerk_maojian")
    case = back_payment_request(
        actor=clerk,
        employer=demo_employer("十堰市示范超市有限公司"),
        resident_id=demo_person("张伟").resident_id,
        start=202607,
        end=202608,
    )
    case_transition(actor=clerk, case=case, action="send_for_review")


# Per period: (day paid, share of bills paid in full, partly, overpaid); the rest stay unpaid.
PAYMENT_PATTERN = {202609: (25, 0.80, 0.05, 0.05), 202610: (28, 0.60, 0.05, 0.0)}
OVERPAID_BY_FEN = 10000


def seed_payments() -> None:
    """The tax bureau's payment records, as its system would send them."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data
    supermarket = demo_employer("十堰市示范超市有限公司")
    rows = []
    for period, (day, full, partly, over) in PAYMENT_PATTERN.items():
        bills = Bill.objects.filter(period=period).select_related("employer", "person")
        for number, bill in enumerate(bills.order_by("number")):
            draw = rng.random()
            if bill.employer_id == supermarket.pk:
                draw = 0.999 if period == 202610 else full + partly  # overpaid, then unpaid
            if draw < full:
                amount = bill.total_fen
            elif draw < full + partly:
                amount = bill.total_fen * 3 // 5
            elif draw < full + partly + over:
                amount = bill.total_fen + OVERPAID_BY_FEN
            else:
                continue
            if bill.employer is not None:
                payer = bill.employer.credit_code
            else:
                assert bill.person is not None
                payer = bill.person.resident_id
            rows.append(
                {
                    "reference": f"DEMO{period}{number:05d}",
                    "bill_number": bill.number,
                    "payer_code": payer,
                    "amount_fen": str(amount),
                    "paid_on": f"{period // 100}-{period % 100:02d}-{day}",
                }
            )
    payments_receive(actor=system_actor("seed_demo"), rows=rows, label="demo")


def seed_refund() -> None:
    """The supermarket overpaid September: a refund waiting for reviewer_maojian."""
    clerk = staff_actor("clerk_maojian")
    refund = refund_request(
        actor=clerk,
        employer=demo_employer("十堰市示范超市有限公司"),
        period=DEMO_PERIODS[0],
        amount_fen=OVERPAID_BY_FEN,
        reason="2026年9月多缴",
    )
    assert refund.case_id is not None
    case = Case.objects.get(pk=refund.case_id)
    case_transition(actor=clerk, case=case, action="send_for_review")
