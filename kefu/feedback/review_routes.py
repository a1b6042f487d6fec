"""Review receivers under /api/v1/webhooks/reviews: a WooCommerce store (its product review
REST format, signed like its webhooks) and any other system (kefu's generic review JSON). Both
prove themselves with the HMAC-SHA256 of the raw body under the store's webhook secret."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request
from pydantic import BaseModel

from kefu.commerce import stores, webhooks
from kefu.commerce.webhook_routes import RAW_BODY, RESPONSES, Body, signed_by_the_sender
from kefu.errors import InvalidInput
from kefu.feedback import review_import
from kefu.feedback.reviews import receive_review
from kefu.kit.bounds import INT4_MAX
from kefu.web.deps import DbSession

router = APIRouter(tags=["webhooks"])
StoreId = Annotated[int, Path(ge=1, le=INT4_MAX, description="the store's id in kefu")]


class ReviewsResult(BaseModel):
    created: int
    updated: int
    follow_ups: int


def _verify_hex(secret: str, delivery: webhooks.Delivery) -> None:
    """kefu's own convention (like outgoing rule webhooks and carrier feeds):
    `X-Kefu-Signature: sha256=<hex HMAC-SHA256 of the raw body>`."""
    sent = (delivery.signature or "").strip().removeprefix("sha256=").lower()
    expected = hmac.new(secret.encode(), delivery.body, hashlib.sha256).hexdigest()
    if not secret or not sent or not hmac.compare_digest(sent, expected):
        raise webhooks.SignatureInvalid("the X-Kefu-Signature signature does not match the body")


def _receive(
    request: Request, session: Any, store_id: int, delivery: webhooks.Delivery, source: str
) -> ReviewsResult:
    store = stores.get_store(session, store_id)
    secret = stores.secret_of(store, "webhook_secret")
    if source == "woocommerce":
        webhooks.verify(secret, delivery, "X-WC-Webhook-Signature")
    else:
        _verify_hex(secret, delivery)
    try:
        payload = json.loads(delivery.body)
    except ValueError:
        raise InvalidInput("the body is not JSON") from None
    items = payload if isinstance(payload, list) else [payload]
    parse = (
        review_import.from_woocommerce if source == "woocommerce" else review_import.from_generic
    )
    reviews = [parse(item) for item in items]  # every item read before any is stored
    now = request.app.state.runtime.clock()
    counts = {"created": 0, "updated": 0, "follow_ups": 0}
    for data in reviews:
        received = receive_review(session, store_id=store.id, source=source, data=data, now=now)
        counts["created" if received.created else "updated"] += 1
        counts["follow_ups"] += int(received.opened_ticket)
    return ReviewsResult(**counts)


@router.post(
    "/webhooks/reviews/woocommerce/{store_id}",
    response_model=ReviewsResult,
    responses=RESPONSES,
    openapi_extra=RAW_BODY,
)
@signed_by_the_sender
def receive_woocommerce_reviews(
    store_id: StoreId,
    request: Request,
    session: DbSession,
    body: Body,
    signature: Annotated[str | None, Header(alias="X-WC-Webhook-Signature", max_length=200)] = None,
) -> ReviewsResult:
    """One product review, or a list, in WooCommerce's REST format."""
    delivery = webhooks.Delivery("woocommerce", "product_review", "", signature, body)
    return _receive(request, session, store_id, delivery, "woocommerce")


@router.post(
    "/webhooks/reviews/{store_id}",
    response_model=ReviewsResult,
    responses=RESPONSES,
    openapi_extra=RAW_BODY,
)
@signed_by_the_sender
def receive_reviews(
    store_id: StoreId,
    request: Request,
    session: DbSession,
    body: Body,
    signature: Annotated[str | None, Header(alias="X-Kefu-Signature", max_length=200)] = None,
) -> ReviewsResult:
    """One review, or a list, in kefu's generic review JSON."""
    delivery = webhooks.Delivery("generic", "review", "", signature, body)
    return _receive(request, session, store_id, delivery, "webhook")
