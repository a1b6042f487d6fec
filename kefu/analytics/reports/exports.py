"""A report's tables as CSV (one table) and XLSX (a summary sheet and a sheet per table):
numbers stay numbers, headers are in the reader's language, hours and percentages are named
in the header so the cells hold plain values a spreadsheet can sum."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kefu.analytics.reports.document import Column, Figure, Report, Table, period_text
from kefu.kit.i18n import gettext as _

NUMBER_FORMATS = {"int": "0", "number": "0.00", "hours": "0.00", "percent": "0.0", "money": "0.00"}
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")
# A cell starting with these is a formula to a spreadsheet (CSV injection): text is quoted.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def header(column: Column) -> str:
    if column.kind == "hours":
        return _("%(label)s (hours)", label=column.label)
    if column.kind == "percent":
        return _("%(label)s (%%)", label=column.label)
    return column.label


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "text":
        text = str(value)
        return "'" + text if text.startswith(_FORMULA_START) else text
    if kind == "int":
        return int(value)
    return round(float(value), 2)


def csv_bytes(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Chinese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header(c) for c in table.columns])
    for row in table.rows:
        writer.writerow(
            [
                "" if (v := _cell(value, c.kind)) is None else v
                for value, c in zip(row, table.columns, strict=True)
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def sheet_name(title: str, taken: set[str]) -> str:
    base = _SHEET_UNSAFE.sub(" ", title).strip()[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        name = f"{base[:25]} {n}"
        n += 1
    taken.add(name.lower())
    return name


def _write_table(sheet: Any, columns: tuple[Column, ...], rows: list[tuple[Any, ...]]) -> None:
    sheet.append([header(c) for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([_cell(value, c.kind) for value, c in zip(row, columns, strict=True)])
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, min(40, len(header(column)) + 4))
        number_format = NUMBER_FORMATS.get(column.kind)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format


def figure_rows(figures: list[Figure]) -> list[tuple[Any, ...]]:
    return [(f.label, f.value, f.previous, f.change, f.change_percent) for f in figures]


def figure_columns() -> tuple[Column, ...]:
    return (
        Column(_("Figure"), "text"),
        Column(_("This period"), "number"),
        Column(_("Previous period"), "number"),
        Column(_("Change"), "number"),
        Column(_("Change"), "percent"),
    )


def xlsx_bytes(report: Report, *, only: str | None = None) -> bytes:
    """The summary (period, filters, figures) and every table, or only the table `only`."""
    book = Workbook()
    summary = book.active
    summary.title = _("Summary")[:31]
    taken = {summary.title.lower()}
    summary.append([report.title])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([_("Period"), period_text(report.period)])
    summary.append([_("Previous period"), period_text(report.previous)])
    summary.append([_("Time zone"), report.time_zone])
    for label, value in report.filters:
        summary.append([label, value])
    summary.append([])
    figures = [f for s in report.sections for f in s.figures]
    if figures:
        start = summary.max_row + 1
        for values in [[header(c) for c in figure_columns()], *figure_rows(figures)]:
            summary.append(list(values))
        for cell in summary[start]:
            cell.font = Font(bold=True)
        for row in summary.iter_rows(min_row=start + 1, min_col=2, max_col=5):
            for cell in row:
                cell.number_format = "0.00"
    summary.column_dimensions["A"].width = 36
    for table in report.tables():
        if only is not None and table.key != only:
            continue
        sheet = book.create_sheet(sheet_name(table.title, taken))
        _write_table(sheet, table.columns, list(table.rows))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
