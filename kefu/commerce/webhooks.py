"""Store webhooks: Shopify and WooCommerce deliveries verified by their HMAC signature, then
applied through the same idempotent upserts as the import.

Deliveries may come twice, late or out of order: a delivery id seen before changes nothing
(its first answer is given again), and an order, shipment or refund older than the stored
one is ignored (newest `updated_at` wins)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kefu import events
from kefu.api import idempotency
from kefu.api.routing import unstorable
from kefu.commerce import orders, stores
from kefu.commerce.connectors import shopify_mapping, woocommerce_mapping
from kefu.commerce.connectors.payload import as_dict, ident
from kefu.commerce.models import Order, Store
from kefu.commerce.schemas import CustomerIn, OrderIn
from kefu.commerce.shop_schemas import WebhookResult
from kefu.customers import service as customers
from kefu.errors import InvalidInput, KefuError, NotFound
from kefu.kit.actor import Actor

log = logging.getLogger(__name__)

SHOPIFY_ORDER_TOPICS = {
    "orders/create",
    "orders/updated",
    "orders/cancelled",
    "orders/paid",
    "orders/fulfilled",
    "orders/partially_fulfilled",
}
WOO_ORDER_TOPICS = {"order.created", "order.updated", "order.restored"}
_PING = re.compile(rb"^webhook_id=\d{1,20}$")


class SignatureInvalid(KefuError):
    status = 401
    code = "invalid_signature"


class StoreInactive(KefuError):
    status = 410
    code = "store_inactive"


@dataclass(frozen=True)
class Delivery:
    """One webhook request as it arrived: the raw body is what the signature covers."""

    platform: str
    topic: str
    delivery_id: str
    signature: str | None
    body: bytes
    content_type: str = "application/json"


def expected_signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify(secret: str, delivery: Delivery, header: str) -> None:
    """Constant-time comparison of the sent signature with HMAC-SHA256(secret, body)."""
    if not secret:
        raise SignatureInvalid(
            "kefu has no webhook secret for this store: set it under Admin → Stores"
        )
    if not delivery.signature:
        raise SignatureInvalid(f"the {header} header is missing")
    expected = expected_signature(secret, delivery.body)
    if not hmac.compare_digest(expected.encode(), delivery.signature.strip().encode()):
        raise SignatureInvalid(f"the {header} signature does not match the body")


def is_woo_ping(delivery: Delivery) -> bool:
    """WooCommerce's unsigned test delivery when a webhook is saved: `webhook_id=<id>`."""
    return (
        delivery.platform == "woocommerce"
        and not delivery.signature
        and delivery.content_type.startswith("application/x-www-form-urlencoded")
        and bool(_PING.match(delivery.body.strip()))
    )


def webhook_store(session: Session, store_id: int, platform: str) -> Store:
    store = session.get(Store, store_id)
    if store is None or store.platform != platform:
        raise NotFound(f"no {platform} store {store_id} in kefu")
    if not store.is_active:
        raise StoreInactive(f"store {store_id} is switched off in kefu")
    return store


def receive(session: Session, *, store_id: int, delivery: Delivery, now: datetime) -> WebhookResult:
    """Verify and apply one delivery; raises (401, 404, 410, 422) with nothing written."""
    session.info["actor"] = Actor.job(f"{delivery.platform}.webhook")  # for the audit log
    store = webhook_store(session, store_id, delivery.platform)
    if is_woo_ping(delivery):
        return WebhookResult(status="pong", topic="ping")
    header = "X-Shopify-Hmac-Sha256" if delivery.platform == "shopify" else "X-WC-Webhook-Signature"
    verify(stores.secret_of(store, "webhook_secret"), delivery, header)
    payload = _json(delivery.body)
    claim = _claim(session, store, delivery, now) if delivery.delivery_id else None
    if isinstance(claim, idempotency.StoredResponse):
        return WebhookResult.model_validate({**(claim.body or {}), "status": "duplicate"})
    if delivery.platform == "shopify":
        result = _apply_shopify(session, store, delivery.topic, payload, now)
    else:
        result = _apply_woocommerce(session, store, delivery.topic, payload, now)
    if claim is not None:
        idempotency.record(session, claim, status_code=200, body=result.model_dump(mode="json"))
    log.info("store %s webhook %s: %s", store.id, delivery.topic, result.status)
    return result


def _json(body: bytes) -> Any:
    try:
        payload = json.loads(body)
    except UnicodeDecodeError:
        raise InvalidInput("the body is not JSON: it is not UTF-8 text") from None
    except RecursionError:
        raise InvalidInput("the body's JSON is nested too deeply") from None
    except ValueError as exc:
        raise InvalidInput(f"the body is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise InvalidInput("the body must be a JSON object")
    reason = unstorable([payload])
    if reason is not None:
        raise InvalidInput(reason)
    return payload


def _claim(session: Session, store: Store, delivery: Delivery, now: datetime) -> Any:
    try:
        return idempotency.claim(
            session,
            actor_ref=f"webhook:{delivery.platform}:{store.id}",
            key=delivery.delivery_id[:255],
            method="POST",
            path=f"/webhooks/{delivery.platform}/{store.id}",
            request_hash=hashlib.sha256(delivery.body).hexdigest(),
            now=now,
        )
    except idempotency.KeyReused:
        return None  # same id, other body: apply it; newest-wins decides


def _order_result(session: Session, store: Store, data: OrderIn, topic: str) -> WebhookResult:
    order, changed = orders.upsert_order(session, store=store, data=data)
    return WebhookResult(
        status="stored" if changed else "unchanged", topic=topic, order_id=order.id
    )


def _known_order(session: Session, store: Store, payload: dict[str, Any]) -> Order | None:
    external_id = ident(payload.get("order_id"))
    return orders.order_by_external_id(session, store.id, external_id) if external_id else None


def _touched(session: Session, store: Store, order: Order, **payload: Any) -> None:
    events.emit(
        session,
        "order.updated",
        subject_type="order",
        subject_id=order.id,
        payload={"store_id": store.id, "number": order.number, **payload},
    )


def _apply_shopify(
    session: Session, store: Store, topic: str, payload: dict[str, Any], now: datetime
) -> WebhookResult:
    if topic in SHOPIFY_ORDER_TOPICS:
        return _order_result(session, store, shopify_mapping.order(payload), topic)
    if topic in ("refunds/create", "fulfillments/create", "fulfillments/update"):
        order = _known_order(session, store, payload)
        if order is None:
            # the order's own webhook (or the import) brings it, with this refund or shipment
            return WebhookResult(status="ignored", topic=topic, detail="order not known yet")
        if topic == "refunds/create":
            return _refund(session, store, order, payload, topic)
        shipment = orders.upsert_fulfilment(session, order, shopify_mapping.fulfilment(payload))
        if shipment is None:
            return WebhookResult(status="unchanged", topic=topic, order_id=order.id)
        _touched(session, store, order, fulfilment_id=shipment.id)
        return WebhookResult(status="stored", topic=topic, order_id=order.id)
    if topic in ("customers/create", "customers/update"):
        return _customer(session, store, shopify_mapping.customer(payload), topic)
    if topic == "orders/delete":
        return _deleted(session, store, payload, topic, now)
    return WebhookResult(status="ignored", topic=topic, detail="kefu does not use this topic")


def _deleted(
    session: Session, store: Store, payload: dict[str, Any], topic: str, now: datetime
) -> WebhookResult:
    """An order deleted in the store stays in kefu (tickets refer to it), as cancelled."""
    order = orders.order_by_external_id(session, store.id, ident(payload.get("id")))
    if order is None or order.status == "cancelled":
        return WebhookResult(status="unchanged", topic=topic)
    order.status, order.cancelled_at = "cancelled", order.cancelled_at or now
    order.cancel_reason = order.cancel_reason or "deleted in the store"
    _touched(session, store, order, deleted=True)
    return WebhookResult(status="stored", topic=topic, order_id=order.id)


def _refund(
    session: Session, store: Store, order: Order, payload: dict[str, Any], topic: str
) -> WebhookResult:
    data = shopify_mapping.refund(payload, order.currency)
    refund = orders.record_store_refund(session, order, data)
    if refund is None:
        return WebhookResult(status="unchanged", topic=topic, order_id=order.id)
    refunded = {line["item_external_id"]: line["quantity"] for line in data.items}
    for item in orders.items_of(session, [order.id])[order.id]:
        item.refunded_quantity = min(
            item.quantity, item.refunded_quantity + refunded.get(item.external_id, 0)
        )
    order.refunded_minor = orders.refunded_total(session, order.id)
    _touched(session, store, order, refund_id=refund.id)
    return WebhookResult(status="stored", topic=topic, order_id=order.id)


def _customer(session: Session, store: Store, who: CustomerIn | None, topic: str) -> WebhookResult:
    if who is None or not (who.email or who.phone or who.external_id):
        return WebhookResult(status="ignored", topic=topic, detail="no email, phone or id")
    try:
        customers.identify(
            session,
            email=who.email,
            phone=who.phone,
            store_ref=f"{store.id}:{who.external_id}" if who.external_id else None,
            name=who.name or None,
        )
    except InvalidInput:
        # a malformed email or phone: the store id alone still identifies the customer
        if not who.external_id:
            raise
        customers.identify(session, store_ref=f"{store.id}:{who.external_id}", name=who.name)
    return WebhookResult(status="stored", topic=topic)


def _apply_woocommerce(
    session: Session, store: Store, topic: str, payload: dict[str, Any], now: datetime
) -> WebhookResult:
    if topic in WOO_ORDER_TOPICS:
        return _order_result(session, store, woocommerce_mapping.order(payload), topic)
    if topic == "order.deleted":
        return _deleted(session, store, payload, topic, now)
    if topic in ("customer.created", "customer.updated"):
        return _customer(session, store, woocommerce_mapping.customer(as_dict(payload)), topic)
    return WebhookResult(status="ignored", topic=topic, detail="kefu does not use this topic")
