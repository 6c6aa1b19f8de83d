"""Validation of a batch file's rows: each row becomes a clean addition or removal, or the
list of everything wrong with it (every error of the row, not just the first).

The rules are those of a counter addition or removal (``shebao.registry.rules``) plus the
batch's own: a person once per file, the name as registered. The database is reached only
through a :class:`BatchContext`, one call per lookup per file, so 1,500 rows cost a handful
of queries rather than thousands.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Protocol, TypeVar

from shebao.core.errors import RuleViolation
from shebao.core.identifiers import ResidentIdInfo, Sex
from shebao.core.masking import mask_name
from shebao.registry.batch import codes as _codes  # noqa: F401  (registers the BATCH-* rules)
from shebao.registry.batch.cells import (
    normalise_name,
    parse_ethnicity,
    parse_hukou,
    parse_name,
    parse_period,
    parse_phone,
    parse_reason,
    parse_resident_id,
    parse_schemes,
    parse_yes_no,
)
from shebao.registry.batch.columns import (
    ADDITION_COLUMNS,
    BATCH_ADDITION_REASONS,
    REMOVAL_COLUMNS,
    BatchKind,
    CellValue,
    Column,
    columns_for,
)
from shebao.registry.batch.reading import BatchFile, BatchRow
from shebao.registry.rules import (
    ADDITION_REASONS,
    REMOVAL_REASONS,
    check_end_period,
    check_not_past_retirement,
    check_start_period,
    mask_employer_name,
)

T = TypeVar("T")


@dataclass(frozen=True)
class RowError:
    """One error of one row: the Excel row, the column's header text, the rule and its
    messages."""

    row: int
    column: str
    code: str
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class PensionHolder:
    """Who holds a person's active pension relation: the employer and its agency by name,
    and whether it is the employer handing in the file."""

    employer_name: str
    agency_name: str
    same_employer: bool
    # Whether the viewer may see the employer's full name (its agency is in the viewer's
    # scope); if not, the refusal masks it.
    employer_visible: bool = False


@dataclass(frozen=True)
class RegisteredPerson:
    """A person already in the provincial register, as far as the batch needs to know."""

    name: str


class BatchContext(Protocol):
    """What validation needs from the database, for one employer's file and one viewer.

    Each lookup takes all resident IDs of the file at once (18-digit, normalised) and is
    called at most once per file; IDs without an entry are simply left out of the result.
    """

    @property
    def today(self) -> date:
        """The business date (Asia/Shanghai) that bounds the start period."""
        ...

    def persons(self, resident_ids: frozenset[str]) -> Mapping[str, RegisteredPerson]:
        """The registered persons among the IDs."""
        ...

    def active_pension_holders(self, resident_ids: frozenset[str]) -> Mapping[str, PensionHolder]:
        """For each ID with an active pension relation anywhere in the province, its holder."""
        ...

    def relations_to_end(self, resident_ids: frozenset[str]) -> Mapping[str, int]:
        """For each ID with active relations with this employer, the latest of their start
        periods (a removal may not end before it)."""
        ...

    def retirement_month(self, info: ResidentIdInfo) -> int:
        """The person's statutory retirement month (YYYYMM)."""
        ...


@dataclass(frozen=True)
class AdditionRow:
    """A clean staff addition (人员增加): the person and the relations to open."""

    row: int
    resident_id: str
    id_info: ResidentIdInfo
    name: str
    start_period: int
    schemes: tuple[str, ...]
    reason: str
    phone: str
    ethnicity: str
    hukou_type: str
    continuing: bool
    registered: bool

    @property
    def sex(self) -> Sex:
        return self.id_info.sex

    @property
    def birth_date(self) -> date:
        return self.id_info.birth_date


@dataclass(frozen=True)
class RemovalRow:
    """A clean staff removal (人员减少): the person whose relations here end, and when."""

    row: int
    resident_id: str
    id_info: ResidentIdInfo
    name: str
    end_period: int
    reason: str


@dataclass(frozen=True)
class BatchValidation:
    """The outcome of a file: its clean rows and the errors of the others, by row."""

    kind: BatchKind
    rows_read: int
    valid_rows: tuple[AdditionRow | RemovalRow, ...]
    errors: tuple[RowError, ...]

    @property
    def rows_with_errors(self) -> int:
        return len({error.row for error in self.errors})

    @property
    def additions(self) -> tuple[AdditionRow, ...]:
        return tuple(row for row in self.valid_rows if isinstance(row, AdditionRow))

    @property
    def removals(self) -> tuple[RemovalRow, ...]:
        return tuple(row for row in self.valid_rows if isinstance(row, RemovalRow))


def validate_rows(batch: BatchFile, context: BatchContext) -> BatchValidation:
    """Check every row of a file read by :func:`read_batch`; nothing is written."""
    if batch.kind == "addition":
        valid, checks = _validate_additions(batch.rows, context)
    else:
        valid, checks = _validate_removals(batch.rows, context)
    order = {column.label: index for index, column in enumerate(columns_for(batch.kind))}
    errors = sorted(
        (error for check in checks for error in check.errors),
        key=lambda error: (error.row, order[error.column]),
    )
    return BatchValidation(
        kind=batch.kind, rows_read=len(batch.rows), valid_rows=tuple(valid), errors=tuple(errors)
    )


class _RowCheck:
    """The errors of one row, collected cell by cell."""

    def __init__(self, row: BatchRow, columns: tuple[Column, ...]) -> None:
        self.row = row
        self.errors: list[RowError] = []
        self._columns = {column.key: column for column in columns}

    def read(self, key: str, parse: Callable[[CellValue], T]) -> T | None:
        """The parsed cell, or None if it is blank or wrong (a wrong or missing required
        cell is recorded)."""
        column = self._columns[key]
        value = self.row.cells.get(key)
        if value is None:
            if column.required:
                self.fail(
                    key,
                    RuleViolation(
                        "BATCH-CELL-REQUIRED", column=column.label, column_en=column.label_en
                    ),
                )
            return None
        return self.run(key, lambda: parse(value))

    def run(self, key: str, rule: Callable[[], T]) -> T | None:
        try:
            return rule()
        except RuleViolation as violation:
            self.fail(key, violation)
            return None

    def fail(self, key: str, violation: RuleViolation) -> None:
        self.errors.append(
            RowError(
                row=self.row.row,
                column=self._columns[key].label,
                code=violation.code,
                message_zh=violation.message_zh,
                message_en=violation.message_en,
            )
        )

    def has_error(self, key: str) -> bool:
        label = self._columns[key].label
        return any(error.column == label for error in self.errors)


def _flag_duplicates(rows: Sequence[tuple[_RowCheck, ResidentIdInfo | None]]) -> None:
    """The same person twice in a file: the later rows are in error, naming the first."""
    first_rows: dict[str, int] = {}
    for check, info in rows:
        if info is None:
            continue
        first = first_rows.setdefault(info.number, check.row.row)
        if first != check.row.row:
            check.fail("resident_id", RuleViolation("BATCH-ROW-DUPLICATE", first_row=first))


def _check_registered_name(
    check: _RowCheck, name: str | None, registered: RegisteredPerson | None
) -> None:
    if name is None or registered is None or normalise_name(registered.name) == name:
        return
    # The registered name is masked: a mistyped ID must not reveal a stranger's name.
    check.fail(
        "name",
        RuleViolation("BATCH-NAME-MISMATCH", name=name, registered=mask_name(registered.name)),
    )


def _ids(rows: Sequence[tuple[_RowCheck, ResidentIdInfo | None]]) -> frozenset[str]:
    return frozenset(info.number for _check, info in rows if info is not None)


# Additions ------------------------------------------------------------------------------


@dataclass
class _AdditionDraft:
    check: _RowCheck
    info: ResidentIdInfo | None
    name: str | None
    start: int | None
    schemes: tuple[str, ...] | None
    reason: str | None
    phone: str | None
    ethnicity: str | None
    hukou_type: str | None
    continuing: bool | None


_ADDITION_BY_KEY = {column.key: column for column in ADDITION_COLUMNS}
_REMOVAL_BY_KEY = {column.key: column for column in REMOVAL_COLUMNS}


def _addition_reason(value: CellValue) -> str:
    # An employer's file cannot enrol a flexible worker, who has no employer; say so rather
    # than calling the reason unknown.
    if isinstance(value, str) and value.strip() == ADDITION_REASONS["flexible"][0]:
        raise RuleViolation("REG-REL-FLEX-EMPLOYER")
    return parse_reason(value, _ADDITION_BY_KEY["reason"], BATCH_ADDITION_REASONS)


def _addition_draft(row: BatchRow, today: date) -> _AdditionDraft:
    check = _RowCheck(row, ADDITION_COLUMNS)
    continuing_column = _ADDITION_BY_KEY["continuing"]
    draft = _AdditionDraft(
        check=check,
        info=check.read("resident_id", parse_resident_id),
        name=check.read("name", parse_name),
        start=check.read("start_period", parse_period),
        schemes=check.read("schemes", parse_schemes),
        reason=check.read("reason", _addition_reason),
        phone=check.read("phone", parse_phone),
        ethnicity=check.read("ethnicity", parse_ethnicity),
        hukou_type=check.read("hukou_type", parse_hukou),
        continuing=check.read("continuing", lambda value: parse_yes_no(value, continuing_column)),
    )
    if draft.start is not None:
        check.run("start_period", partial(check_start_period, draft.start, today))
    return draft


def _validate_additions(
    rows: Sequence[BatchRow], context: BatchContext
) -> tuple[list[AdditionRow | RemovalRow], list[_RowCheck]]:
    drafts = [_addition_draft(row, context.today) for row in rows]
    keyed = [(draft.check, draft.info) for draft in drafts]
    _flag_duplicates(keyed)
    resident_ids = _ids(keyed)
    persons = context.persons(resident_ids) if resident_ids else {}
    holders = context.active_pension_holders(resident_ids) if resident_ids else {}

    valid: list[AdditionRow | RemovalRow] = []
    for draft in drafts:
        if draft.info is not None:
            _check_registered_name(draft.check, draft.name, persons.get(draft.info.number))
            _check_pension_holder(draft, holders.get(draft.info.number))
            _check_retirement(draft, context)
        addition = _addition_row(
            draft, registered=draft.info is not None and draft.info.number in persons
        )
        if addition is not None:
            valid.append(addition)
    return valid, [draft.check for draft in drafts]


def _check_pension_holder(draft: _AdditionDraft, holder: PensionHolder | None) -> None:
    # One active pension relation per person in the province (省级统筹); the other
    # schemes may be held with several employers at once.
    if holder is None or draft.schemes is None or "pension" not in draft.schemes:
        return
    if holder.same_employer:
        draft.check.fail("resident_id", RuleViolation("BATCH-ALREADY-INSURED"))
        return
    employer = holder.employer_name
    if not holder.employer_visible:
        employer = mask_employer_name(employer)
    draft.check.fail(
        "resident_id",
        RuleViolation("REG-REL-DUPLICATE-ACTIVE", employer=employer, agency=holder.agency_name),
    )


def _check_retirement(draft: _AdditionDraft, context: BatchContext) -> None:
    # Without a readable 延长缴费 cell the exception cannot be judged; that cell's own error
    # is reported instead.
    info, start = draft.info, draft.start
    if info is None or start is None or draft.check.has_error("continuing"):
        return

    def past_retirement() -> None:
        retirement = context.retirement_month(info)
        check_not_past_retirement(start, retirement, continuing=bool(draft.continuing))

    draft.check.run("start_period", past_retirement)


def _addition_row(draft: _AdditionDraft, *, registered: bool) -> AdditionRow | None:
    """The clean row, or None if the row has errors."""
    info, start, schemes = draft.info, draft.start, draft.schemes
    if draft.check.errors or info is None or start is None or schemes is None:
        return None
    if draft.name is None or draft.reason is None:
        return None
    return AdditionRow(
        row=draft.check.row.row,
        resident_id=info.number,
        id_info=info,
        name=draft.name,
        start_period=start,
        schemes=schemes,
        reason=draft.reason,
        phone=draft.phone or "",
        ethnicity=draft.ethnicity or "",
        hukou_type=draft.hukou_type or "",
        continuing=bool(draft.continuing),
        registered=registered,
    )


# Removals -------------------------------------------------------------------------------


@dataclass
class _RemovalDraft:
    check: _RowCheck
    info: ResidentIdInfo | None
    name: str | None
    end: int | None
    reason: str | None


def _removal_reason(value: CellValue) -> str:
    return parse_reason(value, _REMOVAL_BY_KEY["reason"], REMOVAL_REASONS)


def _removal_draft(row: BatchRow) -> _RemovalDraft:
    check = _RowCheck(row, REMOVAL_COLUMNS)
    return _RemovalDraft(
        check=check,
        info=check.read("resident_id", parse_resident_id),
        name=check.read("name", parse_name),
        end=check.read("end_period", parse_period),
        reason=check.read("reason", _removal_reason),
    )


def _validate_removals(
    rows: Sequence[BatchRow], context: BatchContext
) -> tuple[list[AdditionRow | RemovalRow], list[_RowCheck]]:
    drafts = [_removal_draft(row) for row in rows]
    keyed = [(draft.check, draft.info) for draft in drafts]
    _flag_duplicates(keyed)
    resident_ids = _ids(keyed)
    persons = context.persons(resident_ids) if resident_ids else {}
    relations = context.relations_to_end(resident_ids) if resident_ids else {}

    valid: list[AdditionRow | RemovalRow] = []
    for draft in drafts:
        info, end, check = draft.info, draft.end, draft.check
        if info is None:
            continue
        _check_registered_name(check, draft.name, persons.get(info.number))
        start = relations.get(info.number)
        if start is None:
            check.fail("resident_id", RuleViolation("BATCH-NOT-INSURED-HERE"))
        elif end is not None:
            check.run("end_period", partial(check_end_period, start, end))
        if check.errors or draft.name is None or end is None or draft.reason is None:
            continue
        valid.append(
            RemovalRow(
                row=check.row.row,
                resident_id=info.number,
                id_info=info,
                name=draft.name,
                end_period=end,
                reason=draft.reason,
            )
        )
    return valid, [draft.check for draft in drafts]
