"""The rate card of an assessment run: every rate, floor and cap the run's SQL applies, taken
from the parameters in force for the period in each agency's region and frozen into the run
with their references (design.md §5: any bill can be explained and recomputed years later).

SQL works in integer fen (design.md §4): a rate is carried as an integer number of
hundred-millionths, so ``amount_fen = (base_fen × rate_e8 + 50,000,000) div 100,000,000`` is
the base × rate rounded half-up to the fen on SQLite and PostgreSQL alike (bases are never
negative).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from shebao.core.errors import RuleViolation, register_rule
from shebao.core.models import Agency
from shebao.core.money import yuan_to_fen
from shebao.rules.calculators.contribution import WorkInjuryTables, work_injury_rate
from shebao.rules.params import ParameterSource, ParamValue

E8 = 100_000_000
HALF_E8 = E8 // 2

register_rule(
    "ASSESS-RATE-PRECISION",
    "参数 {key} 的比例 {rate} 超过八位小数，批量核定无法精确计算。",
    "Rate {rate} of parameter {key} has more than eight decimals; the assessment cannot use it "
    "exactly.",
)


def rate_e8(value: ParamValue | Decimal, key: str = "") -> int:
    rate = value.decimal() if isinstance(value, ParamValue) else value
    key = value.key if isinstance(value, ParamValue) else key
    scaled = rate * E8
    if scaled != scaled.to_integral_value():
        raise RuleViolation("ASSESS-RATE-PRECISION", key=key, rate=rate)
    return int(scaled)


def amount_fen(base_fen: int, rate: int) -> int:
    """The SQL formula in Python, for the pieces assessed one by one (back-payment, tests)."""
    return (base_fen * rate + HALF_E8) // E8


@dataclass(frozen=True)
class AgencyRates:
    """What one agency's relations pay in one period; rates in hundred-millionths."""

    agency_id: int
    region: str
    floor_fen: int
    cap_fen: int
    pension_employer: int
    pension_individual: int
    unemployment_employer: int
    unemployment_individual: int
    account_credit: int
    flexible_pension: int
    undeclared_factor: int

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class RateCard:
    """The rates of a run, rebuilt from (and stored as) plain JSON."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.agencies = [AgencyRates(**row) for row in data["agencies"]]
        self.work_injury: list[tuple[int, int, int]] = [tuple(r) for r in data["work_injury"]]
        self.due_date = date.fromisoformat(data["due_date"])

    def for_agency(self, agency_id: int) -> AgencyRates:
        for rates in self.agencies:
            if rates.agency_id == agency_id:
                return rates
        raise KeyError(agency_id)

    def work_injury_rate(self, risk_class: int | None, tier: int | None) -> int:
        for cls, t, rate in self.work_injury:
            if cls == risk_class and t == tier:
                return rate
        return 0


def _lookup(
    source: ParameterSource, key: str, region: str, on: date, refs: dict[str, Any]
) -> ParamValue:
    value = source.lookup(key, region, on)
    refs[f"{key}@{value.region}#v{value.version}"] = {
        "key": key,
        "region": value.region,
        "version": value.version,
        "from": value.effective_from.isoformat(),
        "value": str(value.value),
        "reference": value.reference,
        "confidence": value.confidence,
    }
    return value


def rate_card_build(
    *, source: ParameterSource, agencies: list[Agency], on: date, region: str, due_date: date
) -> dict[str, Any]:
    """The rate card for the period starting ``on``, for ``agencies`` (the run's subtree)."""
    refs: dict[str, Any] = {}
    rows = []
    for agency in agencies:
        area = agency.division_code

        def get(key: str, area: str = area) -> ParamValue:
            return _lookup(source, key, area, on, refs)

        rows.append(
            AgencyRates(
                agency_id=agency.pk,
                region=area,
                floor_fen=yuan_to_fen(get("contribution.base.floor").decimal()),
                cap_fen=yuan_to_fen(get("contribution.base.cap").decimal()),
                pension_employer=rate_e8(get("contribution.pension.employer_rate")),
                pension_individual=rate_e8(get("contribution.pension.individual_rate")),
                unemployment_employer=rate_e8(get("contribution.unemployment.employer_rate")),
                unemployment_individual=rate_e8(get("contribution.unemployment.individual_rate")),
                account_credit=rate_e8(get("account.credit_rate")),
                flexible_pension=rate_e8(get("contribution.flexible.pension_rate")),
                undeclared_factor=rate_e8(get("contribution.undeclared.due_factor")),
            ).as_json()
        )
    tables = WorkInjuryTables(
        base_rates=_lookup(source, "contribution.work_injury.base_rates", region, on, refs),
        tiers_class_1=_lookup(
            source, "contribution.work_injury.floating_tiers.class_1", region, on, refs
        ),
        tiers_class_2_to_8=_lookup(
            source, "contribution.work_injury.floating_tiers.class_2_to_8", region, on, refs
        ),
    )
    work_injury = []
    for risk_class in sorted(int(c) for c in tables.base_rates.table()):
        tiers = tables.tiers_class_1 if risk_class == 1 else tables.tiers_class_2_to_8
        for tier in sorted(int(t) for t in tiers.table()):
            result = work_injury_rate(risk_class=risk_class, floating_tier=tier, tables=tables)
            work_injury.append([risk_class, tier, rate_e8(result.value.rate, "work_injury")])
    return {
        "agencies": rows,
        "work_injury": work_injury,
        "due_date": due_date.isoformat(),
        "parameters": sorted(refs.values(), key=lambda r: (r["key"], r["region"])),
    }


def param_json(value: ParamValue) -> dict[str, Any]:
    """A parameter value as JSON, to freeze it into a run and rebuild it for a calculator."""
    return {
        "key": value.key,
        "region": value.region,
        "effective_from": value.effective_from.isoformat(),
        "value": str(value.value),
        "unit": value.unit,
        "reference": value.reference,
        "confidence": value.confidence,
        "version": value.version,
    }


def param_from_json(data: dict[str, Any]) -> ParamValue:
    return ParamValue(
        **{
            **data,
            "effective_from": date.fromisoformat(data["effective_from"]),
            "value": Decimal(data["value"]),
        }
    )
