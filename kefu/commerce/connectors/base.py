"""What every store connector does, so actions never care which shop is behind an order.

A connector pushes an agent's action to the store and raises `ConnectorRejected` with the
store's own words when the store refuses; the caller's transaction then rolls back, so kefu
never keeps a refund the store did not make."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from kefu.commerce.models import Order, Store
from kefu.commerce.schemas import Address, OrderIn
from kefu.errors import KefuError


class ConnectorRejected(KefuError):
    """The store refused the action (e.g. Shopify answered 422); `message` quotes it."""

    status = 422
    code = "store_rejected"


class ConnectorUnavailable(KefuError):
    """The store could not be reached or answered with a server error."""

    status = 502
    code = "store_unavailable"


@dataclass(frozen=True)
class PushResult:
    """What the store made: its id for the refund/return/order/credit, and anything useful."""

    external_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundLine:
    item_external_id: str
    quantity: int
    amount_minor: int


class Connector(Protocol):
    """One store's platform. Every method either succeeds or raises ConnectorRejected /
    ConnectorUnavailable; none of them touches kefu's database."""

    platform: str

    def refund(
        self,
        order: Order,
        *,
        lines: list[RefundLine],
        shipping_minor: int,
        amount_minor: int,
        restock: bool,
        note: str,
    ) -> PushResult: ...

    def cancel(self, order: Order, *, reason: str, restock: bool, refund: bool) -> PushResult: ...

    def update_shipping_address(self, order: Order, address: Address) -> PushResult: ...

    def create_replacement(
        self, order: Order, *, lines: list[dict[str, Any]], note: str
    ) -> PushResult:
        """A new order for an exchange or a resent item (lines: sku/variant_id/title/
        quantity/unit_price_minor; price 0 for a free resend)."""
        ...

    def issue_store_credit(
        self, order: Order | None, *, amount_minor: int, currency: str, email: str, note: str
    ) -> PushResult: ...

    def fetch_orders(self, *, since: datetime | None = None) -> Iterator[OrderIn]:
        """Every order (updated since `since`), page by page, for the initial import."""
        ...


ConnectorFactory = Callable[[Store], Connector]
_FACTORIES: dict[str, ConnectorFactory] = {}


def register_connector(platform: str, factory: ConnectorFactory) -> None:
    _FACTORIES[platform] = factory


def connector_for(store: Store) -> Connector:
    """The connector of a store's platform."""
    from kefu.commerce.connectors import (  # noqa: F401  each registers itself
        embedded,
        shopify,
        woocommerce,
    )

    try:
        factory = _FACTORIES[store.platform]
    except KeyError as exc:
        raise ConnectorUnavailable(f"no connector for platform {store.platform!r}") from exc
    return factory(store)
