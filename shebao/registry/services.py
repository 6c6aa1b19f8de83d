"""Writes of the registry core: a person or an employer enters the provincial register."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.identifiers import Sex, credit_code_check, resident_id_check
from shebao.core.models import Action, Agency
from shebao.core.permissions import ensure_can, ensure_in_scope
from shebao.registry.models import Employer, Person

register_rule(
    "REG-PERSON-EXISTS",
    "该公民身份号码已在全省登记（{agency}），不能重复登记。",
    "This resident ID is already registered in the province ({agency}).",
    "省级统筹: 一人一档",
)
register_rule(
    "REG-EMPLOYER-EXISTS",
    "该统一社会信用代码已在全省登记（{agency}）。",
    "This credit code is already registered in the province ({agency}).",
)
register_rule("REG-NAME-REQUIRED", "姓名或名称不能为空。", "A name is required.")


def person_create(
    *,
    actor: Actor,
    resident_id: str,
    name: str,
    agency: Agency,
    birth_date: date | None = None,
    sex: Sex | None = None,
    phone: str = "",
) -> Person:
    """Register a person once for the whole province; birth date and sex come from the ID
    and must agree with what was entered."""
    ensure_can(actor, Action.ACCEPT, category="registration")
    ensure_in_scope(actor, agency)
    info = resident_id_check(resident_id, birth_date=birth_date, sex=sex)
    if not name.strip():
        raise RuleViolation("REG-NAME-REQUIRED")
    with transaction.atomic(durable=True):
        existing = Person.objects.select_related("managing_agency").filter(resident_id=info.number)
        if (found := existing.first()) is not None:
            raise RuleViolation("REG-PERSON-EXISTS", agency=found.managing_agency.name)
        person = Person.objects.create(
            resident_id=info.number,
            name=name.strip(),
            sex=info.sex,
            birth_date=info.birth_date,
            phone=phone,
            managing_agency=agency,
        )
        audit_record(
            actor=actor,
            action="person.create",
            target=person,
            target_agency=agency,
            after={"resident_id": info.number, "name": person.name, "agency": agency.code},
        )
    return person


def employer_create(*, actor: Actor, credit_code: str, name: str, agency: Agency) -> Employer:
    ensure_can(actor, Action.ACCEPT, category="registration")
    ensure_in_scope(actor, agency)
    code = credit_code_check(credit_code)
    if not name.strip():
        raise RuleViolation("REG-NAME-REQUIRED")
    with transaction.atomic(durable=True):
        found = Employer.objects.select_related("managing_agency").filter(credit_code=code).first()
        if found is not None:
            raise RuleViolation("REG-EMPLOYER-EXISTS", agency=found.managing_agency.name)
        employer = Employer.objects.create(
            credit_code=code, name=name.strip(), managing_agency=agency
        )
        audit_record(
            actor=actor,
            action="employer.create",
            target=employer,
            target_agency=agency,
            after={"credit_code": code, "name": employer.name, "agency": agency.code},
        )
    return employer
