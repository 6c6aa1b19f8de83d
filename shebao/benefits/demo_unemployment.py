"""Unemployment demo data: three Maojian claimants who worked at the demo supermarket with
their unemployment contributions from the city system. One claim waits for reviewer_maojian,
one was approved and runs from 2026-09 (the demo payrolls pay it), and one claimant took a new
job in 2026-10, so the automatic re-employment stop shows. Deterministic and idempotent: each
step looks for what it would make before making it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from shebao.benefits.models import UnemploymentClaim
from shebao.benefits.services.unemployment import (
    UnemploymentRequest,
    open_claim_case,
    unemployment_claim_request,
)
from shebao.benefits.services.unemployment_stops import reemployment_check_person
from shebao.contributions.models import HistoricalContribution
from shebao.core.actors import staff_actor, system_actor
from shebao.core.audit import audit_record
from shebao.core.identifiers import resident_id_with_check
from shebao.core.models import Agency
from shebao.core.periods import period_range
from shebao.registry.demo import demo_employer
from shebao.registry.models import InsuredRelation, Person, RelationKind, RelationStatus, Scheme
from shebao.registry.services import person_create
from shebao.services.models import CaseStatus
from shebao.services.services import case_transition

LEGACY = "demo:legacy"
SUPERMARKET = "十堰市示范超市有限公司"
NEW_EMPLOYER = "湖北示例汽车零部件有限公司"
NEW_JOB_START = 202610


@dataclass(frozen=True)
class DemoClaimant:
    name: str
    resident_body: str  # 17 characters: area, birth date, sequence
    first_month: int  # first unemployment contribution month at the supermarket
    request: UnemploymentRequest
    approved: bool  # approved by reviewer_maojian; otherwise left in review
    new_job: bool = False  # a new insured relation from NEW_JOB_START


DEMO_CLAIMANTS = [
    # 6 years 2 months of contributions → 18 months; waits in reviewer_maojian's queue.
    DemoClaimant(
        "孙立伟",
        "42030219880315213",
        202009,
        UnemploymentRequest(
            separated_on=date(2026, 10, 31),
            separation_reason="contract_end",
            registered_on=date(2026, 11, 5),
            bank_name="中国工商银行",
            bank_account="6222021809007654321",
        ),
        approved=False,
    ),
    # 7 years 8 months → 18 months from 2026-09 (through 2028-02), 1,917.00 a month.
    DemoClaimant(
        "马晓燕",
        "42030219900622224",
        201901,
        UnemploymentRequest(
            separated_on=date(2026, 8, 31),
            separation_reason="dismissal",
            registered_on=date(2026, 9, 7),
            bank_name="中国农业银行",
            bank_account="6228480100012345678",
        ),
        approved=True,
    ),
    # 3 years → 12 months from 2026-07; a new job from 2026-10 stops it after 2026-09.
    DemoClaimant(
        "杜宏亮",
        "42030219930910235",
        202307,
        UnemploymentRequest(
            separated_on=date(2026, 6, 30),
            separation_reason="employer_closed",
            registered_on=date(2026, 7, 6),
            bank_name="中国建设银行",
            bank_account="6217002870011223344",
        ),
        approved=True,
        new_job=True,
    ),
]


def seed_demo(*, bulk: bool = True) -> None:
    """Only in the full demo (``make run``): the tests' seed leaves the claimants out, so the
    payroll and registry tests count what they made; the unemployment tests seed them inside
    their own transaction."""
    if bulk:
        seed_claimants()


def seed_claimants() -> None:
    maojian = Agency.objects.get(code="420302")
    for claimant in DEMO_CLAIMANTS:
        person = _claimant_person(claimant, maojian)
        _claim(claimant, person)
        if claimant.new_job:
            _new_job(person)


def _claimant_person(claimant: DemoClaimant, agency: Agency) -> Person:
    resident_id = resident_id_with_check(claimant.resident_body)
    person = Person.objects.filter(resident_id=resident_id).first()
    if person is not None:
        return person
    system = system_actor("seed_demo")
    person = person_create(actor=system, resident_id=resident_id, name=claimant.name, agency=agency)
    last = int(claimant.request.separated_on.strftime("%Y%m"))
    with transaction.atomic(durable=True):
        employer = demo_employer(SUPERMARKET)
        # The employer removed the pension and work-injury relations when the work ended;
        # the unemployment relation is still open: the approved claim ends it.
        InsuredRelation.objects.bulk_create(
            InsuredRelation(
                person=person,
                scheme=scheme,
                employer=employer,
                kind=RelationKind.EMPLOYEE,
                start_period=claimant.first_month,
                end_period=None if scheme == Scheme.UNEMPLOYMENT else last,
                status=RelationStatus.ACTIVE
                if scheme == Scheme.UNEMPLOYMENT
                else RelationStatus.ENDED,
                start_reason="new_hire",
                end_reason="" if scheme == Scheme.UNEMPLOYMENT else "other",
                agency=agency,
            )
            for scheme in (Scheme.PENSION, Scheme.UNEMPLOYMENT, Scheme.WORK_INJURY)
        )
        months = period_range(claimant.first_month, last)
        HistoricalContribution.objects.bulk_create(
            HistoricalContribution(
                person_id=person.pk,
                scheme=Scheme.UNEMPLOYMENT,
                period=period,
                base_fen=450_000,
                source=LEGACY,
            )
            for period in months
        )
        audit_record(
            actor=system,
            action="unemployment.demo_history",
            target=person,
            target_agency=agency,
            after={"months": len(months), "first": claimant.first_month, "last": last},
        )
    return person


def _claim(claimant: DemoClaimant, person: Person) -> None:
    if UnemploymentClaim.objects.filter(person=person).exists():
        return
    clerk = staff_actor("clerk_maojian")
    case = open_claim_case(person)
    if case is None:
        employer = demo_employer(SUPERMARKET)
        request = UnemploymentRequest(**{**claimant.request.__dict__, "employer_id": employer.pk})
        case = unemployment_claim_request(actor=clerk, person=person, request=request)
    if case.status == CaseStatus.ACCEPTED:
        case = case_transition(actor=clerk, case=case, action="send_for_review")
    if claimant.approved and case.status == CaseStatus.IN_REVIEW:
        case_transition(actor=staff_actor("reviewer_maojian"), case=case, action="approve")


def _new_job(person: Person) -> None:
    """Hired by the parts maker from 2026-10 (a staff addition); the check the registry makes
    after an addition stops the benefit after 2026-09."""
    employer = demo_employer(NEW_EMPLOYER)
    if not InsuredRelation.objects.filter(person=person, employer=employer).exists():
        system = system_actor("seed_demo")
        with transaction.atomic(durable=True):
            InsuredRelation.objects.bulk_create(
                InsuredRelation(
                    person=person,
                    scheme=scheme,
                    employer=employer,
                    kind=RelationKind.EMPLOYEE,
                    start_period=NEW_JOB_START,
                    status=RelationStatus.ACTIVE,
                    start_reason="new_hire",
                    agency=employer.managing_agency,
                )
                for scheme in (Scheme.PENSION, Scheme.UNEMPLOYMENT, Scheme.WORK_INJURY)
            )
            audit_record(
                actor=system,
                action="relation.add",
                target=person,
                target_agency=employer.managing_agency,
                after={"employer": employer.credit_code, "start_period": NEW_JOB_START},
            )
    reemployment_check_person(actor=system_actor("seed_demo"), person=person)
