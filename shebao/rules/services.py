"""Writes of the parameter store: loading the YAML files, and the maker-checker path by which
staff add a new effective-dated value (one proposes, another approves; both audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import Action, AgencyLevel
from shebao.core.permissions import PermissionRefused, ensure_can
from shebao.rules.models import Parameter, ParameterValue, ValueSource, ValueStatus
from shebao.rules.params import (
    CONFIDENCE,
    NATIONAL,
    ParamValue,
    load_parameter_tree,
    region_chain,
)
from shebao.rules.store import value_from_text, value_to_json

register_rule(
    "PARAM-APPROVE-SELF",
    "参数值须由提出人以外的另一名人员审批。",
    "A parameter value must be approved by someone other than its proposer.",
    "maker-checker: 经办与复核分离",
)
register_rule(
    "PARAM-NOT-PENDING",
    "该参数值已处理，不能再次审批。",
    "This parameter value has already been decided.",
)
register_rule(
    "PARAM-REGION-SCOPE",
    "您所属经办机构不能维护统筹地区“{region}”的参数。",
    "Your agency cannot maintain parameters of region '{region}'.",
)
register_rule(
    "PARAM-CONFIDENCE",
    "可信度须为 verified 或 unverified。",
    "Confidence must be verified or unverified.",
)
register_rule(
    "PARAM-REFERENCE-REQUIRED",
    "须注明参数值的法律或政策依据。",
    "A parameter value needs its legal or policy reference.",
)


@dataclass(frozen=True)
class LoadReport:
    created: int
    superseded: int
    unchanged: int


def _next_version(parameter: Parameter, region: str) -> int:
    current = ParameterValue.objects.filter(parameter=parameter, region=region).aggregate(
        top=Max("version")
    )["top"]
    return (current or 0) + 1


def _same(row: ParameterValue, value: ParamValue) -> bool:
    return (
        row.value == value_to_json(value.value)
        and row.reference == value.reference
        and row.confidence == value.confidence
        and row.note == value.note
    )


def parameters_load(*, actor: Actor, root: Path) -> LoadReport:
    """Bring the store in line with the parameter files. Idempotent: an unchanged file writes
    nothing; a changed figure becomes a new version superseding the file's earlier one (values
    entered by staff are never overwritten by a file)."""
    ensure_can(actor, Action.CONFIGURE)
    definitions, values = load_parameter_tree(root)  # validates the whole tree first
    created = superseded = unchanged = 0
    with transaction.atomic(durable=True):
        parameters: dict[str, Parameter] = {}
        for key, definition in definitions.items():
            parameter, _new = Parameter.objects.update_or_create(
                key=key,
                defaults={
                    "unit": definition.unit,
                    "description": definition.description,
                    "description_zh": definition.description_zh,
                },
            )
            parameters[key] = parameter
        approved = {
            (row.parameter.key, row.region, row.effective_from): row
            for row in ParameterValue.objects.select_for_update()
            .filter(status=ValueStatus.APPROVED)
            .select_related("parameter")
            .order_by("pk")
        }
        for value in values:
            row = approved.get((value.key, value.region, value.effective_from))
            if row is not None and (row.source == ValueSource.STAFF or _same(row, value)):
                unchanged += 1
                continue
            if row is not None:
                row.status = ValueStatus.SUPERSEDED
                row.save(update_fields=["status"])
                superseded += 1
            _file_value_create(actor, parameters[value.key], value, replaces=row)
            created += 1
    return LoadReport(created, superseded, unchanged)


def _file_value_create(
    actor: Actor, parameter: Parameter, value: ParamValue, replaces: ParameterValue | None
) -> ParameterValue:
    row = ParameterValue.objects.create(
        parameter=parameter,
        region=value.region,
        effective_from=value.effective_from,
        value=value_to_json(value.value),
        reference=value.reference,
        confidence=value.confidence,
        note=value.note,
        version=_next_version(parameter, value.region),
        status=ValueStatus.APPROVED,
        source=ValueSource.FILE,
        decided_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="parameter.load",
        target=row,
        before={"version": replaces.version, "value": replaces.value} if replaces else None,
        after=_value_snapshot(row),
    )
    return row


def _value_snapshot(row: ParameterValue) -> dict[str, object]:
    return {
        "key": row.parameter.key,
        "region": row.region,
        "effective_from": row.effective_from.isoformat(),
        "value": row.value,
        "reference": row.reference,
        "confidence": row.confidence,
        "version": row.version,
        "status": row.status,
    }


class RegionRefused(PermissionRefused):
    """A region whose parameters the actor's agency does not maintain: refused as a missing
    permission is (403 on a page or the API), under its own rule code."""

    def __init__(self, region: str) -> None:
        RuleViolation.__init__(self, "PARAM-REGION-SCOPE", region=region)


def ensure_region_in_scope(actor: Actor, region: str) -> None:
    """Province staff maintain every region; a city its own city and districts; a district
    only itself. National values are the province's to enter."""
    if actor.is_system:
        return
    agency = actor.agency
    if agency is None:
        raise RegionRefused(region)
    if agency.level == AgencyLevel.PROVINCE and (
        region == NATIONAL or region.startswith(agency.division_code[:2])
    ):
        return
    if (
        agency.level == AgencyLevel.CITY
        and region != NATIONAL
        and region_chain(region)[1] == agency.division_code
    ):
        return
    if agency.level == AgencyLevel.DISTRICT and region == agency.division_code:
        return
    raise RegionRefused(region)


def parameter_value_propose(
    *,
    actor: Actor,
    parameter: Parameter,
    region: str,
    effective_from: date,
    value_text: str,
    reference: str,
    confidence: str,
    note: str = "",
) -> ParameterValue:
    """Propose a new effective-dated value (or a correction of the one with the same date)."""
    ensure_can(actor, Action.CONFIGURE)
    region_chain(region)  # a well-formed region code
    ensure_region_in_scope(actor, region)
    value = value_from_text(parameter.unit, value_text)
    if confidence not in CONFIDENCE:
        raise RuleViolation("PARAM-CONFIDENCE")
    if not reference.strip():
        raise RuleViolation("PARAM-REFERENCE-REQUIRED")
    with transaction.atomic(durable=True):
        row = ParameterValue.objects.create(
            parameter=parameter,
            region=region,
            effective_from=effective_from,
            value=value_to_json(value),
            reference=reference.strip(),
            confidence=confidence,
            note=note.strip(),
            status=ValueStatus.PENDING,
            source=ValueSource.STAFF,
            proposed_by=actor.user,
        )
        audit_record(
            actor=actor, action="parameter.propose", target=row, after=_value_snapshot(row)
        )
    return row


def parameter_value_decide(
    *, actor: Actor, proposal: ParameterValue, approve: bool, note: str = ""
) -> ParameterValue:
    """Approve (the value comes into force, superseding an approved value of the same date)
    or reject a proposal. The decider is never the proposer."""
    ensure_can(actor, Action.CONFIGURE)
    ensure_region_in_scope(actor, proposal.region)
    if actor.user is not None and actor.user.pk == proposal.proposed_by_id:
        raise RuleViolation("PARAM-APPROVE-SELF")
    with transaction.atomic(durable=True):
        # Lock the proposal and any value it replaces, in primary-key order.
        locked = list(
            ParameterValue.objects.select_for_update()
            .filter(
                parameter=proposal.parameter,
                region=proposal.region,
                effective_from=proposal.effective_from,
                status__in=[ValueStatus.PENDING, ValueStatus.APPROVED],
            )
            .order_by("pk")
        )
        current = next((row for row in locked if row.pk == proposal.pk), None)
        if current is None or current.status != ValueStatus.PENDING:
            raise RuleViolation("PARAM-NOT-PENDING")
        replaced = next((row for row in locked if row.status == ValueStatus.APPROVED), None)
        before = _value_snapshot(replaced) if replaced else None
        if approve and replaced is not None:
            replaced.status = ValueStatus.SUPERSEDED
            replaced.save(update_fields=["status"])
        current.status = ValueStatus.APPROVED if approve else ValueStatus.REJECTED
        if approve:
            current.version = _next_version(current.parameter, current.region)
        current.decided_by = actor.user
        current.decided_at = timezone.now()
        current.decision_note = note.strip()
        current.save()
        audit_record(
            actor=actor,
            action="parameter.approve" if approve else "parameter.reject",
            target=current,
            before=before,
            after=_value_snapshot(current) | {"decision_note": current.decision_note},
        )
    return current
