"""Reads of the parameter store and the rule catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from shebao.core.errors import Rule
from shebao.rules.catalogue import load_all_rules
from shebao.rules.models import Parameter, ParameterValue, ValueStatus
from shebao.rules.params import ParamValue
from shebao.rules.store import DatabaseParameters, row_to_value


@dataclass(frozen=True)
class ValueInForce:
    parameter: Parameter
    value: ParamValue
    row_id: int


def values_in_force(*, on: date, key_prefix: str = "", region: str = "") -> list[ValueInForce]:
    """For each parameter and region that has values: the one in force on ``on``."""
    rows = (
        ParameterValue.objects.filter(status=ValueStatus.APPROVED, effective_from__lte=on)
        .select_related("parameter")
        .order_by("parameter__key", "region", "effective_from")
    )
    if key_prefix:
        rows = rows.filter(parameter__key__startswith=key_prefix)
    if region:
        rows = rows.filter(region=region)
    latest: dict[tuple[str, str], ParameterValue] = {}
    for row in rows:
        latest[(row.parameter.key, row.region)] = row
    return [ValueInForce(row.parameter, row_to_value(row), row.pk) for row in latest.values()]


def parameter_history(parameter: Parameter) -> QuerySet[ParameterValue]:
    return parameter.values.select_related("proposed_by", "decided_by").order_by(
        "region", "effective_from", "proposed_at"
    )


def proposals_pending() -> QuerySet[ParameterValue]:
    return (
        ParameterValue.objects.filter(status=ValueStatus.PENDING)
        .select_related("parameter", "proposed_by")
        .order_by("proposed_at")
    )


def parameter_lookup(key: str, region: str, on: date) -> ParamValue:
    """The value a calculation would use (with the region fallback)."""
    return DatabaseParameters().lookup(key, region, on)


def rule_catalogue(*, kind: str = "", prefix: str = "") -> list[Rule]:
    rules = load_all_rules()
    return [
        rule
        for rule in rules
        if (not kind or rule.kind == kind) and (not prefix or rule.code.startswith(prefix))
    ]
