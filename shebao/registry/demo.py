"""Demo persons and employers in Maojian, Zhangwan and Wuhan (fictional; identifiers are
generated with valid check characters)."""

from __future__ import annotations

from stdnum.cn import uscc

from shebao.core.actors import system_actor
from shebao.core.identifiers import resident_id_with_check
from shebao.core.models import Agency
from shebao.registry.models import Employer, Person
from shebao.registry.services import employer_create, person_create

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


def seed_demo(*, bulk: bool = True) -> None:
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
    if bulk:
        from shebao.registry.demo_bulk import seed_bulk

        seed_bulk()
