"""The business effect of each registry item, applied when its case is approved."""

from __future__ import annotations

from django.utils import timezone

from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation
from shebao.core.models import Agency
from shebao.registry.models import (
    Employer,
    EmployerStatus,
    InsuredRelation,
    Person,
    PersonStatus,
    RelationStatus,
    Scheme,
)
from shebao.registry.services import common
from shebao.registry.services.common import field_values, record_change
from shebao.registry.services.employers import deregistration_blockers
from shebao.registry.services.relations import apply_additions, apply_removals
from shebao.services.handlers import register_handler
from shebao.services.models import Case


def _employer(case: Case) -> Employer:
    assert case.applicant_employer_id is not None
    return Employer.objects.select_for_update().get(pk=case.applicant_employer_id)


def _person(case: Case) -> Person:
    assert case.applicant_person_id is not None
    return Person.objects.select_for_update().get(pk=case.applicant_person_id)


def _set_fields(case: Case, actor: Actor, record: Person | Employer, action: str) -> None:
    changes = dict(case.data.get("changes", {}))
    before = field_values(record, list(changes))
    for field, value in changes.items():
        setattr(record, field, value)
    record.save(update_fields=list(changes))
    record_change(
        actor=actor,
        action=action,
        before=before,
        after=changes,
        case=case,
        person=record if isinstance(record, Person) else None,
        employer=record if isinstance(record, Employer) else None,
    )
    audit_record(
        actor=actor,
        action=f"{record._meta.model_name}.change",
        target=record,
        target_agency=record.managing_agency,
        before=before,
        after=changes | {"case": case.receipt_no},
    )


@register_handler(common.ITEM_EMPLOYER_REGISTRATION)
def employer_registration_approved(case: Case, actor: Actor) -> None:
    employer = _employer(case)
    employer.status = EmployerStatus.ACTIVE
    employer.save(update_fields=["status"])
    record_change(
        actor=actor,
        action="register",
        before={"status": EmployerStatus.PENDING},
        after={"status": EmployerStatus.ACTIVE},
        case=case,
        employer=employer,
    )


@register_handler(common.ITEM_EMPLOYER_CHANGE)
def employer_change_approved(case: Case, actor: Actor) -> None:
    _set_fields(case, actor, _employer(case), "change")


@register_handler(common.ITEM_PERSON_CHANGE)
def person_change_completed(case: Case, actor: Actor) -> None:
    _set_fields(case, actor, _person(case), "change")


@register_handler(common.ITEM_EMPLOYER_TRANSFER)
def employer_transfer_approved(case: Case, actor: Actor) -> None:
    employer = _employer(case)
    target = Agency.objects.get(code=case.data["to_agency"])
    source = employer.managing_agency
    employer.managing_agency = target
    employer.save(update_fields=["managing_agency"])
    moved = InsuredRelation.objects.filter(employer=employer, status=RelationStatus.ACTIVE).update(
        agency=target
    )
    record_change(
        actor=actor,
        action="transfer",
        before={"agency": source.code},
        after={"agency": target.code, "relations": moved},
        case=case,
        employer=employer,
    )
    audit_record(
        actor=actor,
        action="employer.transfer",
        target=employer,
        target_agency=target,
        before={"agency": source.code},
        after={"agency": target.code, "relations_moved": moved, "case": case.receipt_no},
    )


@register_handler(common.ITEM_EMPLOYER_DEREGISTRATION)
def employer_deregistration_approved(case: Case, actor: Actor) -> None:
    employer = _employer(case)
    deregistration_blockers(employer, except_case=case.pk)
    before = employer.status
    employer.status = EmployerStatus.DEREGISTERED
    employer.save(update_fields=["status"])
    record_change(
        actor=actor,
        action="deregister",
        before={"status": before},
        after={"status": employer.status, "reason": case.data.get("reason", "")},
        case=case,
        employer=employer,
    )


@register_handler(common.ITEM_STAFF_ADDITION)
def staff_addition_approved(case: Case, actor: Actor) -> None:
    apply_additions(case, actor, _employer(case))


@register_handler(common.ITEM_FLEXIBLE_ENROLMENT)
def flexible_enrolment_approved(case: Case, actor: Actor) -> None:
    apply_additions(case, actor, None)


@register_handler(common.ITEM_STAFF_REMOVAL)
def staff_removal_approved(case: Case, actor: Actor) -> None:
    apply_removals(case, actor, _employer(case))


@register_handler(common.ITEM_PERSON_MERGE)
def person_merge_approved(case: Case, actor: Actor) -> None:
    """Move the merged record's relations to the kept one; the merged record stays, marked,
    so its history and cases remain readable."""
    keep = Person.objects.select_for_update().get(pk=case.data["keep"])
    merge = Person.objects.select_for_update().get(pk=case.data["merge"])
    both_active = InsuredRelation.objects.filter(
        person__in=[keep, merge], scheme=Scheme.PENSION, status=RelationStatus.ACTIVE
    ).count()
    if both_active > 1:
        raise RuleViolation("REG-MERGE-CONFLICT")
    moved = InsuredRelation.objects.filter(person=merge).update(person=keep)
    merge.status = PersonStatus.MERGED
    merge.merged_into = keep
    merge.save(update_fields=["status", "merged_into"])
    at = timezone.now().isoformat()
    for person, role in ((keep, "kept"), (merge, "merged")):
        record_change(
            actor=actor,
            action="merge",
            before={},
            after={
                "role": role,
                "other": (merge if role == "kept" else keep).resident_id,
                "at": at,
            },
            case=case,
            person=person,
        )
    audit_record(
        actor=actor,
        action="person.merge",
        target=keep,
        target_agency=keep.managing_agency,
        before={"merged": merge.resident_id},
        after={"kept": keep.resident_id, "relations_moved": moved, "case": case.receipt_no},
    )
