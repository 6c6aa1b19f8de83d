"""What a dashboard figure is: a titled table with typed columns and how to draw it. The
screen's table, its chart and its Excel sheet are all drawn from the same rows, so they
cannot disagree."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.utils.functional import Promise

from shebao.core.models import Agency
from shebao.core.money import fen_to_yuan
from shebao.core.periods import period_first_day, period_format, period_last_day

# DECIMAL: a mean with one decimal (minutes of waiting, cases per day).
TEXT, COUNT, YUAN, RATE, DECIMAL = "text", "count", "yuan", "rate", "decimal"

Cell = str | int | float | None
T = TypeVar("T")


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    kind: str = COUNT


@dataclass(frozen=True)
class Figure:
    """``rows`` hold raw values: counts as int, money as int fen, rates as a fraction (or
    None with nothing to divide by), minutes as float. ``chart`` is "line", "bar", "pie" or
    "hbar"; it draws ``series`` (column keys) against the first column, money in yuan."""

    slug: str
    title: str | Promise
    columns: tuple[Column, ...]
    rows: Sequence[tuple[Cell, ...]]
    chart: str
    series: tuple[str, ...]
    note: str | Promise = ""
    totals: tuple[Cell, ...] | None = None
    secondary: tuple[str, ...] = field(default_factory=tuple)

    def cells(self, row: tuple[Cell, ...], shown: Callable[[Cell, str], T]) -> list[T]:
        """A row's cells as ``shown`` presents each for its column's kind."""
        return [shown(value, column.kind) for value, column in zip(row, self.columns, strict=True)]

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)

    def chart_data(self) -> dict[str, Any]:
        """What the page's script draws: categories and one list per series (yuan, not fen)."""
        keys = [column.key for column in self.columns]
        return {
            "type": self.chart,
            "categories": [str(row[0]) for row in self.rows],
            "series": [
                {
                    "name": str(self.column(key).label),
                    "data": [
                        _chart_value(row[keys.index(key)], self.column(key).kind)
                        for row in self.rows
                    ],
                    "secondary": key in self.secondary,
                }
                for key in self.series
            ],
        }


def _chart_value(value: Cell, kind: str) -> float | int | None:
    if value is None or isinstance(value, str):
        return None
    if kind == YUAN:
        return float(fen_to_yuan(int(value)))
    if kind == RATE:
        return round(float(value) * 100, 1)
    return value


def cell_display(value: Cell, kind: str) -> str:
    """How the screen shows a cell: yuan with two decimals, rates as percentages."""
    if value is None:
        return "—"
    if kind == YUAN:
        return f"{fen_to_yuan(int(value)):,.2f}"
    if kind == RATE:
        return f"{float(value) * 100:.1f}%"
    if kind == DECIMAL:
        return f"{float(value):.1f}"
    if kind == COUNT:
        return f"{int(value):,}"
    return str(value)


def cell_excel(value: Cell, kind: str) -> str | int | Decimal | None:
    """The same cell in Excel: yuan as Decimal, rates as a percentage with one decimal (as on
    the screen), minutes with one decimal."""
    if value is None:
        return None
    if kind == YUAN:
        return fen_to_yuan(int(value))
    if kind == RATE:
        return Decimal(str(round(float(value) * 100, 1)))
    if kind == DECIMAL:
        return Decimal(f"{float(value):.1f}")
    return value if isinstance(value, str | int) else Decimal(str(value))


@dataclass(frozen=True)
class Filters:
    """An agency subtree and a range of periods; the day figures (cases, the queue) cover the
    days of those months up to today."""

    agency: Agency
    start: int
    end: int
    today: date

    @property
    def day_from(self) -> date:
        return period_first_day(self.start)

    @property
    def day_to(self) -> date:
        return min(period_last_day(self.end), self.today)

    def describe(self) -> str:
        months = f"{period_format(self.start)}–{period_format(self.end)}"
        return f"{self.agency.code} {self.agency.name} · {months}"
