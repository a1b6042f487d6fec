"""The embedded store: kefu's own tables are the store of record, so every action is done
once it is written in kefu; there is nothing to push and nothing to fetch."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from kefu.commerce.connectors.base import PushResult, RefundLine, register_connector
from kefu.commerce.models import Order, Store
from kefu.commerce.schemas import Address, OrderIn


class EmbeddedConnector:
    platform = "embedded"

    def __init__(self, store: Store) -> None:
        self.store = store

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
        return PushResult()

    def cancel(self, order: Order, *, reason: str, restock: bool, refund: bool) -> PushResult:
        return PushResult()

    def update_shipping_address(self, order: Order, address: Address) -> PushResult:
        return PushResult()

    def create_replacement(
        self, order: Order, *, lines: list[dict[str, Any]], note: str
    ) -> PushResult:
        return PushResult()

    def issue_store_credit(
        self, order: Order | None, *, amount_minor: int, currency: str, email: str, note: str
    ) -> PushResult:
        # the code the customer types at checkout
        return PushResult(details={"code": secrets.token_hex(6).upper()})

    def fetch_orders(self, *, since: datetime | None = None) -> Iterator[OrderIn]:
        return iter(())


register_connector("embedded", EmbeddedConnector)
