"""Shopify's REST Admin API JSON (orders, fulfillments, refunds, customers; the same shapes
its webhooks deliver) as the OrderIn / FulfilmentIn / RefundIn / CustomerIn kefu keeps.

Totals are the order's as placed (`subtotal_price`, `total_price`): refunds are kept as
refunds (and `refunded_minor`), so "current_*" amounts would count them twice; they are kept
in `details`."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from kefu.commerce.connectors.payload import (
    as_dict,
    as_list,
    carrier_code,
    full_name,
    ident,
    minor,
    moment,
    positive,
    shop_money,
    text,
    validated,
)
from kefu.commerce.schemas import (
    Address,
    CustomerIn,
    FulfilmentIn,
    OrderIn,
    RefundIn,
    TrackingEventIn,
    TrackingStatus,
)
from kefu.errors import InvalidInput

PAYMENT_STATUSES = {
    "pending",
    "authorized",
    "paid",
    "partially_paid",
    "partially_refunded",
    "refunded",
    "voided",
}
PAID_STATUSES = {"paid", "partially_paid", "partially_refunded", "refunded"}
FULFILMENT_STATUSES = {"fulfilled": "fulfilled", "partial": "partial", "restocked": "restocked"}
# Shopify's shipment_status (the carrier's latest word) -> kefu's tracking status
SHIPMENT_STATUSES = {
    "label_printed": TrackingStatus.INFO_RECEIVED,
    "label_purchased": TrackingStatus.INFO_RECEIVED,
    "confirmed": TrackingStatus.INFO_RECEIVED,
    "in_transit": TrackingStatus.IN_TRANSIT,
    "ready_for_pickup": TrackingStatus.OUT_FOR_DELIVERY,
    "out_for_delivery": TrackingStatus.OUT_FOR_DELIVERY,
    "attempted_delivery": TrackingStatus.FAILED_ATTEMPT,
    "delivered": TrackingStatus.DELIVERED,
    "failure": TrackingStatus.EXCEPTION,
}
FAILED_FULFILMENTS = {"cancelled", "error", "failure"}
RESTOCKING = {"return", "cancel", "legacy_restock"}


def address(raw: Any) -> Address | None:
    found = as_dict(raw)
    if not found:
        return None
    values = {
        "name": full_name(found.get("first_name"), found.get("last_name"), found.get("name")),
        "company": text(found.get("company"), 200),
        "address1": text(found.get("address1"), 300),
        "address2": text(found.get("address2"), 300),
        "city": text(found.get("city"), 120),
        "province": text(found.get("province"), 120),
        "postal_code": text(found.get("zip"), 30),
        "country_code": text(found.get("country_code"), 2).upper(),
        "phone": text(found.get("phone"), 40),
    }
    return validated(Address, values, "address")


def customer(raw: Any) -> CustomerIn | None:
    found = as_dict(raw)
    if not found:
        return None
    return validated(
        CustomerIn,
        {
            "external_id": ident(found.get("id")),
            "email": text(found.get("email"), 320) or None,
            "phone": text(found.get("phone"), 40) or None,
            "name": full_name(found.get("first_name"), found.get("last_name")),
        },
        "customer",
    )


def tracking_status(raw: dict[str, Any]) -> TrackingStatus:
    shipment = text(raw.get("shipment_status"))
    if shipment in SHIPMENT_STATUSES:
        return SHIPMENT_STATUSES[shipment]
    if text(raw.get("status")) in FAILED_FULFILMENTS:
        return TrackingStatus.EXCEPTION
    return TrackingStatus.INFO_RECEIVED


def fulfilment(raw: Any) -> FulfilmentIn:
    found = as_dict(raw)
    numbers = [text(n) for n in as_list(found.get("tracking_numbers")) if text(n)]
    urls = [text(u) for u in as_list(found.get("tracking_urls")) if text(u)]
    status = tracking_status(found)
    updated_at = moment(found.get("updated_at"))
    shipped_at = moment(found.get("created_at"))
    events = []
    if found.get("shipment_status") and (updated_at or shipped_at):
        events.append(
            TrackingEventIn(
                status=status,
                happened_at=updated_at or shipped_at,  # type: ignore[arg-type]
                description=text(found.get("shipment_status"), 500),
            )
        )
    values = {
        "external_id": ident(found.get("id")),
        "carrier": carrier_code(found.get("tracking_company")),
        "tracking_number": text(found.get("tracking_number"), 100) or (numbers or [""])[0][:100],
        "tracking_url": text(found.get("tracking_url"), 1000) or (urls or [""])[0][:1000],
        "status": status,
        "items": [
            {"item_external_id": ident(line.get("id")), "quantity": positive(line.get("quantity"))}
            for line in map(as_dict, as_list(found.get("line_items")))
        ],
        "shipped_at": shipped_at,
        "delivered_at": updated_at if status == TrackingStatus.DELIVERED else None,
        "updated_at": updated_at,
        "events": events,
    }
    return validated(FulfilmentIn, values, "fulfillment")


def refund(raw: Any, currency: str) -> RefundIn:
    found = as_dict(raw)
    lines = [as_dict(line) for line in as_list(found.get("refund_line_items"))]
    items = [
        {
            "item_external_id": ident(line.get("line_item_id")),
            "quantity": positive(line.get("quantity")),
            "amount_minor": minor(line.get("subtotal"), currency)
            + minor(line.get("total_tax"), currency),
        }
        for line in lines
    ]
    shipping_lines = [as_dict(s) for s in as_list(found.get("refund_shipping_lines"))]
    if shipping_lines:
        shipping = sum(
            shop_money(s.get("subtotal_amount_set"), currency) or 0 for s in shipping_lines
        )
    else:
        shipping = sum(
            abs(minor(adjustment.get("amount"), currency))
            for adjustment in map(as_dict, as_list(found.get("order_adjustments")))
            if adjustment.get("kind") == "shipping_refund"
        )
    paid_back = [
        as_dict(t)
        for t in as_list(found.get("transactions"))
        if as_dict(t).get("kind") == "refund" and as_dict(t).get("status") in (None, "success")
    ]
    if paid_back:
        amount = sum(minor(t.get("amount"), currency) for t in paid_back)
    else:
        amount = sum(item["amount_minor"] for item in items) + shipping
    values = {
        "external_id": ident(found.get("id")),
        "amount_minor": abs(amount),
        "shipping_minor": abs(shipping),
        "items": items,
        "restock": bool(found.get("restock"))
        or any(text(line.get("restock_type")) in RESTOCKING for line in lines),
        "note": text(found.get("note"), 5000),
        "processed_at": moment(found.get("processed_at")) or moment(found.get("created_at")),
    }
    return validated(RefundIn, values, "refund")


def _item(raw: dict[str, Any], currency: str, shipped: int, refunded: int) -> dict[str, Any]:
    allocations = [as_dict(a) for a in as_list(raw.get("discount_allocations"))]
    if allocations:
        discount = sum(minor(a.get("amount"), currency) for a in allocations)
    else:
        discount = minor(raw.get("total_discount"), currency)
    return {
        "external_id": ident(raw.get("id")),
        "product_id": ident(raw.get("product_id")),
        "variant_id": ident(raw.get("variant_id")),
        "sku": text(raw.get("sku"), 100),
        "title": text(raw.get("title"), 500) or text(raw.get("name"), 500),
        "variant_title": text(raw.get("variant_title"), 200),
        "quantity": positive(raw.get("quantity")),
        "unit_price_minor": minor(raw.get("price"), currency),
        "discount_minor": discount,
        "tax_minor": sum(
            minor(as_dict(t).get("price"), currency) for t in as_list(raw.get("tax_lines"))
        ),
        "fulfilled_quantity": shipped,
        "refunded_quantity": refunded,
        "details": {
            "fulfillable_quantity": raw.get("fulfillable_quantity"),
            "properties": as_list(raw.get("properties")),
            "gift_card": bool(raw.get("gift_card")),
        },
    }


def _shipping_total(raw: dict[str, Any], currency: str) -> int:
    from_set = shop_money(raw.get("total_shipping_price_set"), currency)
    if from_set is not None:
        return from_set
    return sum(
        minor(as_dict(line).get("price"), currency) for line in as_list(raw.get("shipping_lines"))
    )


def order(raw: Any) -> OrderIn:
    """A Shopify order (REST resource or orders/* webhook body) as kefu keeps it."""
    found = as_dict(raw)
    currency = text(found.get("currency")).upper()
    if len(currency) != 3:
        raise InvalidInput(f"order {found.get('id')!r}: no currency")
    fulfilments = [fulfilment(f) for f in as_list(found.get("fulfillments"))]
    refunds = [refund(r, currency) for r in as_list(found.get("refunds"))]
    shipped: dict[str, int] = defaultdict(int)
    for raw_fulfilment in map(as_dict, as_list(found.get("fulfillments"))):
        if text(raw_fulfilment.get("status")) not in FAILED_FULFILMENTS:
            for line in map(as_dict, as_list(raw_fulfilment.get("line_items"))):
                shipped[ident(line.get("id"))] += positive(line.get("quantity"))
    refunded: dict[str, int] = defaultdict(int)
    for made in refunds:
        for line in made.items:
            refunded[line["item_external_id"]] += line["quantity"]
    items = []
    for line in map(as_dict, as_list(found.get("line_items"))):
        key = ident(line.get("id"))
        items.append(_item(line, currency, shipped[key], refunded[key]))
    financial = text(found.get("financial_status"))
    placed_at = moment(found.get("created_at")) or moment(found.get("processed_at"))
    processed_at = moment(found.get("processed_at"))
    name = text(found.get("name")).lstrip("#")
    values = {
        "external_id": ident(found.get("id")),
        "number": name or text(found.get("order_number")) or ident(found.get("id")),
        "currency": currency,
        "customer": customer(found.get("customer")),
        "email": text(found.get("email"), 320) or text(found.get("contact_email"), 320),
        "phone": text(found.get("phone"), 40),
        "subtotal_minor": minor(
            found.get("subtotal_price", found.get("current_subtotal_price")), currency
        ),
        "discount_minor": abs(minor(found.get("total_discounts"), currency)),
        "shipping_minor": _shipping_total(found, currency),
        "tax_minor": minor(found.get("total_tax"), currency),
        "total_minor": minor(found.get("total_price"), currency),
        "payment_status": financial if financial in PAYMENT_STATUSES else "pending",
        "fulfilment_status": FULFILMENT_STATUSES.get(
            text(found.get("fulfillment_status")), "unfulfilled"
        ),
        "cancelled_at": moment(found.get("cancelled_at")),
        "cancel_reason": text(found.get("cancel_reason"), 200),
        "closed_at": moment(found.get("closed_at")),
        "shipping_address": address(found.get("shipping_address")),
        "billing_address": address(found.get("billing_address")),
        "discount_codes": [
            text(as_dict(code).get("code"), 100)
            for code in as_list(found.get("discount_codes"))
            if text(as_dict(code).get("code"))
        ],
        "note": text(found.get("note"), 5000),
        "tags": [tag.strip() for tag in text(found.get("tags")).split(",") if tag.strip()],
        "placed_at": placed_at,
        "paid_at": processed_at if financial in PAID_STATUSES else None,
        "updated_at": moment(found.get("updated_at")),
        "items": items,
        "fulfilments": fulfilments,
        "refunds": refunds,
        "details": _details(found, currency),
    }
    return validated(OrderIn, values, f"order {values['external_id'] or '?'}")


def _details(found: dict[str, Any], currency: str) -> dict[str, Any]:
    current = {
        key: minor(found.get(key), currency)
        for key in ("current_subtotal_price", "current_total_price", "current_total_tax")
        if found.get(key) not in (None, "")
    }
    return {
        "platform": "shopify",
        "order_number": found.get("order_number"),
        "processed_at": text(found.get("processed_at")),
        "shipping_line_ids": [
            ident(as_dict(line).get("id")) for line in as_list(found.get("shipping_lines"))
        ],
        "current_minor": current,
        "status_url": text(found.get("order_status_url"), 1000),
    }


def updated_at_of(raw: Any) -> datetime | None:
    return moment(as_dict(raw).get("updated_at"))
