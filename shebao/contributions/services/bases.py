"""Annual base declaration (缴费基数申报/核定) and the flexible worker's base choice.

An employer declares each insured employee's previous-year average monthly wage; shebao
clamps it to the floor and cap in force for the year (the contribution calculator) and shows
who was clamped and why. The declaration is a case: the verified bases are stored when a
second person approves it (the handler in ``shebao.contributions.handlers``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

from shebao.contributions.models import BaseClamp, BaseSource, ContributionBase
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.identifiers import resident_id_check
from shebao.core.models import Agency
from shebao.core.money import fen_to_yuan, yuan_to_fen
from shebao.core.permissions import ensure_acts_for
from shebao.registry.models import Employer, InsuredRelation, Person, RelationKind, Scheme
from shebao.registry.services.common import ensure_may_request, open_request
from shebao.rules.calculators.contribution import (
    BaseBounds,
    FlexibleRates,
    base_clamp,
    flexible_contribution,
)
from shebao.rules.params import ParameterSource
from shebao.rules.store import DatabaseParameters
from shebao.services.models import Case

ITEM_BASE_DECLARATION = "SBCL002"
ITEM_FLEXIBLE_BASE = "SBCL007"

register_rule(
    "BASE-NOTHING",
    "申报表中没有职工。",
    "The declaration lists no employees.",
)
register_rule(
    "BASE-YEAR",
    "缴费基数年度 {year} 不在可申报范围（{first}–{last}）。",
    "Base year {year} is outside the years that can be declared ({first}–{last}).",
)
register_rule(
    "BASE-ROWS-INVALID",
    "申报表有 {count} 行不能受理（行号与规则）：{rows}",
    "{count} rows of the declaration cannot be accepted (row and rule): {rows}",
    "国办发〔2019〕13号",
)
register_rule(
    "BASE-WAGE-NEGATIVE",
    "第 {row} 行：工资不能为负数。",
    "Row {row}: the wage cannot be negative.",
)
register_rule(
    "BASE-NOT-INSURED-HERE",
    "第 {row} 行：该职工 {year} 年度未在本单位参保。",
    "Row {row}: this employee is not insured with this employer in {year}.",
)
register_rule(
    "BASE-DUPLICATE-ROW",
    "第 {row} 行：同一职工重复申报。",
    "Row {row}: the same employee is declared twice.",
)
register_rule(
    "BASE-NOT-FLEXIBLE",
    "该人员 {year} 年度没有灵活就业养老保险参保关系。",
    "This person has no flexible-worker pension relation in {year}.",
)

EMPLOYEE_SCHEMES = (Scheme.PENSION, Scheme.UNEMPLOYMENT, Scheme.WORK_INJURY)


@dataclass(frozen=True)
class WageRow:
    """One line of the declaration form: the employee and the average monthly wage in fen."""

    resident_id: str
    wage_fen: int


@dataclass(frozen=True)
class VerifiedBase:
    """The outcome for one employee, stored in the case and shown to the clerk."""

    resident_id: str
    name: str
    schemes: list[str]
    wage_fen: int
    base_fen: int
    clamp: str
    floor_fen: int
    cap_fen: int

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class YearBounds:
    floor_fen: int
    cap_fen: int
    bounds: BaseBounds


def year_bounds(agency: Agency, year: int, source: ParameterSource | None = None) -> YearBounds:
    """Floor and cap in force on 1 January of ``year`` in the agency's region."""
    source = source or DatabaseParameters()
    on = date(year, 1, 1)
    bounds = BaseBounds(
        floor=source.lookup("contribution.base.floor", agency.division_code, on),
        cap=source.lookup("contribution.base.cap", agency.division_code, on),
    )
    return YearBounds(
        floor_fen=yuan_to_fen(bounds.floor.decimal()),
        cap_fen=yuan_to_fen(bounds.cap.decimal()),
        bounds=bounds,
    )


def clamp_of(wage_fen: int, year: YearBounds) -> tuple[int, str]:
    base = base_clamp(declared_wage=fen_to_yuan(wage_fen), bounds=year.bounds).value
    base_fen = yuan_to_fen(base)
    if base_fen > wage_fen:
        return base_fen, BaseClamp.FLOOR
    if base_fen < wage_fen:
        return base_fen, BaseClamp.CAP
    return base_fen, BaseClamp.NONE


def _check_year(year: int, today: date) -> None:
    first, last = today.year - 5, today.year + 1
    if not first <= year <= last:
        raise RuleViolation("BASE-YEAR", year=year, first=first, last=last)


def relations_in_year(year: int) -> Q:
    """Relations that cover at least one month of ``year``."""
    return Q(start_period__lte=year * 100 + 12) & (
        Q(end_period__isnull=True) | Q(end_period__gte=year * 100 + 1)
    )


def base_declaration_verify(
    *, employer: Employer, year: int, rows: list[WageRow], source: ParameterSource | None = None
) -> list[VerifiedBase]:
    """Check the rows and clamp each wage; refuses the whole form, naming every bad row."""
    if not rows:
        raise RuleViolation("BASE-NOTHING")
    bounds = year_bounds(employer.managing_agency, year, source)
    errors: list[str] = []
    seen: set[str] = set()
    ids: list[str] = []
    for number, row in enumerate(rows, start=1):
        try:
            ids.append(resident_id_check(row.resident_id).number)
        except RuleViolation as exc:
            errors.append(f"#{number} {exc.code}")
            ids.append("")
    schemes_of: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    relations = InsuredRelation.objects.filter(
        relations_in_year(year),
        employer=employer,
        kind=RelationKind.EMPLOYEE,
        person__resident_id__in=[i for i in ids if i],
    ).values_list("person__resident_id", "person__name", "scheme")
    for resident_id, name, scheme in relations:
        schemes_of.setdefault(resident_id, [])
        if scheme not in schemes_of[resident_id]:
            schemes_of[resident_id].append(scheme)
        names[resident_id] = name
    verified = []
    for number, (row, resident_id) in enumerate(zip(rows, ids, strict=True), start=1):
        if not resident_id:
            continue
        problem = None
        if row.wage_fen < 0:
            problem = RuleViolation("BASE-WAGE-NEGATIVE", row=number)
        elif resident_id in seen:
            problem = RuleViolation("BASE-DUPLICATE-ROW", row=number)
        elif resident_id not in schemes_of:
            problem = RuleViolation("BASE-NOT-INSURED-HERE", row=number, year=year)
        seen.add(resident_id)
        if problem is not None:
            errors.append(f"#{number} {problem.code}")
            continue
        base_fen, clamp = clamp_of(row.wage_fen, bounds)
        verified.append(
            VerifiedBase(
                resident_id=resident_id,
                name=names[resident_id],
                schemes=sorted(schemes_of[resident_id]),
                wage_fen=row.wage_fen,
                base_fen=base_fen,
                clamp=clamp,
                floor_fen=bounds.floor_fen,
                cap_fen=bounds.cap_fen,
            )
        )
    if errors:
        shown = "; ".join(errors[:10]) + (" …" if len(errors) > 10 else "")
        raise RuleViolation("BASE-ROWS-INVALID", count=len(errors), rows=shown)
    return verified


def base_declaration_request(
    *,
    actor: Actor,
    employer: Employer,
    year: int,
    rows: list[WageRow],
    channel: str = "counter",
    today: date | None = None,
) -> Case:
    """Open the base declaration case of ``employer`` for ``year`` (SBCL002)."""
    ensure_acts_for(actor, employer)
    ensure_may_request(actor, ITEM_BASE_DECLARATION)
    _check_year(year, today or timezone.localdate())
    verified = base_declaration_verify(employer=employer, year=year, rows=rows)
    return open_request(
        actor=actor,
        item_code=ITEM_BASE_DECLARATION,
        channel=channel,
        employer=employer,
        data={"year": year, "bases": [v.as_json() for v in verified]},
    )


def flexible_base_request(
    *,
    actor: Actor,
    person: Person,
    year: int,
    base_fen: int,
    channel: str = "counter",
    today: date | None = None,
) -> Case:
    """A flexible worker's choice of base for ``year`` (SBCL007): refused outside the range."""
    ensure_acts_for(actor, person)
    _check_year(year, today or timezone.localdate())
    relation = (
        InsuredRelation.objects.filter(
            relations_in_year(year),
            person=person,
            kind=RelationKind.FLEXIBLE,
            scheme=Scheme.PENSION,
        )
        .select_related("agency")
        .first()
    )
    if relation is None:
        raise RuleViolation("BASE-NOT-FLEXIBLE", year=year)
    source = DatabaseParameters()
    bounds = year_bounds(relation.agency, year, source)
    on = date(year, 1, 1)
    # The calculator refuses a base outside [floor, cap] (CON-FLEX-BASE-RANGE).
    flexible_contribution(
        chosen_base=fen_to_yuan(base_fen),
        bounds=bounds.bounds,
        rates=FlexibleRates(
            pension=source.lookup(
                "contribution.flexible.pension_rate", relation.agency.division_code, on
            ),
            account_credit=source.lookup("account.credit_rate", relation.agency.division_code, on),
        ),
    )
    chosen = VerifiedBase(
        resident_id=person.resident_id,
        name=person.name,
        schemes=[Scheme.PENSION.value],
        wage_fen=base_fen,
        base_fen=base_fen,
        clamp=BaseClamp.NONE,
        floor_fen=bounds.floor_fen,
        cap_fen=bounds.cap_fen,
    )
    return open_request(
        actor=actor,
        item_code=ITEM_FLEXIBLE_BASE,
        channel=channel,
        person=person,
        data={"year": year, "bases": [chosen.as_json()], "flexible": True},
    )


BASE_FIELDS = (
    "employer",
    "source",
    "declared_wage_fen",
    "base_fen",
    "clamp",
    "floor_fen",
    "cap_fen",
    "case_id",
    "declared_at",
    "declared_by",
)


def apply_bases(case: Case, actor: Actor, employer: Employer | None) -> int:
    """Store the verified bases of an approved case (inside the approval's transaction).

    One upsert for the whole declaration (an employer may declare thousands of employees) and
    one audit entry naming every base it set and every base it replaced.
    """
    year = int(case.data["year"])
    source = BaseSource.FLEXIBLE if case.data.get("flexible") else BaseSource.DECLARED
    items = case.data["bases"]
    persons = dict(
        Person.objects.filter(resident_id__in=[b["resident_id"] for b in items]).values_list(
            "resident_id", "pk"
        )
    )
    rows = [
        ContributionBase(
            person_id=persons[item["resident_id"]],
            scheme=scheme,
            year=year,
            employer=employer,
            source=source,
            declared_wage_fen=item["wage_fen"],
            base_fen=item["base_fen"],
            clamp=item["clamp"],
            floor_fen=item["floor_fen"],
            cap_fen=item["cap_fen"],
            case_id=case.pk,
            declared_by=actor.username,
        )
        for item in items
        for scheme in item["schemes"]
    ]
    replaced = {
        f"{person_id}:{scheme}": base_fen
        for person_id, scheme, base_fen in ContributionBase.objects.select_for_update()
        .filter(year=year, person_id__in=persons.values())
        .values_list("person_id", "scheme", "base_fen")
    }
    ContributionBase.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["person", "scheme", "year"],
        update_fields=list(BASE_FIELDS),
    )
    audit_record(
        actor=actor,
        action="contribution_base.set",
        target_type=ContributionBase._meta.label_lower,
        target_id=f"case:{case.receipt_no}",
        target_agency=employer.managing_agency if employer else case.agency,
        before={"base_fen": replaced},
        after={
            "year": year,
            "case": case.receipt_no,
            "base_fen": {f"{row.person_id}:{row.scheme}": row.base_fen for row in rows},
        },
    )
    return len(rows)


def clamp_summary(bases: list[dict[str, Any]]) -> dict[str, int]:
    """How many were raised to the floor, lowered to the cap, or taken as declared."""
    counts = {"floor": 0, "cap": 0, "within": 0}
    for item in bases:
        counts[item["clamp"] or "within"] += 1
    return counts
