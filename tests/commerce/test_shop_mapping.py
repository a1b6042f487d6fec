"""Documented Shopify and WooCommerce payloads mapped to what kefu keeps (no database)."""

from datetime import UTC, datetime

import pytest

from kefu.commerce.connectors import shopify_mapping, woocommerce_mapping
from kefu.commerce.schemas import TrackingStatus
from kefu.errors import InvalidInput
from tests.commerce.shop_factories import fixture


def test_shopify_documented_order_maps_every_field_we_keep() -> None:
    order = shopify_mapping.order(fixture("shopify/order.json"))

    assert (order.external_id, order.number, order.currency) == ("450789469", "1001", "USD")
    assert (order.email, order.phone) == ("bob.norman@mail.example.com", "+557734881234")
    assert (order.subtotal_minor, order.discount_minor, order.shipping_minor) == (59700, 1000, 0)
    assert (order.tax_minor, order.total_minor) == (1194, 59894)
    assert (order.payment_status, order.fulfilment_status) == ("partially_refunded", "unfulfilled")
    assert order.placed_at == datetime(2008, 1, 10, 16, 0, tzinfo=UTC)
    assert order.paid_at == datetime(2008, 1, 10, 16, 0, tzinfo=UTC)
    assert order.updated_at == datetime(2008, 1, 10, 16, 0, tzinfo=UTC)
    assert order.discount_codes == ["TENOFF"]
    assert order.customer is not None
    assert order.customer.model_dump() == {
        "external_id": "207119551",
        "email": "bob.norman@mail.example.com",
        "phone": "+16136120707",
        "name": "Bob Norman",
    }
    assert order.shipping_address is not None
    assert order.shipping_address.model_dump() == {
        "name": "Bob Norman",
        "company": "",
        "address1": "Chestnut Street 92",
        "address2": "",
        "city": "Louisville",
        "province": "Kentucky",
        "postal_code": "40202",
        "country_code": "US",
        "phone": "+1(502)-459-2181",
    }
    green, red, black = order.items
    assert (green.external_id, green.sku, green.variant_id, green.product_id) == (
        "466157049",
        "IPOD2008GREEN",
        "39072856",
        "632910392",
    )
    assert (green.unit_price_minor, green.discount_minor, green.tax_minor) == (19900, 334, 398)
    # the one fulfillment failed: nothing counts as shipped; two lines were refunded
    assert [(i.fulfilled_quantity, i.refunded_quantity) for i in (green, red, black)] == [
        (0, 1),
        (0, 0),
        (0, 1),
    ]
    [shipment] = order.fulfilments
    assert (shipment.external_id, shipment.carrier, shipment.tracking_number) == (
        "255858046",
        "usps",
        "1Z2345",
    )
    assert shipment.status == TrackingStatus.EXCEPTION
    assert shipment.items == [{"item_external_id": "466157049", "quantity": 1}]
    [refund] = order.refunds
    assert (refund.external_id, refund.amount_minor, refund.restock) == ("509562969", 20900, True)
    assert refund.items == [
        {"item_external_id": "703073504", "quantity": 1, "amount_minor": 19964},
        {"item_external_id": "466157049", "quantity": 1, "amount_minor": 19965},
    ]


def test_shopify_shipment_status_becomes_a_tracking_event() -> None:
    raw = fixture("shopify/fulfillment.json")
    raw.update(status="success", shipment_status="out_for_delivery")

    shipment = shopify_mapping.fulfilment(raw)

    assert shipment.status == TrackingStatus.OUT_FOR_DELIVERY
    [event] = shipment.events
    assert (event.status, event.happened_at) == (
        TrackingStatus.OUT_FOR_DELIVERY,
        datetime(2024, 1, 2, 13, 59, 11, tzinfo=UTC),
    )


def test_woocommerce_documented_order_maps_every_field_we_keep() -> None:
    order = woocommerce_mapping.order(fixture("woocommerce/order.json"))

    assert (order.external_id, order.number, order.currency) == ("727", "727", "USD")
    assert (order.subtotal_minor, order.shipping_minor, order.tax_minor, order.total_minor) == (
        1800,
        1000,
        135,
        2935,
    )
    assert (order.payment_status, order.fulfilment_status, order.cancelled_at) == (
        "paid",
        "unfulfilled",
        None,
    )
    assert order.placed_at == datetime(2017, 3, 22, 19, 28, 2, tzinfo=UTC)
    assert order.updated_at == datetime(2017, 3, 22, 19, 28, 8, tzinfo=UTC)
    assert order.paid_at == datetime(2017, 3, 22, 19, 28, 8, tzinfo=UTC)
    assert (order.email, order.phone) == ("john.doe@example.com", "(555) 555-5555")
    assert order.shipping_address is not None
    assert (order.shipping_address.address1, order.shipping_address.province) == (
        "969 Market",
        "CA",
    )
    single, idea = order.items
    assert (single.quantity, single.unit_price_minor, single.tax_minor) == (2, 300, 45)
    assert (idea.variant_id, idea.sku, idea.variant_title) == ("23", "Bar3", "black, M Test")
    assert order.details["shipping_line_ids"] == ["317"]


@pytest.mark.parametrize(
    ("status", "payment", "shipping", "cancelled"),
    [
        ("completed", "paid", "fulfilled", False),
        ("cancelled", "voided", "unfulfilled", True),
        ("on-hold", "pending", "unfulfilled", False),
        ("refunded", "refunded", "unfulfilled", False),
    ],
)
def test_woocommerce_status_splits_into_payment_shipping_and_cancellation(
    status: str, payment: str, shipping: str, cancelled: bool
) -> None:
    raw = fixture("woocommerce/order.json")
    raw["status"] = status

    order = woocommerce_mapping.order(raw)

    assert (order.payment_status, order.fulfilment_status) == (payment, shipping)
    assert (order.cancelled_at is not None) is cancelled


def test_a_malformed_payload_is_invalid_input_naming_the_field() -> None:
    raw = fixture("shopify/order.json")
    raw["total_price"] = "lots"

    with pytest.raises(InvalidInput, match="not an amount of money: 'lots'"):
        shopify_mapping.order(raw)
    with pytest.raises(InvalidInput, match="no currency"):
        woocommerce_mapping.order({"id": 1})
