"""Small register fixtures for collection tests: an employer with staff in chosen schemes."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date

from stdnum.cn import uscc

from shebao.core.identifiers import resident_id_with_check
from shebao.core.models import Agency
from shebao.registry.models import (
    Employer,
    InsuredRelation,
    Person,
    RelationKind,
    RelationStatus,
    Scheme,
    Sex,
)

ALL_SCHEMES = (Scheme.PENSION, Scheme.UNEMPLOYMENT, Scheme.WORK_INJURY)
_numbers = itertools.count(1)


def employer_make(
    agency: Agency, *, risk_class: int | None = 2, tier: int | None = 100
) -> Employer:
    number = next(_numbers)
    body = f"91{agency.division_code}TMX{number:06d}"[:17]
    return Employer.objects.create(
        credit_code=body + uscc.calc_check_digit(body),
        name=f"测试单位{number}",
        division_code=agency.division_code,
        risk_class=risk_class,
        floating_tier=tier,
        managing_agency=agency,
    )


def person_make(agency: Agency, *, birth: date = date(1985, 6, 1)) -> Person:
    number = next(_numbers)
    body = f"{agency.division_code}{birth:%Y%m%d}{number % 1000:03d}"
    return Person.objects.create(
        resident_id=resident_id_with_check(body),
        name=f"测试{number}",
        sex=Sex.MALE if number % 2 else Sex.FEMALE,
        birth_date=birth,
        managing_agency=agency,
    )


def relations_make(
    person: Person,
    employer: Employer | None,
    *,
    agency: Agency,
    start: int = 202501,
    end: int | None = None,
    schemes: Iterable[str] = ALL_SCHEMES,
) -> list[InsuredRelation]:
    kind = RelationKind.EMPLOYEE if employer else RelationKind.FLEXIBLE
    return [
        InsuredRelation.objects.create(
            person=person,
            employer=employer,
            scheme=scheme,
            kind=kind,
            start_period=start,
            end_period=end,
            status=RelationStatus.ACTIVE if end is None else RelationStatus.ENDED,
            start_reason="new",
            agency=agency,
        )
        for scheme in schemes
    ]
