"""Demo persons and employers in Maojian, Zhangwan and Wuhan (fictional; identifiers are
generated with valid check characters)."""

from __future__ import annotations

from stdnum.cn import uscc

from shebao.core.actors import staff_actor, system_actor
from shebao.core.identifiers import resident_id_with_check
from shebao.core.models import Agency
from shebao.registry.models import Employer, Person
from shebao.registry.services import (
    AdditionSpec,
    employer_create,
    person_create,
    staff_addition_request,
)
from shebao.services.catalogue import catalogue_load
from shebao.services.models import Case
from shebao.services.services import case_transition

DEMO_START = 202401  # the demo staff joined in January 2024

# (area code, birth date, sequence, name, agency code, phone)
DEMO_PERSONS = [
    ("420302", "19700101", "123", "张伟", "420302", "13807190001"),
    ("420302", "19750315", "246", "王芳", "420302", "13807190002"),
    ("420302", "19650120", "031", "陈建国", "420302", "13807190003"),
    ("420303", "19880808", "357", "李娜", "420303", "13807190004"),
    ("420102", "19920211", "468", "刘洋", "420102", "13807190005"),
]
# (credit-code body of 17 characters, name, agency code)
DEMO_EMPLOYERS = [
    ("91420300MA4D0001", "十堰市示范超市有限公司", "420302"),
    ("91420300MA4D0002", "湖北示例汽车零部件有限公司", "420303"),
    ("91420100MA4K0003", "武汉示范科技有限公司", "420102"),
]


def demo_resident_id(area: str, birth: str, sequence: str) -> str:
    return resident_id_with_check(area + birth + sequence)


def demo_person(name: str) -> Person:
    """A fixed demo person by name (the bulk register may hold namesakes)."""
    for area, birth, sequence, demo_name, _agency, _phone in DEMO_PERSONS:
        if demo_name == name:
            return Person.objects.get(resident_id=demo_resident_id(area, birth, sequence))
    raise KeyError(name)


def demo_employer(name: str) -> Employer:
    for body, demo_name, _agency in DEMO_EMPLOYERS:
        if demo_name == name:
            return Employer.objects.get(credit_code=demo_credit_code(body))
    raise KeyError(name)


def demo_credit_code(body: str) -> str:
    body = body.ljust(17, "0")
    return body + uscc.calc_check_digit(body)


# (employer, person, approved by) — staff additions through the real cases.
DEMO_ADDITIONS = [
    ("十堰市示范超市有限公司", "张伟", "reviewer_maojian"),
    ("湖北示例汽车零部件有限公司", "李娜", "reviewer_zhangwan"),
    ("武汉示范科技有限公司", "刘洋", None),
    ("十堰市示范超市有限公司", "王芳", ""),  # left in review: reviewer_maojian's queue
]
DEMO_CLERKS = {"420302": "clerk_maojian", "420303": "clerk_zhangwan", "420102": "clerk_wuhan"}


def seed_demo(*, bulk: bool = True) -> None:
    catalogue_load(actor=system_actor("seed_demo"))  # the registry's items must exist
    actor = system_actor("seed_demo")
    agencies = {a.code: a for a in Agency.objects.all()}
    for area, birth, sequence, name, agency_code, phone in DEMO_PERSONS:
        resident_id = demo_resident_id(area, birth, sequence)
        if not Person.objects.filter(resident_id=resident_id).exists():
            person_create(
                actor=actor,
                resident_id=resident_id,
                name=name,
                agency=agencies[agency_code],
                phone=phone,
            )
    for body, name, agency_code in DEMO_EMPLOYERS:
        code = demo_credit_code(body)
        if not Employer.objects.filter(credit_code=code).exists():
            employer_create(actor=actor, credit_code=code, name=name, agency=agencies[agency_code])
    seed_additions()
    if bulk:
        from shebao.registry.demo_bulk import seed_bulk

        seed_bulk()


def seed_additions() -> None:
    """Staff additions as a clerk makes them: a case, sent for review, approved (or left)."""
    for employer_name, person_name, reviewer in DEMO_ADDITIONS:
        employer = demo_employer(employer_name)
        person = demo_person(person_name)
        if Case.objects.filter(
            applicant_employer=employer, data__additions__0__resident_id=person.resident_id
        ).exists():
            continue
        clerk = staff_actor(DEMO_CLERKS[employer.managing_agency.code])
        case = staff_addition_request(
            actor=clerk,
            employer=employer,
            specs=[
                AdditionSpec(
                    resident_id=person.resident_id, name=person.name, start_period=DEMO_START
                )
            ],
        )
        case = case_transition(actor=clerk, case=case, action="send_for_review")
        if reviewer is None:
            case_transition(actor=system_actor("seed_demo"), case=case, action="approve")
        elif reviewer:
            case_transition(actor=staff_actor(reviewer), case=case, action="approve")
