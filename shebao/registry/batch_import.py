"""Batch staff additions and removals from Excel: the database side of the pure batch module.

The whole file is validated first; nothing is written until the clerk confirms, and then only
the valid rows go into one case (one request, one review), whose approval writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.db.models import Max

from shebao.core.actors import Actor
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.identifiers import ResidentIdInfo
from shebao.core.permissions import ensure_acts_for, in_scope
from shebao.registry.batch import (
    BatchKind,
    BatchValidation,
    PensionHolder,
    RegisteredPerson,
    read_batch,
    validate_rows,
)
from shebao.registry.models import Employer, InsuredRelation, Person, RelationStatus
from shebao.registry.services import (
    AdditionSpec,
    RemovalSpec,
    staff_addition_request,
    staff_removal_request,
)
from shebao.registry.services.common import (
    ITEM_STAFF_ADDITION,
    ITEM_STAFF_REMOVAL,
    ensure_may_request,
)
from shebao.registry.services.employers import ensure_employer_active
from shebao.registry.services.relations import RetirementMonths, active_pension_holders
from shebao.services.models import Case

register_rule(
    "BATCH-NOTHING-VALID",
    "文件中没有可以办理的有效行。",
    "The file holds no valid row to process.",
)


class DatabaseBatchContext:
    """The register as the batch validation sees it: one query per lookup, per file."""

    def __init__(self, actor: Actor, employer: Employer, today: date) -> None:
        self.actor = actor
        self.employer = employer
        self._today = today
        self._retirement = RetirementMonths(today)

    @property
    def today(self) -> date:
        return self._today

    def persons(self, resident_ids: frozenset[str]) -> Mapping[str, RegisteredPerson]:
        rows = Person.objects.filter(resident_id__in=resident_ids).values_list(
            "resident_id", "name"
        )
        return {resident_id: RegisteredPerson(name) for resident_id, name in rows}

    def active_pension_holders(self, resident_ids: frozenset[str]) -> Mapping[str, PensionHolder]:
        return {
            resident_id: PensionHolder(
                employer_name=relation.employer.name if relation.employer else relation.person.name,
                agency_name=relation.agency.name,
                same_employer=relation.employer_id == self.employer.pk,
                employer_visible=in_scope(self.actor, relation.agency),
            )
            for resident_id, relation in active_pension_holders(resident_ids).items()
        }

    def relations_to_end(self, resident_ids: frozenset[str]) -> Mapping[str, int]:
        rows = (
            InsuredRelation.objects.filter(
                employer=self.employer,
                status=RelationStatus.ACTIVE,
                person__resident_id__in=resident_ids,
            )
            .values("person__resident_id")
            .annotate(latest=Max("start_period"))
        )
        return {row["person__resident_id"]: row["latest"] for row in rows}

    def retirement_month(self, info: ResidentIdInfo) -> int:
        return self._retirement(info)


def batch_validate(
    *, actor: Actor, employer: Employer, data: bytes, kind: BatchKind, today: date
) -> BatchValidation:
    ensure_acts_for(actor, employer)
    ensure_employer_active(employer)
    batch = read_batch(data, kind)
    return validate_rows(batch, DatabaseBatchContext(actor, employer, today))


def batch_submit(
    *,
    actor: Actor,
    employer: Employer,
    data: bytes,
    kind: BatchKind,
    today: date,
    channel: str = "counter",
) -> tuple[Case, BatchValidation]:
    """Validate again (the register may have changed since the preview) and open one case
    with the valid rows, through the same request services as a single addition or removal
    (``channel`` "web" when an employer's agent submits the file online)."""
    ensure_acts_for(actor, employer)
    ensure_may_request(actor, ITEM_STAFF_ADDITION if kind == "addition" else ITEM_STAFF_REMOVAL)
    validation = batch_validate(actor=actor, employer=employer, data=data, kind=kind, today=today)
    if kind == "addition":
        if not validation.additions:
            raise RuleViolation("BATCH-NOTHING-VALID")
        specs = [
            AdditionSpec(
                resident_id=row.resident_id,
                name=row.name,
                start_period=row.start_period,
                reason=row.reason,
                schemes=row.schemes,
                continuing=row.continuing,
                phone=row.phone,
                ethnicity=row.ethnicity,
                hukou_type=row.hukou_type,
            )
            for row in validation.additions
        ]
        case = staff_addition_request(actor=actor, employer=employer, specs=specs, channel=channel)
    else:
        if not validation.removals:
            raise RuleViolation("BATCH-NOTHING-VALID")
        removals = [
            RemovalSpec(row.resident_id, row.end_period, row.reason) for row in validation.removals
        ]
        case = staff_removal_request(
            actor=actor, employer=employer, specs=removals, channel=channel
        )
    return case, validation
