"""Results with a trace: the ordered steps of a calculation, each naming its rule and the
parameter values (with their versions) it used, so any amount can be explained years later."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class ParamRef:
    """Which parameter value a step used: key, region it came from, version, effective date."""

    key: str
    region: str
    version: int
    effective_from: date
    value: Any

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "region": self.region,
            "version": self.version,
            "effective_from": self.effective_from.isoformat(),
            "value": _plain(self.value),
        }


@dataclass(frozen=True)
class Step:
    rule: str
    description: str
    value: str
    params: tuple[ParamRef, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "description": self.description,
            "value": self.value,
            "params": [f"{p.key}@{p.region}#v{p.version}" for p in self.params],
        }


@dataclass
class Trace:
    """Collects steps while a calculator runs."""

    steps: list[Step] = field(default_factory=list)

    def add(self, rule: str, description: str, value: object, *params: ParamRef) -> None:
        self.steps.append(Step(rule, description, _text(value), tuple(params)))

    def params_used(self) -> list[ParamRef]:
        seen: dict[tuple[str, str, int], ParamRef] = {}
        for step in self.steps:
            for ref in step.params:
                seen.setdefault((ref.key, ref.region, ref.version), ref)
        return list(seen.values())


@dataclass(frozen=True)
class Result(Generic[T]):
    value: T
    trace: Trace

    def trace_dict(self) -> dict[str, Any]:
        return {
            "trace": [s.as_dict() for s in self.trace.steps],
            "parameters": [p.as_dict() for p in self.trace.params_used()],
        }


def _text(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
