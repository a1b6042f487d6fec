"""Monthly reconciliation (物流对账): a carrier's invoice CSV checked against kefu's shipments
of that carrier in that month, every difference kept as a finding."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.commerce import carriers as carrier_service
from kefu.commerce.csv_files import decode, parse_date, parse_decimal, read_rows
from kefu.commerce.models import Carrier, Fulfilment, Order, Reconciliation
from kefu.errors import InvalidInput, KefuError, NotFound
from kefu.kit.actor import Actor
from kefu.kit.i18n import N_
from kefu.kit.money import to_minor
from kefu.permissions import require

MISSING = "missing_in_kefu"
NOT_INVOICED = "not_invoiced"
DUPLICATE = "duplicate"
WEIGHT = "weight"
FEE = "fee"
UNREADABLE = "unreadable"
KINDS: dict[str, str] = {
    MISSING: N_("Invoiced, no shipment in kefu"),
    NOT_INVOICED: N_("Shipped, not invoiced"),
    DUPLICATE: N_("Invoiced twice"),
    WEIGHT: N_("Weight differs"),
    FEE: N_("Fee differs"),
    UNREADABLE: N_("Unreadable line"),
}
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, slots=True)
class Tolerance:
    weight_grams: int = 100
    fee_minor: int = 0


@dataclass(slots=True)
class InvoiceLine:
    line: int
    tracking_number: str
    fee_minor: int
    weight_grams: int | None
    date: str


def month_bounds(month: str) -> tuple[datetime, datetime]:
    match = MONTH_RE.match(month)
    if not match:
        raise InvalidInput(f"a month is written YYYY-MM, e.g. 2026-10 (got {month!r})")
    year, number = int(match.group(1)), int(match.group(2))
    start = datetime(year, number, 1, tzinfo=UTC)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    return start, end


def _weight(values: dict[str, str]) -> int | None:
    if values.get("weight_grams"):
        return int(parse_decimal(values["weight_grams"], what="weight"))
    if values.get("weight"):
        return int(parse_decimal(values["weight"], what="weight") * Decimal(1000))
    return None


def read_invoice(data: bytes, *, currency: str) -> tuple[list[InvoiceLine], list[dict[str, Any]]]:
    """The invoice's lines, and the lines that could not be read (as findings)."""
    lines: list[InvoiceLine] = []
    unreadable: list[dict[str, Any]] = []
    for row in read_rows(decode(data), required=("tracking_number", "fee")):
        values = row.values
        try:
            if not values.get("tracking_number"):
                raise InvalidInput("the tracking number is missing")
            if not values.get("fee"):
                raise InvalidInput("the fee is missing")
            fee = to_minor(parse_decimal(values["fee"], what="fee"), currency)
            day = values.get("happened_at", "")
            lines.append(
                InvoiceLine(
                    line=row.line,
                    tracking_number=values["tracking_number"],
                    fee_minor=fee,
                    weight_grams=_weight(values),
                    date=parse_date(day).isoformat() if day else "",
                )
            )
        except KefuError as exc:
            finding = _finding(UNREADABLE, None, None)
            finding.update(
                line=row.line,
                tracking_number=values.get("tracking_number") or None,
                reason=exc.message,
            )
            unreadable.append(finding)
    return lines, unreadable


def _shipments(
    session: Session, carrier: Carrier, numbers: set[str], month: str
) -> tuple[dict[str, tuple[Fulfilment, Order]], list[tuple[Fulfilment, Order]]]:
    """Shipments with an invoiced number (any month), and this carrier's in the month."""
    start, end = month_bounds(month)
    shipped = func.coalesce(Fulfilment.shipped_at, Fulfilment.created_at)
    statement = (
        select(Fulfilment, Order)
        .join(Order, Order.id == Fulfilment.order_id)
        .where(Fulfilment.tracking_number != "")
    )
    by_number: dict[str, tuple[Fulfilment, Order]] = {}
    invoiced = list(numbers)
    for index in range(0, len(invoiced), 500):
        chunk = invoiced[index : index + 500]
        for fulfilment, order in session.execute(
            statement.where(Fulfilment.tracking_number.in_(chunk))
        ):
            by_number.setdefault(fulfilment.tracking_number, (fulfilment, order))
    in_month = []
    for fulfilment, order in session.execute(
        statement.where(shipped >= start, shipped < end).order_by(shipped, Fulfilment.id)
    ):
        found = carrier_service.find_carrier(session, fulfilment.carrier)
        if found is not None and found.id == carrier.id:
            in_month.append((fulfilment, order))
    return by_number, in_month


def _finding(
    kind: str, line: InvoiceLine | None, shipment: tuple[Fulfilment, Order] | None
) -> dict[str, Any]:
    fulfilment, order = shipment if shipment else (None, None)
    number = line.tracking_number if line else (fulfilment.tracking_number if fulfilment else "")
    return {
        "kind": kind,
        "line": line.line if line else None,
        "tracking_number": number,
        "date": line.date if line else "",
        "invoice_fee_minor": line.fee_minor if line else None,
        "invoice_weight_grams": line.weight_grams if line else None,
        "kefu_fee_minor": fulfilment.shipping_cost_minor if fulfilment else None,
        "kefu_weight_grams": fulfilment.weight_grams if fulfilment else None,
        "order_id": order.id if order else None,
        "order_number": order.number if order else "",
        "reason": "",
    }


def compare(
    lines: list[InvoiceLine],
    by_number: dict[str, tuple[Fulfilment, Order]],
    in_month: list[tuple[Fulfilment, Order]],
    tolerance: Tolerance,
) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = []
    grouped: dict[str, list[InvoiceLine]] = defaultdict(list)
    for line in lines:
        grouped[line.tracking_number].append(line)
    for number, same in grouped.items():
        shipment = by_number.get(number)
        first, *extra = same
        findings.extend(_finding(DUPLICATE, line, shipment) for line in extra)
        if shipment is None:
            findings.append(_finding(MISSING, first, None))
            continue
        fulfilment = shipment[0]
        kefu_weight, invoiced_weight = fulfilment.weight_grams, first.weight_grams
        if (
            kefu_weight is not None
            and invoiced_weight is not None
            and abs(invoiced_weight - kefu_weight) > tolerance.weight_grams
        ):
            findings.append(_finding(WEIGHT, first, shipment))
        expected = fulfilment.shipping_cost_minor
        if expected is not None and abs(first.fee_minor - expected) > tolerance.fee_minor:
            findings.append(_finding(FEE, first, shipment))
    for fulfilment, order in in_month:
        if fulfilment.tracking_number not in grouped:
            findings.append(_finding(NOT_INVOICED, None, (fulfilment, order)))
    for finding in findings:
        finding["difference_minor"] = _difference(finding)
    return findings


def _difference(finding: dict[str, Any]) -> int:
    """What the line costs more than kefu expects (negative: less)."""
    invoiced = finding["invoice_fee_minor"] or 0
    if finding["kind"] in (DUPLICATE, MISSING):
        return invoiced
    if finding["kind"] == NOT_INVOICED:
        return 0
    return invoiced - (finding["kefu_fee_minor"] or 0)


def summarize(
    lines: list[InvoiceLine],
    findings: list[dict[str, Any]],
    *,
    in_month: int,
    currency: str,
    tolerance: Tolerance,
) -> dict[str, Any]:
    counts = dict.fromkeys(KINDS, 0)
    for finding in findings:
        counts[finding["kind"]] += 1
    return {
        "currency": currency,
        "invoice_lines": len(lines),
        "shipments_in_month": in_month,
        "invoiced_minor": sum(line.fee_minor for line in lines),
        "counts": counts,
        # what the carrier asks beyond kefu's expectation: duplicates and fee differences up
        "overcharge_minor": sum(
            max(f["difference_minor"], 0) for f in findings if f["kind"] in (DUPLICATE, FEE)
        ),
        "unexplained_minor": sum(f["difference_minor"] for f in findings if f["kind"] == MISSING),
        "weight_tolerance_grams": tolerance.weight_grams,
        "fee_tolerance_minor": tolerance.fee_minor,
    }


def reconcile_invoice(
    session: Session,
    *,
    actor: Actor,
    carrier_id: int,
    month: str,
    data: bytes,
    file_name: str = "",
    currency: str = "CNY",
    tolerance: Tolerance | None = None,
) -> Reconciliation:
    """Check an invoice; the result is stored (one row per upload) with every finding."""
    require(actor, "reports.read")
    tolerance = tolerance or Tolerance()
    carrier = carrier_service.get_carrier(session, carrier_id)
    month_bounds(month)
    currency = currency.strip().upper()
    if not re.match(r"^[A-Z]{3}$", currency):
        raise InvalidInput(f"a currency is a three-letter code, e.g. CNY (got {currency!r})")
    lines, unreadable = read_invoice(data, currency=currency)
    if not lines and not unreadable:
        raise InvalidInput("the invoice has no lines")
    by_number, in_month = _shipments(
        session, carrier, {line.tracking_number for line in lines}, month
    )
    findings = compare(lines, by_number, in_month, tolerance) + [
        {**u, "difference_minor": 0} for u in unreadable
    ]
    reconciliation = Reconciliation(
        carrier_id=carrier.id,
        month=month,
        file_name=file_name[:300],
        summary=summarize(
            lines, findings, in_month=len(in_month), currency=currency, tolerance=tolerance
        ),
        lines=findings,
        agent_id=actor.agent_id,
    )
    session.add(reconciliation)
    session.flush()
    return reconciliation


def get_reconciliation(session: Session, *, actor: Actor, reconciliation_id: int) -> Reconciliation:
    require(actor, "reports.read")
    found = session.get(Reconciliation, reconciliation_id)
    if found is None:
        raise NotFound(f"reconciliation {reconciliation_id} does not exist")
    return found


def list_reconciliations(
    session: Session, *, actor: Actor, limit: int = 100
) -> list[Reconciliation]:
    require(actor, "reports.read")
    statement = select(Reconciliation).order_by(Reconciliation.id.desc()).limit(limit)
    return list(session.scalars(statement))
