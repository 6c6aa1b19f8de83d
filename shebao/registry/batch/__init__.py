"""Batch staff additions and removals from Excel (批量增减人员).

An employer hands in an xlsx made from :func:`batch_template`; :func:`read_batch` reads it
whole or refuses it, :func:`validate_rows` turns each row into a clean addition or removal or
into its errors, and :func:`error_report` gives the clerk those errors as a spreadsheet.
Nothing here writes to the database: the caller registers the clean rows once the clerk
confirms them, and supplies the lookups validation needs through a :class:`BatchContext`.

Everything is pure and Django-free, so it runs in tests and benchmarks without a database.
"""

from __future__ import annotations

from shebao.registry.batch import codes as _codes  # noqa: F401  (registers the BATCH-* rules)
from shebao.registry.batch.columns import (
    ADDITION_COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    REMOVAL_COLUMNS,
    SHEET_TITLES,
    BatchKind,
    CellValue,
    Column,
    columns_for,
)
from shebao.registry.batch.reading import BatchFile, BatchRow, read_batch
from shebao.registry.batch.report import error_report
from shebao.registry.batch.template import batch_template
from shebao.registry.batch.validation import (
    AdditionRow,
    BatchContext,
    BatchValidation,
    PensionHolder,
    RegisteredPerson,
    RemovalRow,
    RowError,
    validate_rows,
)

__all__ = [
    "ADDITION_COLUMNS",
    "MAX_BYTES",
    "MAX_ROWS",
    "REMOVAL_COLUMNS",
    "SHEET_TITLES",
    "AdditionRow",
    "BatchContext",
    "BatchFile",
    "BatchKind",
    "BatchRow",
    "BatchValidation",
    "CellValue",
    "Column",
    "PensionHolder",
    "RegisteredPerson",
    "RemovalRow",
    "RowError",
    "batch_template",
    "columns_for",
    "error_report",
    "read_batch",
    "validate_rows",
]
