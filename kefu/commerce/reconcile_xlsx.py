"""A reconciliation as an XLSX workbook: a summary sheet and one sheet per kind of finding,
with money in major units and headers in the reader's language."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kefu.commerce.models import Carrier, Reconciliation
from kefu.commerce.reconcile import KINDS
from kefu.kit.i18n import gettext as _
from kefu.kit.money import to_major

# Sheet names: at most 31 characters, none of []:*?/\
SHEET_NAMES = {
    "missing_in_kefu": "missing_in_kefu",
    "not_invoiced": "not_invoiced",
    "duplicate": "duplicate",
    "weight": "weight",
    "fee": "fee",
    "unreadable": "unreadable",
}


def _money(minor: int | None, currency: str) -> float | None:
    return None if minor is None else float(to_major(minor, currency))


def _bold_header(sheet: Any, headers: list[str]) -> None:
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 4)


def workbook_bytes(reconciliation: Reconciliation, carrier: Carrier) -> bytes:
    summary = reconciliation.summary or {}
    currency = summary.get("currency", "CNY")
    book = Workbook()
    sheet = book.active
    sheet.title = "summary"
    _bold_header(sheet, [_("Item"), _("Value")])
    counts = summary.get("counts", {})
    rows: list[tuple[str, Any]] = [
        (_("Carrier"), carrier.name),
        (_("Month"), reconciliation.month),
        (_("File"), reconciliation.file_name),
        (_("Currency"), currency),
        (_("Invoice lines"), summary.get("invoice_lines", 0)),
        (_("Shipments in kefu that month"), summary.get("shipments_in_month", 0)),
        (_("Invoiced total"), _money(summary.get("invoiced_minor", 0), currency)),
        (
            _("Overcharge (duplicates and higher fees)"),
            _money(summary.get("overcharge_minor", 0), currency),
        ),
        (
            _("Charges for shipments kefu does not know"),
            _money(summary.get("unexplained_minor", 0), currency),
        ),
    ]
    rows += [(_(label), counts.get(kind, 0)) for kind, label in KINDS.items()]
    for row in rows:
        sheet.append(list(row))
    sheet.column_dimensions["A"].width = 44
    headers = [
        _("Line"),
        _("Tracking number"),
        _("Date"),
        _("Order"),
        _("Invoiced weight (g)"),
        _("Weight in kefu (g)"),
        _("Invoiced fee"),
        _("Fee in kefu"),
        _("Difference"),
        _("Why"),
    ]
    for kind in KINDS:
        page = book.create_sheet(SHEET_NAMES[kind])
        _bold_header(page, headers)
        for finding in reconciliation.lines or []:
            if finding.get("kind") != kind:
                continue
            page.append(
                [
                    finding.get("line"),
                    finding.get("tracking_number", ""),
                    finding.get("date", ""),
                    finding.get("order_number", ""),
                    finding.get("invoice_weight_grams"),
                    finding.get("kefu_weight_grams"),
                    _money(finding.get("invoice_fee_minor"), currency),
                    _money(finding.get("kefu_fee_minor"), currency),
                    _money(finding.get("difference_minor"), currency),
                    finding.get("reason", ""),
                ]
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
