"""Store webhook receivers under /api/v1/webhooks: Shopify and WooCommerce call them.

No API token, session or CSRF token: the store proves itself with the HMAC signature of the
raw body, which is why these routes read the body themselves instead of parsing it first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request

from kefu.api.routing import NOT_FOUND, problem_response
from kefu.commerce import webhooks
from kefu.commerce.shop_schemas import WebhookResult
from kefu.errors import TooLarge
from kefu.kit.bounds import INT4_MAX
from kefu.web.deps import DbSession

# Shopify's and WooCommerce's largest order payloads are far below this.
MAX_WEBHOOK_BYTES = 5_000_000

router = APIRouter(tags=["webhooks"])
StoreId = Annotated[int, Path(ge=1, le=INT4_MAX, description="the store's id in kefu")]
RESPONSES: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    401: problem_response("Missing or wrong signature; nothing was stored (`invalid_signature`)"),
    410: problem_response("The store is switched off in kefu (`store_inactive`)"),
    413: problem_response("The body is over 5 MB (`too_large`)"),
    422: problem_response("The body is not the JSON the topic needs (`invalid_input`)"),
}
RAW_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


async def raw_body(request: Request) -> bytes:
    """The body exactly as sent (the signature covers these bytes), at most 5 MB."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_WEBHOOK_BYTES:
        raise TooLarge(f"a webhook body may be at most {MAX_WEBHOOK_BYTES} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_WEBHOOK_BYTES:
            raise TooLarge(f"a webhook body may be at most {MAX_WEBHOOK_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


Body = Annotated[bytes, Depends(raw_body)]


def signed_by_the_sender(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a POST the store authenticates by signing its body: no session, so no CSRF
    token (tests/web/test_pages.py holds every other form route to one)."""
    endpoint.__kefu_signed_by_the_sender__ = True  # type: ignore[attr-defined]
    return endpoint


@router.post(
    "/webhooks/shopify/{store_id}",
    response_model=WebhookResult,
    responses=RESPONSES,
    openapi_extra=RAW_BODY,
)
@signed_by_the_sender
def receive_shopify_webhook(
    store_id: StoreId,
    request: Request,
    session: DbSession,
    body: Body,
    topic: Annotated[str, Header(alias="X-Shopify-Topic", max_length=100)] = "",
    signature: Annotated[str | None, Header(alias="X-Shopify-Hmac-Sha256", max_length=200)] = None,
    webhook_id: Annotated[str, Header(alias="X-Shopify-Webhook-Id", max_length=255)] = "",
) -> WebhookResult:
    """A Shopify webhook (orders/create, orders/updated, orders/cancelled, refunds/create,
    fulfillments/create, fulfillments/update, customers/create, customers/update), verified
    by `X-Shopify-Hmac-Sha256`. Other topics are acknowledged and ignored."""
    delivery = webhooks.Delivery(
        platform="shopify",
        topic=topic,
        delivery_id=webhook_id,
        signature=signature,
        body=body,
    )
    now = request.app.state.runtime.clock()
    return webhooks.receive(session, store_id=store_id, delivery=delivery, now=now)


@router.post(
    "/webhooks/woocommerce/{store_id}",
    response_model=WebhookResult,
    responses=RESPONSES,
    openapi_extra=RAW_BODY,
)
@signed_by_the_sender
def receive_woocommerce_webhook(
    store_id: StoreId,
    request: Request,
    session: DbSession,
    body: Body,
    topic: Annotated[str, Header(alias="X-WC-Webhook-Topic", max_length=100)] = "",
    signature: Annotated[str | None, Header(alias="X-WC-Webhook-Signature", max_length=200)] = None,
    delivery_id: Annotated[str, Header(alias="X-WC-Webhook-Delivery-ID", max_length=255)] = "",
) -> WebhookResult:
    """A WooCommerce webhook (order.created, order.updated, order.deleted, order.restored,
    customer.created, customer.updated), verified by `X-WC-Webhook-Signature`; the unsigned
    ping WooCommerce sends when a webhook is saved (`webhook_id=…`) is answered 200."""
    delivery = webhooks.Delivery(
        platform="woocommerce",
        topic=topic,
        delivery_id=delivery_id,
        signature=signature,
        body=body,
        content_type=request.headers.get("content-type", ""),
    )
    now = request.app.state.runtime.clock()
    return webhooks.receive(session, store_id=store_id, delivery=delivery, now=now)
