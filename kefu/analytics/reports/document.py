"""A report as plain values: figures with their previous period, charts and tables, each
number with the link to the tickets behind it. Pages, CSV/XLSX exports and the PDF all draw
from this one object, so every output holds the same numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from kefu.analytics.reports.periods import DayRange

KINDS = ("text", "int", "number", "percent", "hours", "money")


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    kind: str = "int"  # one of KINDS: how it is formatted and stored in a spreadsheet


@dataclass(frozen=True, slots=True)
class Table:
    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    links: tuple[str | None, ...] = ()  # the tickets behind each row, when there are some
    # the tickets behind each cell (a heat map's), row by row, when there are some
    cell_links: tuple[tuple[str | None, ...], ...] = ()

    def link(self, index: int) -> str | None:
        return self.links[index] if index < len(self.links) else None

    def cell_link(self, row: int, column: int) -> str | None:
        if row < len(self.cell_links) and column < len(self.cell_links[row]):
            return self.cell_links[row][column]
        return None


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: tuple[float | int | None, ...]
    links: tuple[str | None, ...] = ()  # the tickets behind each bar


@dataclass(frozen=True, slots=True)
class Chart:
    key: str
    title: str
    kind: str  # "bar", "line" or "hbar"
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    stacked: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "kind": self.kind,
            "labels": list(self.labels),
            "stacked": self.stacked,
            "series": [
                {"label": s.label, "values": list(s.values), "links": list(s.links)}
                for s in self.series
            ],
        }


@dataclass(frozen=True, slots=True)
class Figure:
    """One number with the same number for the previous period. `lower_is_better` says which
    way the change is good (a shorter reply time is)."""

    key: str
    label: str
    kind: str
    value: float | int | None
    previous: float | int | None
    link: str | None = None
    lower_is_better: bool = False

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return round(float(self.value) - float(self.previous), 2)

    @property
    def change_percent(self) -> float | None:
        if self.change is None or not self.previous:
            return None
        return round(100 * self.change / abs(float(self.previous)), 1)

    @property
    def trend(self) -> str:
        """ "better", "worse" or "same": the colour of the change."""
        if not self.change:
            return "same"
        improved = (self.change < 0) if self.lower_is_better else (self.change > 0)
        return "better" if improved else "worse"


@dataclass(slots=True)
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    note: str | None = None  # a word on what is missing (no intent yet, no orders)

    @property
    def is_empty(self) -> bool:
        """Nothing counted: every figure and every number in the tables is 0 or missing."""
        numbers = [
            value
            for table in self.tables
            for row in table.rows
            for value, column in zip(row, table.columns, strict=True)
            if column.kind != "text"
        ]
        numbers += [f.value for f in self.figures]
        return all(value in (None, 0) for value in numbers)


@dataclass(slots=True)
class Report:
    title: str
    period: DayRange
    previous: DayRange
    time_zone: str
    filters: list[tuple[str, str]]  # (label, value) of each filter that narrows the report
    sections: list[Section]
    generated_at: datetime

    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables() if t.key == key), None)


def period_text(days: DayRange) -> str:
    if days.since == days.until:
        return days.since.isoformat()
    return f"{days.since.isoformat()} – {days.until.isoformat()}"


def day_label(day: date) -> str:
    return day.isoformat()
