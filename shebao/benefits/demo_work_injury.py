"""Work-injury demo data in Maojian:

- 张伟 of the demo supermarket (十堰市示范超市有限公司), injured in October 2026 and assessed at
  level 5 with partial dependence in November: his disability case waits in review for
  reviewer_maojian (the allowance is the employer's, the nursing allowance the fund's). His
  own wage comes from the one month shebao collected before the injury (202609), clamped up
  to 60 % of the average wage;
- 马建军 of a demo logistics company, injured in January 2026 and assessed at level 3 in
  August: his disability case was approved, so the one-time subsidy and the fund's monthly
  allowance run from 202609 and the September and October payrolls pay them; a medical claim
  approved for November. His work-injury months 202401–202608 come from the city system.

Deterministic and idempotent: each step looks for what it would make before making it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shebao.benefits.models import Injury, WorkAbilityAssessment
from shebao.benefits.services.work_injury import (
    ITEM_DISABILITY,
    ITEM_MEDICAL,
    InjuryRecord,
    injury_request,
    pending_case,
)
from shebao.benefits.services.work_injury_assessment import AssessmentRecord, assessment_request
from shebao.benefits.services.work_injury_benefits import disability_request
from shebao.benefits.services.work_injury_medical import MedicalItem, medical_request
from shebao.contributions.models import HistoricalContribution
from shebao.core.actors import staff_actor, system_actor
from shebao.core.identifiers import resident_id_with_check
from shebao.core.periods import period_range
from shebao.registry.demo import demo_credit_code, demo_employer
from shebao.registry.models import Employer, InsuredRelation, Person
from shebao.registry.services import (
    AdditionSpec,
    employer_create,
    person_create,
    staff_addition_request,
)
from shebao.services.models import Case, CaseStatus
from shebao.services.services import case_transition

SUPERMARKET = "十堰市示范超市有限公司"
LOGISTICS = ("91420300MA4D0009", "十堰顺达物流有限公司")  # credit-code body, name
CLERK = "clerk_maojian"
REVIEWER = "reviewer_maojian"
LEGACY = "demo:legacy"
HISTORY = (202401, 202608)  # the city system collected through August 2026
BANK = "中国邮政储蓄银行十堰分行"


@dataclass(frozen=True)
class DemoInjury:
    name: str
    resident_body: str
    employer: str
    base_fen: int  # the months from the city system; 0: none (the demo person's own months)
    decision_no: str
    injured_on: date
    decided_on: date
    description: str
    conclusion_no: str
    concluded_on: date
    level: int
    dependence: str
    approve_disability: bool


DEMO_INJURIES = [
    DemoInjury(
        "马建军",
        "42030219790416371",
        LOGISTICS[1],
        520_000,
        "十人社工认〔2026〕12号",
        date(2026, 1, 12),
        date(2026, 3, 20),
        "卸货时被叉车挤伤右腿",
        "十劳鉴〔2026〕208号",
        date(2026, 8, 18),
        3,
        "none",
        True,
    ),
    DemoInjury(
        "张伟",
        "42030219700101123",
        SUPERMARKET,
        0,
        "十人社工认〔2026〕131号",
        date(2026, 10, 8),
        date(2026, 10, 30),
        "整理货架时从梯子跌落",
        "十劳鉴〔2026〕446号",
        date(2026, 11, 20),
        5,
        "partial",
        False,
    ),
]
MEDICAL_ITEMS = [
    MedicalItem("in_catalogue", "清创缝合及骨折内固定术", 1_865_000),
    MedicalItem("in_catalogue", "目录内药品", 345_670),
    MedicalItem("outside_catalogue", "自费进口钢板差价", 520_000),
]
MEDICAL_DAY = date(2026, 11, 2)  # paid by the November payroll


def seed_demo() -> None:
    for demo in DEMO_INJURIES:
        injury = _injury(demo)
        assessment = _assessment(injury, demo)
        _disability(injury, assessment, demo.approve_disability)
    first = Injury.objects.get(decision_no=DEMO_INJURIES[0].decision_no)
    _medical(first)


def _through(case: Case, *, approve: bool = True) -> Case:
    """The clerk sends the case for review; the reviewer approves it (or it waits)."""
    if case.status == CaseStatus.ACCEPTED:
        case = case_transition(actor=staff_actor(CLERK), case=case, action="send_for_review")
    if approve and case.status == CaseStatus.IN_REVIEW:
        case = case_transition(actor=staff_actor(REVIEWER), case=case, action="approve")
    return case


def _employer(name: str) -> Employer:
    if name == SUPERMARKET:
        return demo_employer(SUPERMARKET)
    code = demo_credit_code(LOGISTICS[0])
    employer = Employer.objects.filter(credit_code=code).first()
    if employer is None:
        employer = employer_create(
            actor=system_actor("seed_demo"),
            credit_code=code,
            name=LOGISTICS[1],
            agency=demo_employer(SUPERMARKET).managing_agency,
        )
    return employer


def _worker(demo: DemoInjury) -> Person:
    """The injured worker; a new one is registered, added by their employer and given the
    work-injury months of the city system."""
    employer = _employer(demo.employer)
    resident_id = resident_id_with_check(demo.resident_body)
    person = Person.objects.filter(resident_id=resident_id).first()
    if person is None:
        person = person_create(
            actor=system_actor("seed_demo"),
            resident_id=resident_id,
            name=demo.name,
            agency=employer.managing_agency,
        )
    if not InsuredRelation.objects.filter(person=person, employer=employer).exists():
        case = staff_addition_request(
            actor=staff_actor(CLERK),
            employer=employer,
            specs=[AdditionSpec(resident_id=resident_id, name=demo.name, start_period=HISTORY[0])],
        )
        case = case_transition(actor=staff_actor(CLERK), case=case, action="send_for_review")
        case_transition(actor=system_actor("seed_demo"), case=case, action="approve")
    if demo.base_fen:
        HistoricalContribution.objects.bulk_create(
            [
                HistoricalContribution(
                    person_id=person.pk,
                    scheme="work_injury",
                    period=period,
                    base_fen=demo.base_fen,
                    source=LEGACY,
                )
                for period in period_range(*HISTORY)
            ],
            ignore_conflicts=True,
        )
    return person


def _injury(demo: DemoInjury) -> Injury:
    existing = Injury.objects.filter(decision_no=demo.decision_no).first()
    if existing is not None:
        return existing
    case = pending_case("SBRG017", record__decision_no=demo.decision_no)
    if case is None:
        case = injury_request(
            actor=staff_actor(CLERK),
            person=_worker(demo),
            record=InjuryRecord(
                decision_no=demo.decision_no,
                decided_on=demo.decided_on,
                injured_on=demo.injured_on,
                employer_id=_employer(demo.employer).pk,
                description=demo.description,
            ),
        )
    _through(case)
    return Injury.objects.get(decision_no=demo.decision_no)


def _assessment(injury: Injury, demo: DemoInjury) -> WorkAbilityAssessment:
    found = injury.assessments.filter(conclusion_no=demo.conclusion_no).first()
    if found is not None:
        return found
    case = pending_case("SBRG018", injury_id=injury.pk, record__conclusion_no=demo.conclusion_no)
    if case is None:
        case = assessment_request(
            actor=staff_actor(CLERK),
            injury=injury,
            record=AssessmentRecord(
                demo.conclusion_no, demo.concluded_on, demo.level, demo.dependence
            ),
        )
    _through(case)
    return injury.assessments.get(conclusion_no=demo.conclusion_no)


def _bank_account(injury: Injury) -> str:
    return "6221881800" + injury.person.resident_id[-10:-1]


def _disability(injury: Injury, assessment: WorkAbilityAssessment, approve: bool) -> None:
    case = (
        Case.objects.filter(item__code=ITEM_DISABILITY, data__injury_id=injury.pk)
        .order_by("pk")
        .first()
    )
    if case is None:
        case = disability_request(
            actor=staff_actor(CLERK),
            injury=injury,
            assessment=assessment,
            bank_name=BANK,
            bank_account=_bank_account(injury),
        )
    _through(case, approve=approve)


def _medical(injury: Injury) -> None:
    case = (
        Case.objects.filter(item__code=ITEM_MEDICAL, data__injury_id=injury.pk)
        .order_by("pk")
        .first()
    )
    if case is None:
        case = medical_request(
            actor=staff_actor(CLERK),
            injury=injury,
            items=MEDICAL_ITEMS,
            bank_name=BANK,
            bank_account=_bank_account(injury),
            today=MEDICAL_DAY,
        )
    _through(case)
