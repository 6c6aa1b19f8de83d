"""The reconciliation of a city's migration (迁移核对): for every entity, what the city
delivered (before), what the province now holds from it (after) and what was refused
(rejected), in counts and money; the findings per rule; and the account rebuild comparison.

"After" is read from the province's own tables, joined to the staged rows — the contribution
months by person, scheme and month, the balances by their journal key, the records by id — so
the report proves that the money arrived, not merely that the staging says so. For every
entity before = after + rejected, in rows and in every money column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import Abs

from shebao.accounts.models import AccountEntry
from shebao.benefits.models import Pension
from shebao.contributions.models import HistoricalContribution
from shebao.core.models import Agency
from shebao.migration.models import (
    KEPT,
    STAGED_MODELS,
    Entity,
    IssueStatus,
    LegacyAccount,
    LegacyFile,
    MigrationIssue,
    Outcome,
)
from shebao.migration.rules import CLEANSING
from shebao.registry.models import Employer, InsuredRelation, Person

# The money columns of each entity: (staged column, label).
MONEY: dict[str, tuple[tuple[str, str], ...]] = {
    Entity.CONTRIBUTIONS: (
        ("base_fen", "base"),
        ("employer_fen", "employer"),
        ("individual_fen", "individual"),
        ("account_credit_fen", "account credit"),
    ),
    Entity.ACCOUNTS: (("closing_fen", "balance taken over"),),
    Entity.RETIREES: (("monthly_fen", "monthly pension"),),
}
TARGETS: dict[str, type[Any]] = {
    Entity.EMPLOYERS: Employer,
    Entity.PERSONS: Person,
    Entity.RELATIONS: InsuredRelation,
    Entity.RETIREES: Pension,
}
DIFFERENCE_LIMIT = 500  # rows of the account comparison shown on the page


@dataclass
class EntityFigures:
    entity: str
    before_rows: int = 0
    after_rows: int = 0
    rejected_rows: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)
    before: dict[str, int] = field(default_factory=dict)  # money column → fen
    after: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        """before = after + rejected, in rows and in every money column."""
        if self.before_rows != self.after_rows + self.rejected_rows:
            return False
        return all(
            self.before[c] == self.after.get(c, 0) + self.rejected.get(c, 0) for c in self.before
        )


@dataclass(frozen=True)
class RuleFigures:
    code: str
    entity: str
    outcome: str
    rows: int


@dataclass(frozen=True)
class AccountDifference:
    person_id: int | None
    person_ref: str
    year: int
    migrated_fen: int
    rebuilt_fen: int

    @property
    def difference_fen(self) -> int:
        return self.migrated_fen - self.rebuilt_fen


@dataclass
class Reconciliation:
    city: Agency
    files: list[LegacyFile]
    entities: list[EntityFigures]
    rules: list[RuleFigures]
    differences: list[AccountDifference]
    differences_total: int
    open_issues: int

    @property
    def balanced(self) -> bool:
        return all(e.balanced for e in self.entities)


def reconcile(city: Agency) -> Reconciliation:
    files = list(LegacyFile.objects.filter(city=city).order_by("staged_at", "id"))
    staged_entities = {f.entity for f in files}
    entities = [_entity(city, e) for e in STAGED_MODELS if e in staged_entities]
    differences = _differences(city)
    return Reconciliation(
        city=city,
        files=files,
        entities=entities,
        rules=_rules(city, staged_entities),
        differences=list(differences[:DIFFERENCE_LIMIT]),
        differences_total=len(differences),
        open_issues=MigrationIssue.objects.filter(city=city, status=IssueStatus.OPEN).count(),
    )


def _entity(city: Agency, entity: str) -> EntityFigures:
    model = STAGED_MODELS[entity]
    # Every row counts; the accounts' money is the balances taken over (each person's last
    # year), since the earlier years' balances are contained in it.
    rows: QuerySet[Any] = model._default_manager.filter(city=city)
    figures = EntityFigures(entity)
    figures.by_outcome = dict(
        rows.values_list("outcome").annotate(n=Count("id")).order_by().values_list("outcome", "n")
    )
    figures.before_rows = sum(figures.by_outcome.values())
    figures.rejected_rows = figures.by_outcome.get(Outcome.REJECTED, 0)
    figures.after_rows = _after_rows(city, entity)
    money = MONEY.get(entity, ())
    if money:
        money_rows = rows.filter(takeover=True) if entity == Entity.ACCOUNTS else rows
        sums = {c: Sum(c) for c, _label in money}
        before = money_rows.aggregate(**sums)
        rejected = money_rows.filter(outcome=Outcome.REJECTED).aggregate(**sums)
        figures.before = {c: int(before[c] or 0) for c, _label in money}
        figures.rejected = {c: int(rejected[c] or 0) for c, _label in money}
        figures.after = _after_money(city, entity)
    return figures


def _after_rows(city: Agency, entity: str) -> int:
    """Staged rows that reached a record the province holds (read from that record)."""
    model = STAGED_MODELS[entity]
    kept = model._default_manager.filter(city=city, outcome__in=KEPT)
    if entity in TARGETS:
        ids = TARGETS[entity].objects.values("pk")
        return int(kept.filter(target_id__in=ids).count())
    if entity == Entity.CONTRIBUTIONS:
        return _sql_one(
            f"""SELECT COUNT(*) FROM {model._meta.db_table} s
                JOIN {HistoricalContribution._meta.db_table} h ON h.person_id = s.person_id
                 AND h.scheme = s.scheme AND h.period = s.period
                WHERE s.city_id = %s AND s.outcome IN ('loaded', 'fixed', 'flagged')""",  # noqa: S608
            [city.pk],
        )
    # Accounts: the balances found in the journal, and the earlier years kept as history.
    archived = LegacyAccount.objects.filter(city=city, outcome=Outcome.ARCHIVED).count()
    return archived + _sql_one(_balances_sql("COUNT(*)"), [f"legacy:{city.code}:", city.pk])


def _after_money(city: Agency, entity: str) -> dict[str, int]:
    if entity == Entity.CONTRIBUTIONS:
        table = STAGED_MODELS[entity]._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT SUM(h.base_fen), SUM(h.employer_fen), SUM(h.individual_fen),
                           SUM(h.account_credit_fen)
                    FROM {table} s
                    JOIN {HistoricalContribution._meta.db_table} h
                      ON h.person_id = s.person_id AND h.scheme = s.scheme
                     AND h.period = s.period
                    WHERE s.city_id = %s AND s.outcome IN ('loaded', 'fixed', 'flagged')""",  # noqa: S608
                [city.pk],
            )
            row = cursor.fetchone()
        columns = [c for c, _label in MONEY[entity]]
        return {c: int(v or 0) for c, v in zip(columns, row, strict=True)}
    if entity == Entity.ACCOUNTS:
        total = _sql_one(_balances_sql("SUM(e.amount_fen)"), [f"legacy:{city.code}:", city.pk])
        return {"closing_fen": total}
    ids = (
        STAGED_MODELS[entity]
        ._default_manager.filter(city=city, outcome__in=KEPT)
        .values("target_id")
    )
    total = Pension.objects.filter(pk__in=ids).aggregate(t=Sum("monthly_fen"))["t"]
    return {"monthly_fen": int(total or 0)}


def _balances_sql(select: str) -> str:
    return f"""SELECT {select} FROM {LegacyAccount._meta.db_table} s
               JOIN {AccountEntry._meta.db_table} e
                 ON e.key = %s || CAST(s.person_id AS TEXT) AND e.kind = 'migrated'
               WHERE s.city_id = %s AND s.takeover AND s.outcome IN ('loaded', 'fixed', 'flagged')"""  # noqa: S608, E501


def _sql_one(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0] or 0)


def _rules(city: Agency, entities: set[str]) -> list[RuleFigures]:
    """Rows per rule and outcome; a row on which several rules fired counts for each."""
    found: dict[tuple[str, str, str], int] = {}
    for entity in entities:
        model = STAGED_MODELS[entity]
        rows = (
            model._default_manager.filter(city=city)
            .exclude(rules="")
            .values_list("rules", "outcome")
            .annotate(n=Count("id"))
            .order_by()
        )
        for codes, outcome, n in rows:
            for code in codes.split(","):
                key = (code, entity, outcome)
                found[key] = found.get(key, 0) + n
    return [
        RuleFigures(code, entity, outcome, n)
        for (code, entity, outcome), n in sorted(found.items())
        if code in CLEANSING
    ]


def _differences(city: Agency) -> list[AccountDifference]:
    """The last-year balances that differ from the rebuild by more than 1 fen."""
    rows = (
        LegacyAccount.objects.filter(city=city, takeover=True, rebuilt_fen__isnull=False)
        .annotate(gap=Abs(F("closing_fen") - F("rebuilt_fen")))
        .filter(gap__gt=1)
        .order_by("-gap", "person_ref")
        .values_list("person_id", "person_ref", "year", "closing_fen", "rebuilt_fen")
    )
    return [AccountDifference(p, ref, y, c, rb or 0) for p, ref, y, c, rb in rows]
