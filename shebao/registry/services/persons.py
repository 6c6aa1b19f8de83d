"""Persons: one record per resident ID in the whole province; changes kept as history;
two records found to be one person are merged after a second person's review."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.identifiers import Sex, resident_id_check
from shebao.core.models import Action, Agency
from shebao.core.permissions import ensure_can, ensure_in_scope
from shebao.registry.models import HukouType, Person, PersonStatus
from shebao.registry.services.common import ITEM_PERSON_CHANGE, ITEM_PERSON_MERGE, open_request
from shebao.services.models import Case

register_rule(
    "REG-PERSON-EXISTS",
    "该公民身份号码已在全省登记（{agency}），不能重复登记。",
    "This resident ID is already registered in the province ({agency}).",
    "省级统筹: 一人一档",
)
register_rule("REG-NAME-REQUIRED", "姓名或名称不能为空。", "A name is required.")
register_rule(
    "REG-CHANGE-FIELD",
    "字段“{field}”不能通过此事项变更。",
    "Field '{field}' cannot be changed through this item.",
)
register_rule("REG-CHANGE-EMPTY", "没有需要变更的内容。", "Nothing to change.")
register_rule(
    "REG-MERGE-SAME",
    "不能将一条记录与其自身合并。",
    "A record cannot be merged with itself.",
)
register_rule(
    "REG-MERGE-CONFLICT",
    "两条记录都有有效的养老保险关系，请先终止其中一条再合并。",
    "Both records hold an active pension relation: end one before merging.",
)
register_rule(
    "REG-PERSON-MERGED",
    "该人员记录已合并到其他记录，不能再办理业务。",
    "This person record was merged into another one and takes no more business.",
)

PERSON_CHANGE_FIELDS = {
    "phone",
    "address",
    "ethnicity",
    "hukou_type",
    "bank_name",
    "bank_account",
}


def ensure_person_active(person: Person) -> None:
    if person.status == PersonStatus.MERGED:
        raise RuleViolation("REG-PERSON-MERGED")


def person_create(
    *,
    actor: Actor,
    resident_id: str,
    name: str,
    agency: Agency,
    birth_date: date | None = None,
    sex: Sex | None = None,
    phone: str = "",
    ethnicity: str = "",
    hukou_type: str = "",
) -> Person:
    """Register a person once for the whole province; birth date and sex come from the ID
    and must agree with what was entered."""
    ensure_can(actor, Action.ACCEPT, category="registration")
    ensure_in_scope(actor, agency)
    info = resident_id_check(resident_id, birth_date=birth_date, sex=sex)
    if not name.strip():
        raise RuleViolation("REG-NAME-REQUIRED")
    with transaction.atomic(durable=True):
        person = person_insert(
            actor=actor,
            resident_id=info.number,
            name=name,
            agency=agency,
            phone=phone,
            ethnicity=ethnicity,
            hukou_type=hukou_type,
        )
    return person


def person_insert(
    *,
    actor: Actor,
    resident_id: str,
    name: str,
    agency: Agency,
    phone: str = "",
    ethnicity: str = "",
    hukou_type: str = "",
) -> Person:
    """Insert a checked person inside the caller's transaction (used by handlers too)."""
    info = resident_id_check(resident_id)
    found = Person.objects.select_related("managing_agency").filter(resident_id=info.number).first()
    if found is not None:
        raise RuleViolation("REG-PERSON-EXISTS", agency=found.managing_agency.name)
    person = Person.objects.create(
        resident_id=info.number,
        name=name.strip(),
        sex=info.sex,
        birth_date=info.birth_date,
        phone=phone,
        ethnicity=ethnicity,
        hukou_type=hukou_type if hukou_type in HukouType.values else "",
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


def person_change_request(
    *, actor: Actor, person: Person, changes: dict[str, Any], channel: str = "counter"
) -> Case:
    """Personal information change (个人基本信息变更): contact, address, bank account."""
    ensure_in_scope(actor, person.managing_agency)
    ensure_person_active(person)
    for field in changes:
        if field not in PERSON_CHANGE_FIELDS:
            raise RuleViolation("REG-CHANGE-FIELD", field=field)
    wanted = {k: str(v).strip() for k, v in changes.items() if str(v).strip() != getattr(person, k)}
    if not wanted:
        raise RuleViolation("REG-CHANGE-EMPTY")
    return open_request(
        actor=actor,
        item_code=ITEM_PERSON_CHANGE,
        channel=channel,
        person=person,
        data={"changes": wanted},
    )


def person_merge_request(
    *, actor: Actor, keep: Person, merge: Person, channel: str = "counter"
) -> Case:
    """Merge of two records of one person (人员多号合并): reviewed before it is applied."""
    ensure_in_scope(actor, keep.managing_agency)
    ensure_in_scope(actor, merge.managing_agency)
    if keep.pk == merge.pk:
        raise RuleViolation("REG-MERGE-SAME")
    ensure_person_active(keep)
    ensure_person_active(merge)
    return open_request(
        actor=actor,
        item_code=ITEM_PERSON_MERGE,
        channel=channel,
        person=keep,
        data={"keep": keep.pk, "merge": merge.pk, "merge_resident_id": merge.resident_id},
    )
