"""Insured relations: staff additions and removals (人员增减) and flexible-worker enrolment.

A request checks every rule up front (so the clerk hears of a problem at once) and opens the
case; the handler checks again and writes when the case is approved, since the register may
have changed in between.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.identifiers import ResidentIdInfo, resident_id_check
from shebao.core.masking import mask_name
from shebao.core.periods import period_of
from shebao.core.permissions import in_scope
from shebao.registry.models import (
    Employer,
    InsuredRelation,
    Person,
    RelationKind,
    RelationStatus,
    Scheme,
)
from shebao.registry.rules import (
    ADDITION_REASONS,
    REMOVAL_REASONS,
    REMOVAL_STATUS,
    check_end_period,
    check_kind,
    check_not_past_retirement,
    check_start_period,
    mask_employer_name,
)
from shebao.registry.services.common import (
    ITEM_FLEXIBLE_ENROLMENT,
    ITEM_STAFF_ADDITION,
    ITEM_STAFF_REMOVAL,
    ensure_may_request,
    open_request,
)
from shebao.registry.services.employers import ensure_employer_active
from shebao.registry.services.persons import ensure_person_active, person_insert
from shebao.services.models import Case, CaseRecord
from shebao.services.services import case_record_link

register_rule(
    "REG-REL-ALREADY-HERE",
    "该人员已在本单位参加{scheme}，无需重复增加。",
    "This person is already insured for {scheme} with this employer.",
)
register_rule(
    "REG-REL-NOT-INSURED-HERE",
    "该人员未在本单位参保，不能办理减少。",
    "This person is not insured with this employer; there is nothing to remove.",
)
register_rule(
    "REG-REL-REASON",
    "原因“{reason}”无效。",
    "Reason '{reason}' is not valid.",
)
register_rule(
    "REG-REL-SCHEME",
    "险种“{scheme}”无效。",
    "Scheme '{scheme}' is not valid.",
)
register_rule("REG-REL-NOTHING", "没有需要办理的人员。", "No person to process.")
register_rule(
    "REG-REL-NAME-MISMATCH",
    "姓名“{name}”与全省登记的“{registered}”不一致。",
    "Name '{name}' differs from the registered '{registered}'.",
)


@dataclass(frozen=True)
class AdditionSpec:
    """One staff addition: a person joining the employer's insurance from a period."""

    resident_id: str
    name: str
    start_period: int
    reason: str = "new_hire"
    schemes: tuple[str, ...] = (Scheme.PENSION, Scheme.UNEMPLOYMENT, Scheme.WORK_INJURY)
    continuing: bool = False
    phone: str = ""
    ethnicity: str = ""
    hukou_type: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {"schemes": list(self.schemes)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AdditionSpec:
        return cls(**(data | {"schemes": tuple(data["schemes"])}))


@dataclass(frozen=True)
class RemovalSpec:
    """One staff removal: the person's relations with the employer end at a period."""

    resident_id: str
    end_period: int
    reason: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


# --- the rules, with batched look-ups ---------------------------------------------------------


def active_pension_holders(resident_ids: Iterable[str]) -> dict[str, InsuredRelation]:
    """Active pension relations anywhere in the province, by resident ID (one query)."""
    relations = InsuredRelation.objects.filter(
        scheme=Scheme.PENSION,
        status=RelationStatus.ACTIVE,
        person__resident_id__in=list(resident_ids),
    ).select_related("person", "employer", "agency")
    return {relation.person.resident_id: relation for relation in relations}


class RetirementMonths:
    """Statutory retirement months for one request or batch: the parameters are read once.

    Women are taken at the later group (cadres, 55): the register does not know the post, and
    refusing someone who may still work is the worse error.
    """

    def __init__(self, today: date) -> None:
        self.today = today
        self._params: dict[str, Any] = {}

    def __call__(self, info: ResidentIdInfo) -> int:
        from shebao.rules.adapters.retirement import retirement_params
        from shebao.rules.calculators.retirement import statutory_retirement
        from shebao.rules.store import DatabaseParameters

        group = "male" if info.sex == "M" else "female-55"
        if group not in self._params:
            source = DatabaseParameters()
            self._params[group] = retirement_params(source, group, self.today)
        result = statutory_retirement(birth=period_of(info.birth_date), params=self._params[group])
        return result.value.retirement_month


def check_addition(
    *,
    actor: Actor,
    employer: Employer | None,
    spec: AdditionSpec,
    holder: InsuredRelation | None,
    today: date,
    retirement: Callable[[ResidentIdInfo], int],
) -> ResidentIdInfo:
    """Every rule of one addition; raises the first violation."""
    info = resident_id_check(spec.resident_id)
    if spec.reason not in ADDITION_REASONS:
        raise RuleViolation("REG-REL-REASON", reason=spec.reason)
    for scheme in spec.schemes:
        if scheme not in Scheme.values:
            raise RuleViolation("REG-REL-SCHEME", scheme=scheme)
        check_kind(
            RelationKind.EMPLOYEE if employer else RelationKind.FLEXIBLE,
            employer is not None,
            scheme,
        )
    check_start_period(spec.start_period, today)
    if Scheme.PENSION in spec.schemes and holder is not None:
        if employer is not None and holder.employer_id == employer.pk:
            raise RuleViolation("REG-REL-ALREADY-HERE", scheme=Scheme.PENSION.label)
        other = holder.employer.name if holder.employer else str(holder.person)
        if not in_scope(actor, holder.agency):
            other = mask_employer_name(other)
        raise RuleViolation("REG-REL-DUPLICATE-ACTIVE", employer=other, agency=holder.agency.name)
    check_not_past_retirement(spec.start_period, retirement(info), continuing=spec.continuing)
    return info


def staff_addition_request(
    *, actor: Actor, employer: Employer, specs: list[AdditionSpec], channel: str = "counter"
) -> Case:
    """Staff addition (职工参保登记) for one or many persons."""
    ensure_may_request(actor, ITEM_STAFF_ADDITION)
    if not specs:
        raise RuleViolation("REG-REL-NOTHING")
    ensure_employer_active(employer)
    ids = [resident_id_check(spec.resident_id).number for spec in specs]
    holders = active_pension_holders(ids)
    registered = {
        p.resident_id: p
        for p in Person.objects.select_related("managing_agency").filter(resident_id__in=ids)
    }
    today = timezone.localdate()
    retirement = RetirementMonths(today)
    normalised = []
    for spec in specs:
        info = check_addition(
            actor=actor,
            employer=employer,
            spec=spec,
            holder=holders.get(resident_id_check(spec.resident_id).number),
            today=today,
            retirement=retirement,
        )
        _check_registered_name(actor, registered.get(info.number), spec.name)
        normalised.append(AdditionSpec(**(asdict(spec) | {"resident_id": info.number})))
    return open_request(
        actor=actor,
        item_code=ITEM_STAFF_ADDITION,
        channel=channel,
        employer=employer,
        data={"additions": [spec.as_json() for spec in normalised]},
    )


def _check_registered_name(actor: Actor, found: Person | None, name: str) -> None:
    if found is not None and found.name != name.strip():
        # A person registered by another agency: say that the name differs, not what it is.
        registered = found.name if in_scope(actor, found.managing_agency) else mask_name(found.name)
        raise RuleViolation("REG-REL-NAME-MISMATCH", name=name, registered=registered)


def flexible_enrolment_request(
    *,
    actor: Actor,
    person: Person,
    start_period: int,
    continuing: bool = False,
    channel: str = "counter",
) -> Case:
    """Flexible-worker enrolment (灵活就业人员参保登记): pension only, no employer."""
    ensure_person_active(person)
    spec = AdditionSpec(
        resident_id=person.resident_id,
        name=person.name,
        start_period=start_period,
        reason="flexible",
        schemes=(Scheme.PENSION,),
        continuing=continuing,
    )
    holders = active_pension_holders([person.resident_id])
    today = timezone.localdate()
    check_addition(
        actor=actor,
        employer=None,
        spec=spec,
        holder=holders.get(person.resident_id),
        today=today,
        retirement=RetirementMonths(today),
    )
    return open_request(
        actor=actor,
        item_code=ITEM_FLEXIBLE_ENROLMENT,
        channel=channel,
        person=person,
        data={"additions": [spec.as_json()]},
    )


def staff_removal_request(
    *, actor: Actor, employer: Employer, specs: list[RemovalSpec], channel: str = "counter"
) -> Case:
    """Staff removal (人员减少 / 停保) for one or many persons."""
    ensure_may_request(actor, ITEM_STAFF_REMOVAL)
    if not specs:
        raise RuleViolation("REG-REL-NOTHING")
    normalised = []
    for spec in specs:
        number = resident_id_check(spec.resident_id).number
        _relations_to_end(employer, number, spec)
        normalised.append(RemovalSpec(number, spec.end_period, spec.reason))
    return open_request(
        actor=actor,
        item_code=ITEM_STAFF_REMOVAL,
        channel=channel,
        employer=employer,
        data={"removals": [spec.as_json() for spec in normalised]},
    )


def _relations_to_end(
    employer: Employer, resident_id: str, spec: RemovalSpec, *, lock: bool = False
) -> list[InsuredRelation]:
    """The active relations a removal ends; locked only when the handler writes them (a
    request checks outside a transaction, where a row lock is not allowed)."""
    if spec.reason not in REMOVAL_REASONS:
        raise RuleViolation("REG-REL-REASON", reason=spec.reason)
    queryset = InsuredRelation.objects.filter(
        employer=employer, person__resident_id=resident_id, status=RelationStatus.ACTIVE
    ).order_by("pk")
    relations = list(queryset.select_for_update() if lock else queryset)
    if not relations:
        raise RuleViolation("REG-REL-NOT-INSURED-HERE")
    for relation in relations:
        check_end_period(relation.start_period, spec.end_period)
    return relations


# --- applied by the handlers, inside the approval's transaction -------------------------------


def apply_additions(case: Case, actor: Actor, employer: Employer | None) -> int:
    specs = [AdditionSpec.from_json(item) for item in case.data.get("additions", [])]
    ids = [spec.resident_id for spec in specs]
    holders = active_pension_holders(ids)
    today = timezone.localdate()
    retirement = RetirementMonths(today)
    persons = {p.resident_id: p for p in Person.objects.filter(resident_id__in=ids)}
    created = 0
    for spec in specs:
        check_addition(
            actor=actor,
            employer=employer,
            spec=spec,
            holder=holders.get(spec.resident_id),
            today=today,
            retirement=retirement,
        )
        person = persons.get(spec.resident_id) or case.applicant_person
        if person is None or person.resident_id != spec.resident_id:
            person = person_insert(
                actor=actor,
                resident_id=spec.resident_id,
                name=spec.name,
                agency=employer.managing_agency if employer else case.agency,
                phone=spec.phone,
                ethnicity=spec.ethnicity,
                hukou_type=spec.hukou_type,
            )
        ensure_person_active(person)
        created += _relations_insert(case, actor, person, employer, spec)
    return created


def _relations_insert(
    case: Case, actor: Actor, person: Person, employer: Employer | None, spec: AdditionSpec
) -> int:
    """The person's relations of all requested schemes, their case links and one audit entry
    (a batch of 1,500 staff is 1,500 entries, not 4,500)."""
    agency = employer.managing_agency if employer else person.managing_agency
    relations = [
        InsuredRelation(
            person=person,
            scheme=scheme,
            employer=employer,
            kind=RelationKind.EMPLOYEE if employer else RelationKind.FLEXIBLE,
            start_period=spec.start_period,
            start_reason=spec.reason,
            agency=agency,
            created_by=actor.user,
        )
        for scheme in spec.schemes
    ]
    try:
        with transaction.atomic():
            created = InsuredRelation.objects.bulk_create(relations)
    except IntegrityError as exc:
        # A concurrent enrolment won the unique index between the check and the insert.
        raise RuleViolation("REG-REL-DUPLICATE-ACTIVE", employer="-", agency="-") from exc
    if any(relation.pk is None for relation in created):  # backends that return no ids
        created = list(
            InsuredRelation.objects.filter(
                person=person, start_period=spec.start_period, scheme__in=spec.schemes
            ).order_by("-pk")[: len(relations)]
        )
    content_type = ContentType.objects.get_for_model(InsuredRelation)
    CaseRecord.objects.bulk_create(
        CaseRecord(case=case, content_type=content_type, object_id=str(r.pk), effect="created")
        for r in created
    )
    audit_record(
        actor=actor,
        action="relation.add",
        target=person,
        target_agency=agency,
        after={
            "person": person.resident_id,
            "schemes": list(spec.schemes),
            "relations": sorted(r.pk for r in created),
            "employer": employer.credit_code if employer else None,
            "start_period": spec.start_period,
            "reason": spec.reason,
            "case": case.receipt_no,
        },
    )
    return len(created)


def apply_removals(case: Case, actor: Actor, employer: Employer) -> int:
    ended = 0
    for item in case.data.get("removals", []):
        spec = RemovalSpec(**item)
        for relation in _relations_to_end(employer, spec.resident_id, spec, lock=True):
            before = {"status": relation.status, "end_period": relation.end_period}
            relation.status = REMOVAL_STATUS.get(spec.reason, RelationStatus.ENDED)
            relation.end_period = spec.end_period
            relation.end_reason = spec.reason
            relation.save(update_fields=["status", "end_period", "end_reason"])
            case_record_link(case=case, record=relation, effect="changed")
            audit_record(
                actor=actor,
                action="relation.remove",
                target=relation,
                target_agency=relation.agency,
                before=before,
                after={
                    "status": relation.status,
                    "end_period": spec.end_period,
                    "reason": spec.reason,
                    "case": case.receipt_no,
                },
            )
            ended += 1
    return ended
