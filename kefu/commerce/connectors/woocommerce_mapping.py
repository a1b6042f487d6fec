"""WooCommerce REST API v3 JSON (orders, refunds, customers; the same shapes its webhooks
deliver) as the OrderIn / CustomerIn kefu keeps.

WooCommerce has one `status` where kefu keeps payment, shipping and cancellation apart; the
table below splits it. Shipments come from the Shipment Tracking extension's
`_wc_shipment_tracking_items` meta, when the store has it."""

from __future__ import annotations

from datetime import UTC, datetime
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
    text,
    validated,
)
from kefu.commerce.schemas import Address, CustomerIn, FulfilmentIn, OrderIn, RefundIn
from kefu.errors import InvalidInput

# status -> (payment_status, fulfilment_status, is_cancelled)
STATUSES: dict[str, tuple[str, str, bool]] = {
    "pending": ("pending", "unfulfilled", False),
    "on-hold": ("pending", "unfulfilled", False),
    "processing": ("paid", "unfulfilled", False),
    "completed": ("paid", "fulfilled", False),
    "refunded": ("refunded", "unfulfilled", False),
    "cancelled": ("voided", "unfulfilled", True),
    "failed": ("voided", "unfulfilled", False),
    "trash": ("voided", "unfulfilled", True),
}
TRACKING_META = "_wc_shipment_tracking_items"


def gmt(raw: dict[str, Any], key: str) -> datetime | None:
    """WooCommerce's `<key>_gmt` (naive, UTC), else `<key>` with its offset if it has one."""
    return moment(raw.get(f"{key}_gmt")) or moment(raw.get(key), naive_is_utc=True)


def address(raw: Any) -> Address | None:
    found = as_dict(raw)
    if not any(text(v) for k, v in found.items() if k != "email"):
        return None
    values = {
        "name": full_name(found.get("first_name"), found.get("last_name")),
        "company": text(found.get("company"), 200),
        "address1": text(found.get("address_1"), 300),
        "address2": text(found.get("address_2"), 300),
        "city": text(found.get("city"), 120),
        "province": text(found.get("state"), 120),
        "postal_code": text(found.get("postcode"), 30),
        "country_code": text(found.get("country"), 2).upper(),
        "phone": text(found.get("phone"), 40),
    }
    return validated(Address, values, "address")


def customer(raw: Any) -> CustomerIn | None:
    """A WooCommerce customer resource (customer.created/updated webhooks)."""
    found = as_dict(raw)
    billing = as_dict(found.get("billing"))
    return validated(
        CustomerIn,
        {
            "external_id": ident(found.get("id")),
            "email": text(found.get("email"), 320) or text(billing.get("email"), 320) or None,
            "phone": text(billing.get("phone"), 40) or None,
            "name": full_name(found.get("first_name"), found.get("last_name")),
        },
        "customer",
    )


def _variant_title(line: dict[str, Any]) -> str:
    shown = [
        text(as_dict(meta).get("display_value") or as_dict(meta).get("value"))
        for meta in as_list(line.get("meta_data"))
        if not text(as_dict(meta).get("key")).startswith("_")
    ]
    return ", ".join(v for v in shown if v)[:200]


def _item(line: dict[str, Any], currency: str, *, is_shipped: bool) -> dict[str, Any]:
    quantity = positive(line.get("quantity"))
    subtotal = minor(line.get("subtotal"), currency)
    total = minor(line.get("total"), currency)
    unit = round(subtotal / quantity) if quantity else minor(line.get("price"), currency)
    return {
        "external_id": ident(line.get("id")),
        "product_id": ident(line.get("product_id")),
        "variant_id": ident(line.get("variation_id")),
        "sku": text(line.get("sku"), 100),
        "title": text(line.get("name"), 500),
        "variant_title": _variant_title(line),
        "quantity": quantity,
        "unit_price_minor": max(unit, 0),
        "discount_minor": max(subtotal - total, 0),
        "tax_minor": max(minor(line.get("total_tax"), currency), 0),
        "fulfilled_quantity": quantity if is_shipped else 0,
        "details": {"tax_class": text(line.get("tax_class"))},
    }


def _shipments(found: dict[str, Any]) -> list[FulfilmentIn]:
    """Shipments the Shipment Tracking extension recorded in the order's meta data."""
    shipments = []
    for meta in map(as_dict, as_list(found.get("meta_data"))):
        if meta.get("key") != TRACKING_META:
            continue
        for entry in map(as_dict, as_list(meta.get("value"))):
            shipped = entry.get("date_shipped")
            shipped_at = (
                datetime.fromtimestamp(int(shipped), UTC)
                if str(shipped or "").isdigit()
                else moment(shipped)
            )
            values = {
                "external_id": text(entry.get("tracking_id"), 64)
                or text(entry.get("tracking_number"), 64),
                "carrier": carrier_code(
                    entry.get("tracking_provider") or entry.get("custom_tracking_provider")
                ),
                "tracking_number": text(entry.get("tracking_number"), 100),
                "tracking_url": text(entry.get("custom_tracking_link"), 1000),
                "shipped_at": shipped_at,
            }
            if values["external_id"]:
                shipments.append(validated(FulfilmentIn, values, "shipment tracking"))
    return shipments


def order(raw: Any) -> OrderIn:
    """A WooCommerce order (REST resource or order.* webhook body) as kefu keeps it."""
    found = as_dict(raw)
    currency = text(found.get("currency")).upper()
    if len(currency) != 3:
        raise InvalidInput(f"order {found.get('id')!r}: no currency")
    status = text(found.get("status"))
    payment, shipping_state, is_cancelled = STATUSES.get(status, ("pending", "unfulfilled", False))
    refunds = [
        validated(
            RefundIn,
            {
                "external_id": ident(as_dict(r).get("id")),
                "amount_minor": abs(minor(as_dict(r).get("total"), currency)),
                "reason": text(as_dict(r).get("reason"), 200),
            },
            "refund",
        )
        for r in as_list(found.get("refunds"))
    ]
    if refunds and payment == "paid":
        payment = "partially_refunded"
    lines = [as_dict(line) for line in as_list(found.get("line_items"))]
    items = [_item(line, currency, is_shipped=status == "completed") for line in lines]
    billing = as_dict(found.get("billing"))
    modified_at = gmt(found, "date_modified")
    values = {
        "external_id": ident(found.get("id")),
        "number": text(found.get("number"), 64) or ident(found.get("id")),
        "currency": currency,
        "customer": {
            "external_id": ident(found.get("customer_id")),
            "email": text(billing.get("email"), 320) or None,
            "phone": text(billing.get("phone"), 40) or None,
            "name": full_name(billing.get("first_name"), billing.get("last_name")),
        },
        "email": text(billing.get("email"), 320),
        "phone": text(billing.get("phone"), 40),
        "subtotal_minor": sum(minor(line.get("subtotal"), currency) for line in lines),
        "discount_minor": abs(minor(found.get("discount_total"), currency)),
        "shipping_minor": abs(minor(found.get("shipping_total"), currency)),
        "tax_minor": abs(minor(found.get("total_tax"), currency)),
        "total_minor": minor(found.get("total"), currency),
        "payment_status": payment,
        "fulfilment_status": shipping_state,
        "cancelled_at": (modified_at or gmt(found, "date_created")) if is_cancelled else None,
        "cancel_reason": "cancelled in the store" if is_cancelled else "",
        "shipping_address": address(found.get("shipping")),
        "billing_address": address(billing),
        "discount_codes": [
            text(as_dict(c).get("code"), 100)
            for c in as_list(found.get("coupon_lines"))
            if text(as_dict(c).get("code"))
        ],
        "note": text(found.get("customer_note"), 5000),
        "placed_at": gmt(found, "date_created"),
        "paid_at": gmt(found, "date_paid"),
        "updated_at": modified_at,
        "items": items,
        "fulfilments": _shipments(found),
        "refunds": refunds,
        "details": {
            "platform": "woocommerce",
            "status": status,
            "customer_id": ident(found.get("customer_id")),
            "payment_method": text(found.get("payment_method_title"), 200),
            "shipping_line_ids": [
                ident(as_dict(line).get("id")) for line in as_list(found.get("shipping_lines"))
            ],
        },
    }
    return validated(OrderIn, values, f"order {values['external_id'] or '?'}")
