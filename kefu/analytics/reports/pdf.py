"""A report as a PDF (reportlab, no browser): the period and filters, every figure beside
its previous period, the charts drawn as vector graphics, and the tables. Chinese text uses
reportlab's built-in CID font, so no font file ships with kefu."""

from __future__ import annotations

import io
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from kefu.analytics.reports.document import Chart, Report, Section, period_text
from kefu.analytics.reports.exports import figure_columns, figure_rows, header
from kefu.kit.i18n import gettext as _

CJK_FONT = "STSong-Light"
PALETTE = ["#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2"]
MAX_TABLE_ROWS = 40
WIDTH = A4[0] - 30 * mm


def _register_fonts() -> None:
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def font_for(text: str, bold: bool = False) -> str:
    """Helvetica for Latin text (its numbers read back cleanly), the CID font otherwise."""
    if any(ord(ch) > 0xFF for ch in text):
        return CJK_FONT
    return "Helvetica-Bold" if bold else "Helvetica"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _para(text: str, style: ParagraphStyle, *, bold: bool = False) -> Paragraph:
    return Paragraph(
        _escape(text), ParagraphStyle("x", parent=style, fontName=font_for(text, bold))
    )


def format_value(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "text":
        return str(value)
    if kind == "int":
        return f"{int(value):,}"
    if kind == "percent":
        return f"{float(value):.1f}%"
    return f"{float(value):,.2f}"


def _grid(rows: list[list[str]], widths: list[float] | None = None) -> Table:
    styles = getSampleStyleSheet()
    cell = ParagraphStyle("cell", parent=styles["BodyText"], fontSize=8, leading=10)
    data = [[_para(text, cell, bold=(r == 0)) for text in row] for r, row in enumerate(rows)]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#cbd5e1")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e2e8f0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _short(label: str, limit: int = 14) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def chart_drawing(chart: Chart) -> Drawing:
    """The chart as vector graphics, titled, with a legend when it has several series."""
    height = 210 if chart.kind != "hbar" else max(120, 18 * len(chart.labels) + 60)
    drawing = Drawing(WIDTH, height)
    drawing.add(
        String(0, height - 12, chart.title, fontName=font_for(chart.title, True), fontSize=10)
    )
    data = [tuple(float(v or 0) for v in s.values) for s in chart.series] or [(0.0,)]
    labels = [_short(label) for label in chart.labels] or [""]
    plot: Any
    if chart.kind == "line":
        plot = HorizontalLineChart()
    elif chart.kind == "hbar":
        plot = HorizontalBarChart()
    else:
        plot = VerticalBarChart()
    plot.x, plot.y = (90 if chart.kind == "hbar" else 35), 40
    plot.width = WIDTH - plot.x - 10
    plot.height = height - 75
    plot.data = data
    plot.categoryAxis.categoryNames = labels
    plot.categoryAxis.labels.fontName = font_for("".join(labels))
    plot.categoryAxis.labels.fontSize = 6
    if chart.kind != "hbar" and len(labels) > 10:
        plot.categoryAxis.labels.angle = 45
        plot.categoryAxis.labels.boxAnchor = "ne"
    plot.valueAxis.valueMin = 0
    plot.valueAxis.labels.fontSize = 7
    for index in range(len(data)):
        colour = colors.HexColor(PALETTE[index % len(PALETTE)])
        if chart.kind == "line":
            plot.lines[index].strokeColor = colour
            plot.lines[index].strokeWidth = 1.5
        else:
            plot.bars[index].fillColor = colour
            plot.bars[index].strokeColor = None
    if chart.stacked and chart.kind != "line":
        plot.categoryAxis.style = "stacked"
    drawing.add(plot)
    if len(chart.series) > 1:
        legend = Legend()
        legend.x, legend.y = WIDTH - 150, height - 8
        legend.fontName = font_for("".join(s.label for s in chart.series))
        legend.fontSize = 7
        legend.columnMaximum = 1
        legend.alignment = "right"
        legend.colorNamePairs = [
            (colors.HexColor(PALETTE[i % len(PALETTE)]), s.label)
            for i, s in enumerate(chart.series)
        ]
        drawing.add(legend)
    return drawing


def _section(section: Section, styles: Any) -> list[Any]:
    parts: list[Any] = [_para(section.title, styles["Heading2"], bold=True)]
    if section.note:
        parts.append(_para(section.note, styles["Italic"]))
    if section.figures:
        rows = [[header(c) for c in figure_columns()]]
        for f, values in zip(section.figures, figure_rows(section.figures), strict=True):
            label, value, previous, change, percent = values
            rows.append(
                [
                    label,
                    format_value(value, f.kind),
                    format_value(previous, f.kind),
                    format_value(change, "number" if f.kind != "int" else "int"),
                    format_value(percent, "percent"),
                ]
            )
        parts += [_grid(rows, [WIDTH * 0.4] + [WIDTH * 0.15] * 4), Spacer(1, 4 * mm)]
    for chart in section.charts:
        parts += [chart_drawing(chart), Spacer(1, 3 * mm)]
    for table in section.tables:
        rows = [[header(c) for c in table.columns]]
        for row in table.rows[:MAX_TABLE_ROWS]:
            rows.append([format_value(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
        block = [_para(table.title, styles["Heading4"], bold=True), _grid(rows)]
        if len(table.rows) > MAX_TABLE_ROWS:
            more = _(
                "… and %(count)s more rows in the XLSX.", count=len(table.rows) - MAX_TABLE_ROWS
            )
            block.append(_para(more, styles["Italic"]))
        parts += [KeepTogether(block[:2]), *block[2:], Spacer(1, 4 * mm)]
    return parts


def pdf_bytes(report: Report) -> bytes:
    _register_fonts()
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=report.title,
        author="kefu",
    )
    story: list[Any] = [_para(report.title, styles["Title"], bold=True)]
    lines = [
        f"{_('Period')}: {period_text(report.period)} ({report.time_zone})",
        f"{_('Previous period')}: {period_text(report.previous)}",
        *[f"{label}: {value}" for label, value in report.filters],
    ]
    story += [_para(line, styles["Normal"]) for line in lines]
    story.append(Spacer(1, 5 * mm))
    for section in report.sections:
        story += _section(section, styles)
    doc.build(story)
    return out.getvalue()
