"""Shopify: the REST Admin API for agents' actions and the initial import.

Authenticates with the store's Admin API access token (`X-Shopify-Access-Token`, kept as the
store's API secret). kefu tells the customer itself, so Shopify is asked not to notify."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from kefu.commerce.connectors import shopify_mapping
from kefu.commerce.connectors.base import (
    ConnectorRejected,
    ConnectorUnavailable,
    PushResult,
    RefundLine,
    register_connector,
)
from kefu.commerce.connectors.http import StoreHttp, flatten_errors, site_url
from kefu.commerce.connectors.payload import as_dict, as_list, ident, minor
from kefu.commerce.models import Order, Store
from kefu.commerce.schemas import Address, OrderIn
from kefu.commerce.stores import secret_of
from kefu.errors import InvalidInput
from kefu.kit.money import major_text

log = logging.getLogger(__name__)

API_VERSION = "2024-10"
PAGE_SIZE = 250
CANCEL_REASONS = {"customer", "inventory", "fraud", "declined", "other"}
_NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="?next"?')


def reason_of(body: Any) -> str | None:
    """Shopify's error bodies: {"errors": ...} or {"error": "..."}."""
    found = as_dict(body)
    if "errors" in found:
        return flatten_errors(found["errors"])
    if "error" in found:
        return flatten_errors(found["error"])
    return None


def next_page(link_header: str | None, *, site: str) -> str | None:
    """The `rel="next"` URL of Shopify's cursor pagination Link header; one pointing away
    from the shop is refused (the access token goes with it)."""
    match = _NEXT_LINK.search(link_header or "")
    if not match:
        return None
    url = match.group(1)
    if urlsplit(url).netloc != urlsplit(site).netloc:
        raise ConnectorUnavailable(f"Shopify's next page points away from the shop: {url}")
    return url


def numeric(value: Any) -> int:
    """A Shopify id as the API takes it (a number)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConnectorRejected(f"not a Shopify id: {value!r}") from None


def shopify_address(address: Address) -> dict[str, str]:
    first, _, last = address.name.partition(" ")
    return {
        "first_name": first,
        "last_name": last,
        "company": address.company,
        "address1": address.address1,
        "address2": address.address2,
        "city": address.city,
        "province": address.province,
        "zip": address.postal_code,
        "country_code": address.country_code,
        "phone": address.phone,
    }


class ShopifyConnector:
    platform = "shopify"

    def __init__(self, store: Store) -> None:
        self.store = store

    def _site(self) -> str:
        """The shop's origin: a pasted admin link ("…myshopify.com/admin") loses its path."""
        parts = urlsplit(site_url(self.store.base_url))
        return f"{parts.scheme}://{parts.netloc}"

    def _http(self) -> StoreHttp:
        return StoreHttp(
            self._site(),
            platform="Shopify",
            reason_of=reason_of,
            headers={"X-Shopify-Access-Token": secret_of(self.store, "api_secret")},
        )

    def _path(self, resource: str) -> str:
        return f"/admin/api/{API_VERSION}/{resource}"

    def refund(
        self,
        order: Order,
        *,
        lines: list[RefundLine],
        shipping_minor: int,
        amount_minor: int,
        restock: bool,
        note: str,
    ) -> PushResult:
        """Calculate first (Shopify's documented way to learn the parent transaction and the
        gateway), then create the refund for exactly `amount_minor`."""
        currency = order.currency
        refund: dict[str, Any] = {
            "currency": currency,
            "shipping": {"amount": major_text(shipping_minor, currency)},
            "refund_line_items": [
                {
                    "line_item_id": numeric(line.item_external_id),
                    "quantity": line.quantity,
                    "restock_type": "return" if restock else "no_restock",
                }
                for line in lines
                if line.quantity > 0
            ],
        }
        with self._http() as http:
            calculated = as_dict(
                http.json(
                    "POST",
                    self._path(f"orders/{order.external_id}/refunds/calculate.json"),
                    json={"refund": refund},
                ).get("refund")
            )
            transactions = _refund_transactions(calculated, amount_minor, currency)
            body = {
                "refund": {**refund, "notify": False, "note": note, "transactions": transactions}
            }
            made = as_dict(
                http.json(
                    "POST", self._path(f"orders/{order.external_id}/refunds.json"), json=body
                ).get("refund")
            )
        return PushResult(
            external_id=ident(made.get("id")) or None,
            details={
                "transactions": [
                    ident(as_dict(t).get("id")) for t in as_list(made.get("transactions"))
                ]
            },
        )

    def cancel(self, order: Order, *, reason: str, restock: bool, refund: bool) -> PushResult:
        body: dict[str, Any] = {
            "reason": reason if reason in CANCEL_REASONS else "other",
            "email": False,
            "restock": restock,
        }
        if refund:
            outstanding = max(order.total_minor - order.refunded_minor, 0)
            body["amount"] = major_text(outstanding, order.currency)
            body["currency"] = order.currency
        with self._http() as http:
            answer = as_dict(
                http.json("POST", self._path(f"orders/{order.external_id}/cancel.json"), json=body)
            )
        cancelled = as_dict(answer.get("order"))
        return PushResult(
            external_id=order.external_id,
            details={"cancelled_at": cancelled.get("cancelled_at"), "notice": answer.get("notice")},
        )

    def update_shipping_address(self, order: Order, address: Address) -> PushResult:
        body = {
            "order": {
                "id": numeric(order.external_id),
                "shipping_address": shopify_address(address),
            }
        }
        with self._http() as http:
            http.json("PUT", self._path(f"orders/{order.external_id}.json"), json=body)
        return PushResult(external_id=order.external_id)

    def create_replacement(
        self, order: Order, *, lines: list[dict[str, Any]], note: str
    ) -> PushResult:
        currency = order.currency
        line_items = []
        for line in lines:
            item: dict[str, Any] = {
                "quantity": int(line.get("quantity") or 1),
                "price": major_text(int(line.get("unit_price_minor") or 0), currency),
            }
            if line.get("variant_id"):
                item["variant_id"] = numeric(line["variant_id"])
            else:
                item["title"] = str(line.get("title") or line.get("sku") or "Replacement")
            if line.get("sku"):
                item["sku"] = str(line["sku"])
            line_items.append(item)
        is_free = all(int(line.get("unit_price_minor") or 0) == 0 for line in lines)
        body: dict[str, Any] = {
            "order": {
                "line_items": line_items,
                "currency": currency,
                "email": order.email or None,
                "financial_status": "paid" if is_free else "pending",
                "note": note,
                "tags": f"kefu, replacement for #{order.number}",
                "send_receipt": False,
                "send_fulfillment_receipt": False,
                "inventory_behaviour": "decrement_obeying_policy",
            }
        }
        if order.shipping_address:
            body["order"]["shipping_address"] = shopify_address(
                Address.model_validate(order.shipping_address)
            )
        if order.billing_address:
            body["order"]["billing_address"] = shopify_address(
                Address.model_validate(order.billing_address)
            )
        with self._http() as http:
            made = as_dict(http.json("POST", self._path("orders.json"), json=body).get("order"))
        return PushResult(
            external_id=ident(made.get("id")) or None,
            details={"number": str(made.get("name") or "").lstrip("#")},
        )

    def issue_store_credit(
        self, order: Order | None, *, amount_minor: int, currency: str, email: str, note: str
    ) -> PushResult:
        """A gift card (Shopify's store credit); Shopify shows the full code only once."""
        code = secrets.token_hex(8).upper()
        body = {
            "gift_card": {
                "initial_value": major_text(amount_minor, currency),
                "currency": currency,
                "code": code,
                "note": note,
            }
        }
        with self._http() as http:
            card = as_dict(
                http.json("POST", self._path("gift_cards.json"), json=body).get("gift_card")
            )
        return PushResult(
            external_id=ident(card.get("id")) or None,
            details={
                "code": str(card.get("code") or code),
                "last_characters": card.get("last_characters"),
            },
        )

    def fetch_orders(self, *, since: datetime | None = None) -> Iterator[OrderIn]:
        params: dict[str, str] | None = {"status": "any", "limit": str(PAGE_SIZE)}
        if since is not None and params is not None:
            params["updated_at_min"] = since.isoformat()
        url: str | None = self._path("orders.json")
        site = self._site()
        with self._http() as http:
            while url is not None:
                response = http.call("GET", url, params=params)
                try:
                    page = as_dict(response.json())
                except ValueError as exc:
                    raise ConnectorRejected("Shopify answered the order list with no JSON") from exc
                for raw in as_list(page.get("orders")):
                    try:
                        data = shopify_mapping.order(raw)
                    except InvalidInput as exc:
                        # one malformed order must not stop the import of the others
                        log.warning("%s order skipped: %s", self.platform, exc.message)
                        continue
                    yield data
                # the next link carries the cursor and the limit; other filters must not repeat
                url, params = next_page(response.headers.get("link"), site=site), None


def _refund_transactions(
    calculated: dict[str, Any], amount_minor: int, currency: str
) -> list[dict[str, Any]]:
    """Split `amount_minor` over the suggested transactions, each up to what it can take."""
    left = amount_minor
    transactions = []
    for suggested in map(as_dict, as_list(calculated.get("transactions"))):
        if left <= 0:
            break
        most = minor(suggested.get("maximum_refundable") or suggested.get("amount"), currency)
        take = min(left, most) if most > 0 else left
        transactions.append(
            {
                "parent_id": suggested.get("parent_id"),
                "amount": major_text(take, currency),
                "kind": "refund",
                "gateway": suggested.get("gateway"),
            }
        )
        left -= take
    if left > 0 and amount_minor > 0:
        raise ConnectorRejected(
            f"Shopify can refund at most {major_text(amount_minor - left, currency)} {currency} "
            "on this order"
        )
    return transactions


register_connector("shopify", ShopifyConnector)
