"""Importing orders into the embedded store from a JSON or CSV file (migrations, the demo).

JSON is a list of orders (or {"orders": [...]}) in kefu's order format (OrderIn: money in
minor units). CSV has one row per order line, amounts in major units ("25.00"); rows of one
order share its number. A bad order is reported with its line and skipped; the others are
imported, and importing the same file again changes nothing."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from kefu.commerce import orders, stores
from kefu.commerce.schemas import Address, CustomerIn, FulfilmentIn, OrderIn, OrderItemIn
from kefu.db import Database
from kefu.errors import InvalidInput, KefuError, describe_validation
from kefu.kit.actor import Actor
from kefu.kit.money import to_minor

CSV_REQUIRED = ("order_number", "placed_at", "quantity", "unit_price")
TRUE_WORDS = {"1", "yes", "y", "true", "是"}


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Candidate:
    """One order read from the file, or why it could not be read (`where` names its place)."""

    where: str
    order: OrderIn | None
    error: str = ""


def read_orders(path: Path, *, currency: str) -> list[Candidate]:
    """Every order of the file; raises InvalidInput when the file itself is unusable."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read it as UTF-8 text ({exc})") from None
    if not text.strip():
        raise InvalidInput(f"{path}: the file is empty")
    if path.suffix.lower() == ".json" or text.lstrip().startswith(("[", "{")):
        return list(_json_orders(text, path))
    return list(_csv_orders(text, path, currency=currency))


def _json_orders(text: str, path: Path) -> Iterator[Candidate]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    rows = document.get("orders") if isinstance(document, dict) else document
    if not isinstance(rows, list):
        raise InvalidInput(f'{path}: expected a list of orders or {{"orders": [...]}}')
    for index, row in enumerate(rows, 1):
        where = f"order {index}"
        try:
            yield Candidate(where, OrderIn.model_validate(row))
        except ValidationError as exc:
            yield Candidate(where, None, describe_validation(exc.errors()))  # type: ignore[arg-type]


def _cell(row: dict[str, str], key: str) -> str:
    return (row.get(key) or "").strip()


def _csv_orders(text: str, path: Path, *, currency: str) -> Iterator[Candidate]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise InvalidInput(f"{path}: the header lacks {', '.join(missing)}")
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in enumerate(reader, 2):
        clean = {(k or "").strip(): (v or "") for k, v in row.items()}
        groups.setdefault(_cell(clean, "order_number").lstrip("#"), []).append((line, clean))
    for number, rows in groups.items():
        where = f"line {rows[0][0]}" if number else f"line {rows[0][0]}: no order_number"
        try:
            if not number:
                raise InvalidInput("the row has no order_number")
            yield Candidate(where, _csv_order(number, rows, currency=currency))
        except ValidationError as exc:
            yield Candidate(where, None, describe_validation(exc.errors()))  # type: ignore[arg-type]
        except (KefuError, ValueError) as exc:
            yield Candidate(where, None, getattr(exc, "message", str(exc)))


def _csv_order(number: str, rows: list[tuple[int, dict[str, str]]], *, currency: str) -> OrderIn:
    first = rows[0][1]
    money = _cell(first, "currency").upper() or currency
    items = []
    for line, row in rows:
        try:
            quantity = int(_cell(row, "quantity") or "1")
        except ValueError:
            raise InvalidInput(f"line {line}: quantity is not a whole number") from None
        items.append(
            OrderItemIn(
                external_id=_cell(row, "line_id") or f"{number}-{len(items) + 1}",
                sku=_cell(row, "sku"),
                title=_cell(row, "title"),
                variant_title=_cell(row, "variant"),
                category=_cell(row, "category"),
                quantity=quantity,
                unit_price_minor=to_minor(_cell(row, "unit_price") or "0", money),
                is_final_sale=_cell(row, "final_sale").lower() in TRUE_WORDS,
            )
        )
    subtotal = sum(i.unit_price_minor * i.quantity for i in items)
    amounts = {
        key: to_minor(_cell(first, key) or "0", money) for key in ("shipping", "discount", "tax")
    }
    total = _cell(first, "total")
    email = _cell(first, "email")
    shipments = []
    if _cell(first, "tracking_number"):
        shipments.append(
            FulfilmentIn(
                external_id=f"{number}-shipment",
                carrier=_cell(first, "carrier"),
                tracking_number=_cell(first, "tracking_number"),
                tracking_url=_cell(first, "tracking_url"),
            )
        )
    return OrderIn(
        external_id=number,
        number=number,
        currency=money,
        customer=CustomerIn(
            email=email or None,
            name=_cell(first, "customer_name"),
            phone=_cell(first, "phone") or None,
        ),
        email=email,
        phone=_cell(first, "phone"),
        subtotal_minor=subtotal,
        discount_minor=amounts["discount"],
        shipping_minor=amounts["shipping"],
        tax_minor=amounts["tax"],
        total_minor=to_minor(total, money)
        if total
        else subtotal - amounts["discount"] + amounts["shipping"] + amounts["tax"],
        payment_status=_cell(first, "payment_status") or "paid",
        fulfilment_status=_cell(first, "fulfilment_status")
        or ("fulfilled" if shipments else "unfulfilled"),
        placed_at=_when(_cell(first, "placed_at")),
        updated_at=_when(_cell(first, "updated_at")) if _cell(first, "updated_at") else None,
        note=_cell(first, "note"),
        shipping_address=Address(
            name=_cell(first, "customer_name"),
            address1=_cell(first, "address1"),
            address2=_cell(first, "address2"),
            city=_cell(first, "city"),
            province=_cell(first, "province"),
            postal_code=_cell(first, "postal_code"),
            country_code=_cell(first, "country_code").upper()[:2],
        ),
        items=items,
        fulfilments=shipments,
    )


def _when(text: str) -> datetime:
    """An ISO 8601 time; one without a zone is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"not an ISO 8601 date and time: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def import_orders(
    database: Database,
    *,
    store_id: int,
    candidates: list[Candidate],
    batch_size: int = 200,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Upsert the orders into the store, a savepoint each, a commit per batch."""
    report = ImportReport(total=len(candidates))
    for start in range(0, len(candidates), batch_size):
        batch = candidates[start : start + batch_size]
        with database.unit_of_work(actor=Actor.system()) as session:
            store = stores.get_store(session, store_id)
            for candidate in batch:
                _import_one(session, store, candidate, report)
        if progress:
            progress(len(batch))
    return report


def _import_one(session: Session, store: Any, candidate: Candidate, report: ImportReport) -> None:
    if candidate.order is None:
        report.errors.append(f"{candidate.where}: {candidate.error}")
        return
    try:
        with session.begin_nested():
            existed = orders.order_by_external_id(session, store.id, candidate.order.external_id)
            _order, changed = orders.upsert_order(session, store=store, data=candidate.order)
    except KefuError as exc:
        report.errors.append(f"{candidate.where}: {exc.message}")
        return
    if not changed:
        report.unchanged += 1
    elif existed is None:
        report.created += 1
    else:
        report.updated += 1
