"""Shopify / WooCommerce test data: stores made through the service, documented payloads,
and signed webhook deliveries."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

from kefu.commerce import stores
from kefu.commerce.models import Store
from kefu.commerce.schemas import StoreCreate
from kefu.db import Database
from kefu.kit.actor import Actor

# The instance key of tests/conftest.py's `settings`, so pages and services agree.
KEY = "test-secret-key-" + "x" * 32
FIXTURES = Path(__file__).resolve().parent / "fixtures"
WEBHOOK_SECRET = "whsec-test-4f2a9c"
API_TOKEN = "shpat_test_0123456789abcdef"
WOO_KEY = "ck_test_0123456789"
WOO_SECRET = "cs_test_abcdef0123"


def fixture(path: str) -> Any:
    """A documented payload (tests/commerce/fixtures/README.md), fresh for each caller."""
    return copy.deepcopy(json.loads((FIXTURES / path).read_text(encoding="utf-8")))


def make_store(database: Database, *, platform: str = "shopify", **fields: Any) -> Store:
    values: dict[str, Any] = {
        "name": "Shopify shop" if platform == "shopify" else "Woo shop",
        "platform": platform,
        "currency": "USD",
        "base_url": "jsmith.myshopify.com" if platform == "shopify" else "https://shop.example",
        "api_key": "" if platform == "shopify" else WOO_KEY,
        "api_secret": API_TOKEN if platform == "shopify" else WOO_SECRET,
        "webhook_secret": WEBHOOK_SECRET,
        **fields,
    }
    with database.unit_of_work(actor=Actor.system()) as session:
        store = stores.create_store(
            session, actor=Actor.system(), data=StoreCreate.model_validate(values), key=KEY
        )
        session.expunge(store)
    return store


def signature(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    """What Shopify and WooCommerce send: base64 of HMAC-SHA256(secret, raw body)."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def shopify_headers(
    body: bytes, *, topic: str, webhook_id: str, secret: str = WEBHOOK_SECRET
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": signature(body, secret),
        "X-Shopify-Shop-Domain": "jsmith.myshopify.com",
        "X-Shopify-Webhook-Id": webhook_id,
        "X-Shopify-API-Version": "2024-10",
    }


def woo_headers(
    body: bytes, *, topic: str, delivery_id: str, secret: str = WEBHOOK_SECRET
) -> dict[str, str]:
    resource, _, event = topic.partition(".")
    return {
        "Content-Type": "application/json",
        "X-WC-Webhook-Source": "https://shop.example/",
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": resource,
        "X-WC-Webhook-Event": event,
        "X-WC-Webhook-Signature": signature(body, secret),
        "X-WC-Webhook-ID": "12",
        "X-WC-Webhook-Delivery-ID": delivery_id,
    }


def body_of(payload: Any) -> bytes:
    return json.dumps(payload).encode()
