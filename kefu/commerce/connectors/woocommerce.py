"""WooCommerce: the REST API v3 (`/wp-json/wc/v3`) for agents' actions and the initial import.

Authenticates with the store's consumer key (the store's API key) and consumer secret (its
API secret): HTTP Basic over https, as WooCommerce documents; query parameters only for a
store on this machine over plain http (development and tests)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from kefu.commerce.connectors import woocommerce_mapping
from kefu.commerce.connectors.base import PushResult, RefundLine, register_connector
from kefu.commerce.connectors.http import StoreHttp, site_url
from kefu.commerce.connectors.payload import as_dict, as_list, ident, positive
from kefu.commerce.models import Order, Store
from kefu.commerce.schemas import Address, OrderIn
from kefu.commerce.stores import secret_of
from kefu.errors import InvalidInput
from kefu.kit.money import major_text

log = logging.getLogger(__name__)

API_ROOT = "/wp-json/wc/v3"
PAGE_SIZE = 100


def reason_of(body: Any) -> str | None:
    """WordPress REST errors: {"code": "...", "message": "...", "data": {"status": 400}}."""
    found = as_dict(body)
    message = found.get("message")
    return str(message) if message else None


def is_refusal(status: int, body: Any) -> bool:
    """WooCommerce answers 500 when the payment gateway or the order refuses a refund
    (`woocommerce_rest_cannot_create_order_refund`): that is a "no", not an outage."""
    return status == 500 and str(as_dict(body).get("code", "")).startswith(
        "woocommerce_rest_cannot_"
    )


def woo_address(address: Address, *, with_phone: bool = True) -> dict[str, str]:
    first, _, last = address.name.partition(" ")
    found = {
        "first_name": first,
        "last_name": last,
        "company": address.company,
        "address_1": address.address1,
        "address_2": address.address2,
        "city": address.city,
        "state": address.province,
        "postcode": address.postal_code,
        "country": address.country_code,
    }
    if with_phone:
        found["phone"] = address.phone
    return found


class WooCommerceConnector:
    platform = "woocommerce"

    def __init__(self, store: Store) -> None:
        self.store = store

    def _http(self) -> StoreHttp:
        site = site_url(self.store.base_url)
        key, secret = self.store.api_key, secret_of(self.store, "api_secret")
        if site.startswith("https://"):
            return StoreHttp(
                site,
                platform="WooCommerce",
                reason_of=reason_of,
                is_refusal=is_refusal,
                auth=(key, secret),
            )
        return StoreHttp(
            site,
            platform="WooCommerce",
            reason_of=reason_of,
            is_refusal=is_refusal,
            params={"consumer_key": key, "consumer_secret": secret},
        )

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
        """One refund through the payment gateway (`api_refund`), restocking the items
        when asked; shipping is refunded on the order's first shipping line."""
        currency = order.currency
        line_items: list[dict[str, Any]] = [
            {
                "id": line.item_external_id,
                "quantity": line.quantity,
                "refund_total": major_text(line.amount_minor, currency),
            }
            for line in lines
        ]
        shipping_lines = [i for i in as_list(order.details.get("shipping_line_ids")) if i]
        if shipping_minor and shipping_lines:
            line_items.append(
                {"id": shipping_lines[0], "refund_total": major_text(shipping_minor, currency)}
            )
        body = {
            "amount": major_text(amount_minor, currency),
            "reason": note,
            "api_refund": True,
            "api_restock": restock,
            "line_items": line_items,
        }
        with self._http() as http:
            made = as_dict(
                http.json("POST", f"{API_ROOT}/orders/{order.external_id}/refunds", json=body)
            )
        return PushResult(
            external_id=ident(made.get("id")) or None, details={"amount": made.get("amount")}
        )

    def cancel(self, order: Order, *, reason: str, restock: bool, refund: bool) -> PushResult:
        """Refund what is left first (when asked), then set the order to cancelled:
        WooCommerce puts the stock back when an order is cancelled."""
        details: dict[str, Any] = {}
        with self._http() as http:
            outstanding = max(order.total_minor - order.refunded_minor, 0)
            if refund and outstanding:
                made = as_dict(
                    http.json(
                        "POST",
                        f"{API_ROOT}/orders/{order.external_id}/refunds",
                        json={
                            "amount": major_text(outstanding, order.currency),
                            "reason": reason,
                            "api_refund": True,
                            "api_restock": restock,
                        },
                    )
                )
                details["refund_id"] = ident(made.get("id"))
            http.json("PUT", f"{API_ROOT}/orders/{order.external_id}", json={"status": "cancelled"})
        return PushResult(external_id=order.external_id, details=details)

    def update_shipping_address(self, order: Order, address: Address) -> PushResult:
        with self._http() as http:
            http.json(
                "PUT",
                f"{API_ROOT}/orders/{order.external_id}",
                json={"shipping": woo_address(address)},
            )
        return PushResult(external_id=order.external_id)

    def create_replacement(
        self, order: Order, *, lines: list[dict[str, Any]], note: str
    ) -> PushResult:
        currency = order.currency
        line_items = []
        for line in lines:
            quantity = positive(line.get("quantity")) or 1
            price = int(line.get("unit_price_minor") or 0) * quantity
            item: dict[str, Any] = {
                "quantity": quantity,
                "subtotal": major_text(price, currency),
                "total": major_text(price, currency),
            }
            if line.get("product_id"):
                item["product_id"] = positive(line["product_id"])
            if line.get("variant_id"):
                item["variation_id"] = positive(line["variant_id"])
            if line.get("sku"):
                item["sku"] = str(line["sku"])
            if "product_id" not in item and "variation_id" not in item:
                item["name"] = str(line.get("title") or "Replacement")
            line_items.append(item)
        is_free = all(int(line.get("unit_price_minor") or 0) == 0 for line in lines)
        body: dict[str, Any] = {
            "status": "processing" if is_free else "pending",
            "currency": currency,
            "set_paid": is_free,
            "line_items": line_items,
            "customer_note": note,
            "meta_data": [{"key": "_kefu_replacement_for", "value": order.number}],
        }
        if order.details.get("customer_id"):
            body["customer_id"] = positive(order.details["customer_id"])
        if order.shipping_address:
            body["shipping"] = woo_address(Address.model_validate(order.shipping_address))
        billing = Address.model_validate(order.billing_address or order.shipping_address or {})
        body["billing"] = {**woo_address(billing), "email": order.email}
        with self._http() as http:
            made = as_dict(http.json("POST", f"{API_ROOT}/orders", json=body))
        return PushResult(
            external_id=ident(made.get("id")) or None,
            details={"number": str(made.get("number") or made.get("id") or "")},
        )

    def issue_store_credit(
        self, order: Order | None, *, amount_minor: int, currency: str, email: str, note: str
    ) -> PushResult:
        """A single-use fixed-cart coupon only the customer's email address may use."""
        code = f"KEFU-{secrets.token_hex(5).upper()}"
        body = {
            "code": code,
            "discount_type": "fixed_cart",
            "amount": major_text(amount_minor, currency),
            "individual_use": False,
            "usage_limit": 1,
            "email_restrictions": [email] if email else [],
            "description": note,
        }
        with self._http() as http:
            made = as_dict(http.json("POST", f"{API_ROOT}/coupons", json=body))
        return PushResult(
            external_id=ident(made.get("id")) or None, details={"code": made.get("code") or code}
        )

    def fetch_orders(self, *, since: datetime | None = None) -> Iterator[OrderIn]:
        params = {"per_page": str(PAGE_SIZE), "orderby": "id", "order": "asc"}
        if since is not None:
            params["modified_after"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
            params["dates_are_gmt"] = "true"
        page, pages = 1, 1
        with self._http() as http:
            while page <= pages:
                response = http.call(
                    "GET", f"{API_ROOT}/orders", params={**params, "page": str(page)}
                )
                pages = positive(response.headers.get("x-wp-totalpages")) or page
                for raw in as_list(_json(response)):
                    try:
                        data = woocommerce_mapping.order(raw)
                    except InvalidInput as exc:
                        # one malformed order must not stop the import of the others
                        log.warning("%s order skipped: %s", self.platform, exc.message)
                        continue
                    yield data
                page += 1


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return []


register_connector("woocommerce", WooCommerceConnector)
