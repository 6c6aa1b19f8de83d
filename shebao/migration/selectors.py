"""Reads of the migration's staff pages: who may see which city's report and worklist, the
figures of a report as the page and the workbook show them, the staged rows with their
personal data masked, and a worklist item with the records it is about.

A city's deliveries are seen by the staff of that city, of a district under it and of the
province above it (a district's staff see their whole city's report); the worklist is narrowed
to the persons of the actor's agency subtree by ``worklist.issues_visible``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RULES
from shebao.core.masking import mask_bank_account, mask_phone, mask_resident_id
from shebao.core.models import Action, Agency, AgencyLevel, BatchRun
from shebao.core.periods import period_format
from shebao.core.permissions import OutOfScope, PermissionRefused, actor_can, actor_scope_path
from shebao.migration import rules as r
from shebao.migration.models import (
    KEPT,
    STAGED_MODELS,
    Entity,
    IssueStatus,
    LegacyFile,
    MigrationIssue,
    Outcome,
    StagedRow,
)
from shebao.migration.notes import note_display
from shebao.migration.reconcile import MONEY, EntityFigures, Reconciliation, reconcile
from shebao.migration.services import KIND
from shebao.migration.worklist import CHOICES, issues_visible
from shebao.registry.models import InsuredRelation, Person
from shebao.services.models import Case

# Who reads the reports (agency heads, fund officers, administrators) and the worklist
# (clerks decide, auditors follow); deciding is a clerk's.
REPORT_ACTIONS = (Action.AUDIT, Action.RUN_BATCH, Action.CONFIGURE)
WORKLIST_ACTIONS = (Action.ACCEPT, Action.AUDIT)
DECIDE_ACTION = Action.ACCEPT

# The outcome columns of the report, in the order a row passes through them.
OUTCOME_COLUMNS = (
    Outcome.LOADED,
    Outcome.FIXED,
    Outcome.FLAGGED,
    Outcome.REJECTED,
    Outcome.ARCHIVED,
)
MONEY_LABELS = {
    "base_fen": _("Contribution base"),
    "employer_fen": _("Employer's part"),
    "individual_fen": _("Individual's part"),
    "account_credit_fen": _("Account credit"),
    "closing_fen": _("Balance taken over"),
    "monthly_fen": _("Monthly pension"),
}


# --- permissions and scope -------------------------------------------------------------------


def can_see_reports(actor: Actor) -> bool:
    return any(actor_can(actor, action) for action in REPORT_ACTIONS)


def can_see_worklist(actor: Actor) -> bool:
    return any(actor_can(actor, action) for action in WORKLIST_ACTIONS)


def can_decide(actor: Actor) -> bool:
    return actor_can(actor, DECIDE_ACTION)


def ensure_can_see_reports(actor: Actor) -> None:
    if not can_see_reports(actor):
        raise PermissionRefused(Action.AUDIT, "*")


def ensure_can_see_worklist(actor: Actor) -> None:
    if not can_see_worklist(actor):
        raise PermissionRefused(Action.ACCEPT, "*")


def ensure_can_see_migration(actor: Actor) -> None:
    """The overview is for anyone who reads a report or the worklist."""
    if not (can_see_reports(actor) or can_see_worklist(actor)):
        raise PermissionRefused(Action.AUDIT, "*")


def city_visible(actor: Actor, city: Agency) -> bool:
    """The city's own staff, its districts' and the province's."""
    prefix = actor_scope_path(actor)
    if prefix is None:
        return False
    return city.path.startswith(prefix) or prefix.startswith(city.path)


def city_get(actor: Actor, code: str) -> Agency:
    """A city the actor may see the deliveries of; anything else is reported as absent."""
    city = Agency.objects.filter(code=code, level=AgencyLevel.CITY).first()
    if city is None or not city_visible(actor, city):
        raise OutOfScope()
    return city


# --- the overview ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RunLine:
    run: BatchRun
    error: str  # why it stopped, its numbers masked


@dataclass(frozen=True)
class CityOverview:
    city: Agency
    files: list[LegacyFile]
    runs: list[RunLine]
    open_issues: int


def cities_overview(actor: Actor) -> list[CityOverview]:
    """The cities with a delivery or a migration run the actor may see, with their files, runs
    and the open worklist items the actor may see."""
    ids = set(LegacyFile.objects.values_list("city_id", flat=True).distinct()) | set(
        BatchRun.objects.filter(kind=KIND).values_list("agency_id", flat=True).distinct()
    )
    cities = [
        city
        for city in Agency.objects.filter(pk__in=ids, level=AgencyLevel.CITY).order_by("code")
        if city_visible(actor, city)
    ]
    files: dict[int, list[LegacyFile]] = {}
    for legacy_file in LegacyFile.objects.filter(city__in=cities).select_related("run"):
        files.setdefault(legacy_file.city_id, []).append(legacy_file)
    runs: dict[int, list[RunLine]] = {}
    for run in BatchRun.objects.filter(kind=KIND, agency__in=cities).order_by("-created_at"):
        runs.setdefault(run.agency_id, []).append(RunLine(run, mask_text(run.error)))
    open_issues = dict(
        issues_visible(actor)
        .filter(city__in=cities, status=IssueStatus.OPEN)
        .values_list("city_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("city_id", "n")
    )
    return [
        CityOverview(
            city, files.get(city.pk, []), runs.get(city.pk, []), open_issues.get(city.pk, 0)
        )
        for city in cities
    ]


# --- labels ----------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def rule_title(code: str, language: str | None = None) -> str:
    """A rule's message in the current language with its ``{placeholders}`` left out (…): what
    the rule finds, without one row's values."""
    rule = RULES.get(code)
    if rule is None:
        return code
    language = language or get_language() or ""
    text = rule.message_en if language.lower().startswith("en") else rule.message_zh
    return _PLACEHOLDER.sub("…", text)


def entity_label(entity: str) -> str:
    return str(Entity(entity).label) if entity in Entity.values else entity


def outcome_label(outcome: str) -> str:
    return str(Outcome(outcome).label) if outcome in Outcome.values else outcome


def money_label(column: str) -> str:
    label = MONEY_LABELS.get(column)
    if label is not None:
        return str(label)
    labels = {c: text for columns in MONEY.values() for c, text in columns}
    return labels.get(column, column)


# --- the report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureLine:
    """One line of an entity's figures: its rows, or one money column in fen."""

    label: str
    money: bool
    before: int
    after: int
    rejected: int

    @property
    def balanced(self) -> bool:
        return self.before == self.after + self.rejected


@dataclass(frozen=True)
class EntityReport:
    entity: str
    label: str
    figures: EntityFigures
    lines: list[FigureLine]  # the rows first, then each money column
    outcomes: list[tuple[str, int]]  # OUTCOME_COLUMNS with their row counts

    @property
    def balanced(self) -> bool:
        return self.figures.balanced


@dataclass(frozen=True)
class RuleLine:
    code: str
    title: str
    entity: str
    entity_label: str
    outcome: str
    outcome_label: str
    rows: int


@dataclass(frozen=True)
class DifferenceLine:
    person_id: int | None
    person_ref: str
    masked_id: str
    name: str
    year: int
    migrated_fen: int
    rebuilt_fen: int
    difference_fen: int


@dataclass(frozen=True)
class Report:
    city: Agency
    reconciliation: Reconciliation
    entities: list[EntityReport]
    rules: list[RuleLine]
    differences: list[DifferenceLine]

    @property
    def files(self) -> list[LegacyFile]:
        return self.reconciliation.files

    @property
    def differences_total(self) -> int:
        return self.reconciliation.differences_total

    @property
    def open_issues(self) -> int:
        return self.reconciliation.open_issues

    @property
    def balanced(self) -> bool:
        return self.reconciliation.balanced


def _entity_report(figures: EntityFigures) -> EntityReport:
    lines = [
        FigureLine(
            str(_("Rows")),
            False,
            figures.before_rows,
            figures.after_rows,
            figures.rejected_rows,
        )
    ]
    for column in figures.before:
        lines.append(
            FigureLine(
                money_label(column),
                True,
                figures.before[column],
                figures.after.get(column, 0),
                figures.rejected.get(column, 0),
            )
        )
    outcomes = [(o.value, figures.by_outcome.get(o, 0)) for o in OUTCOME_COLUMNS]
    return EntityReport(figures.entity, entity_label(figures.entity), figures, lines, outcomes)


def report_of(city: Agency) -> Report:
    """The city's reconciliation with what its pages show: labels in the current language,
    the persons of the account comparison with their IDs masked."""
    reconciliation = reconcile(city)
    rules = [
        RuleLine(
            rule.code,
            rule_title(rule.code),
            rule.entity,
            entity_label(rule.entity),
            rule.outcome,
            outcome_label(rule.outcome),
            rule.rows,
        )
        for rule in reconciliation.rules
    ]
    person_ids = [d.person_id for d in reconciliation.differences if d.person_id is not None]
    persons = Person.objects.only("name", "resident_id").in_bulk(person_ids)
    differences = []
    for difference in reconciliation.differences:
        person = persons.get(difference.person_id) if difference.person_id else None
        differences.append(
            DifferenceLine(
                person_id=difference.person_id,
                person_ref=difference.person_ref,
                masked_id=mask_resident_id(person.resident_id) if person else "",
                name=person.name if person else "",
                year=difference.year,
                migrated_fen=difference.migrated_fen,
                rebuilt_fen=difference.rebuilt_fen,
                difference_fen=difference.difference_fen,
            )
        )
    return Report(
        city=city,
        reconciliation=reconciliation,
        entities=[_entity_report(e) for e in reconciliation.entities],
        rules=rules,
        differences=differences,
    )


def report_exported(actor: Actor, report: Report) -> None:
    """Record the export of a report (it lists persons): 查询留痕."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="migration.report.export",
            target=report.city,
            target_agency=report.city,
            after={
                "city": report.city.code,
                "files": [f.name for f in report.files],
                "differences": len(report.differences),
                "differences_total": report.differences_total,
            },
        )


# --- the staged rows -------------------------------------------------------------------------

# Whole cells (and numbers inside a note) that may be a resident ID, a mobile number or an
# account number; a landline as a whole cell.
_NUMBER = r"\d{17}[\dXx]|\d{15}|(?:\+?86)?1\d{10}|\d{12,30}"
_SENSITIVE_CELL = re.compile(rf"(?:{_NUMBER})|0\d{{2,3}}-?\d{{7,8}}", re.ASCII)
_SENSITIVE_IN_TEXT = re.compile(rf"(?<![0-9A-Za-z])(?:{_NUMBER})(?![0-9A-Za-z])", re.ASCII)
_ID_FORM = re.compile(r"\d{17}[\dXx]|\d{15}", re.ASCII)
_PHONE_FORM = re.compile(r"(?:\+?86)?1\d{10}|0\d{2,3}-?\d{7,8}", re.ASCII)


def _mask_number(text: str) -> str:
    if _ID_FORM.fullmatch(text):
        return mask_resident_id(text)
    if _PHONE_FORM.fullmatch(text):
        return mask_phone(text)
    return mask_bank_account(text)


def mask_cell(value: object) -> str:
    """A delivered cell for display: an ID-, phone- or account-like value masked."""
    text = "" if value is None else str(value)
    if _SENSITIVE_CELL.fullmatch(text.strip()):
        return _mask_number(text.strip())
    return text


def mask_text(text: str) -> str:
    """A note for display, every ID-, phone- or account-like number in it masked."""
    return _SENSITIVE_IN_TEXT.sub(lambda match: _mask_number(match[0]), text)


def _has_rule(code: str) -> Q:
    """``rules`` (comma-separated codes) holds exactly this code."""
    return (
        Q(rules=code)
        | Q(rules__startswith=f"{code},")
        | Q(rules__endswith=f",{code}")
        | Q(rules__contains=f",{code},")
    )


def staged_rows(
    city: Agency, entity: str, *, outcome: str = "", rule: str = ""
) -> QuerySet[StagedRow]:
    model = STAGED_MODELS[entity]
    rows: QuerySet[StagedRow] = model._default_manager.filter(city=city).select_related("file")
    if outcome:
        rows = rows.filter(outcome=outcome)
    if rule:
        rows = rows.filter(_has_rule(rule))
    return rows.order_by("file_id", "line", "id")


def rules_of_entity(city: Agency, entity: str) -> list[str]:
    """The rule codes that fired on the city's rows of an entity (the rows page's filter)."""
    found: set[str] = set()
    rows = STAGED_MODELS[entity]._default_manager.filter(city=city).exclude(rules="")
    for codes in rows.values_list("rules", flat=True).distinct():
        found.update(codes.split(","))
    return sorted(found)


@dataclass(frozen=True)
class RowView:
    row: StagedRow
    cells: list[str]
    rules: list[str]
    note: str
    person_id: int | None
    employer_id: int | None


def row_view(entity: str, row: StagedRow) -> RowView:
    """A staged row as the rows page shows it, with the record it belongs to when known."""
    raw: Any = row.raw
    cells = [mask_cell(cell) for cell in raw] if isinstance(raw, list) else [mask_cell(raw)]
    person_id: int | None = None
    employer_id: int | None = None
    if entity == Entity.EMPLOYERS:
        employer_id = row.target_id if row.outcome in KEPT else None
    elif entity == Entity.PERSONS:
        person_id = row.target_id if row.outcome in KEPT else None
    else:
        person_id = getattr(row, "person_id", None)
    return RowView(
        row=row,
        cells=cells,
        rules=[code for code in row.rules.split(",") if code],
        note=mask_text(note_display(row.note)),
        person_id=person_id,
        employer_id=employer_id,
    )


# --- the worklist ----------------------------------------------------------------------------

ISSUE_STATUSES = ("open", "resolved", "all")


def issues_list(
    actor: Actor, *, status: str = "open", rule: str = "", city_code: str = ""
) -> QuerySet[MigrationIssue]:
    issues = issues_visible(actor)
    if city_code:
        issues = issues.filter(city__code=city_code)
    if status in IssueStatus.values:
        issues = issues.filter(status=status)
    if rule:
        issues = issues.filter(rule=rule)
    return issues.order_by("status", "id")


def worklist_rules() -> list[str]:
    return list(CHOICES)


@dataclass(frozen=True)
class PersonCard:
    person: Person
    masked_id: str
    masked_phone: str


@dataclass(frozen=True)
class RelationCard:
    relation: InsuredRelation
    start: str
    end: str


@dataclass(frozen=True)
class IssueView:
    issue: MigrationIssue
    title: str
    staged: StagedRow | None
    note: str
    person: PersonCard
    other_person: PersonCard | None
    relation: RelationCard | None
    other_relation: RelationCard | None
    names: tuple[str, str] | None  # the province's (or first row's) name, the city's
    amounts: dict[str, int] | None  # year, migrated, rebuilt, difference (fen)
    case: Case | None

    @property
    def choices(self) -> tuple[str, ...]:
        return CHOICES.get(self.issue.rule, ())


def _person_card(person: Person | None) -> PersonCard | None:
    if person is None:
        return None
    return PersonCard(person, mask_resident_id(person.resident_id), mask_phone(person.phone))


def _relation_card(relation_id: int | None) -> RelationCard | None:
    if relation_id is None:
        return None
    relation = (
        InsuredRelation.objects.select_related("employer", "agency").filter(pk=relation_id).first()
    )
    if relation is None:
        return None
    end = period_format(relation.end_period) if relation.end_period else ""
    return RelationCard(relation, period_format(relation.start_period), end)


def issue_view(issue: MigrationIssue) -> IssueView:
    """What the item's page shows: the staged row's note and the records the finding is
    about (both persons, both relations, the two names or the two balances)."""
    staged = None
    if issue.entity in STAGED_MODELS:
        staged = STAGED_MODELS[issue.entity]._default_manager.filter(pk=issue.staged_id).first()
    detail: dict[str, Any] = issue.detail or {}
    names = None
    if issue.rule == r.PERSON_DUPLICATE:
        names = (str(detail.get("name", "")), str(detail.get("city_name", "")))
    amounts = None
    if issue.rule == r.ACCOUNT_MISMATCH:
        migrated = int(detail.get("migrated_fen", 0))
        rebuilt = int(detail.get("rebuilt_fen", 0))
        amounts = {
            "year": int(detail.get("year", 0)),
            "migrated_fen": migrated,
            "rebuilt_fen": rebuilt,
            "difference_fen": int(detail.get("difference_fen", migrated - rebuilt)),
        }
    other = (
        Person.objects.select_related("managing_agency").filter(pk=issue.other_person_id).first()
        if issue.other_person_id
        else None
    )
    person = _person_card(issue.person)
    assert person is not None
    return IssueView(
        issue=issue,
        title=rule_title(issue.rule),
        staged=staged,
        note=mask_text(note_display(staged.note)) if staged else "",
        person=person,
        other_person=_person_card(other),
        relation=_relation_card(issue.relation_id),
        other_relation=_relation_card(issue.other_relation_id),
        names=names,
        amounts=amounts,
        case=Case.objects.filter(pk=issue.case_id).first() if issue.case_id else None,
    )


def case_receipt(case_id: int | None) -> str:
    if case_id is None:
        return ""
    return str(Case.objects.filter(pk=case_id).values_list("receipt_no", flat=True).first() or "")
