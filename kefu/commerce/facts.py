"""What the policy engine and the actions know about one order: its items, shipments, the
store's rules, and the amounts derived from them (what an item is worth, what is left)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.commerce import orders, policies
from kefu.commerce.models import Fulfilment, Order, OrderItem, Refund, Store
from kefu.commerce.policies import Rules
from kefu.kit.clock import as_utc
from kefu.kit.i18n import gettext
from kefu.kit.money import format_money

REFUNDABLE_PAYMENTS = frozenset({"paid", "partially_paid", "partially_refunded"})


@dataclass(frozen=True)
class Check:
    """One rule applied to the request: `outcome` is passed | failed | needs_approval and
    `text` the sentence the agent reads (`template` % `params`, in the reader's language)."""

    rule: str
    outcome: str
    template: str
    params: dict[str, Any]

    @property
    def text(self) -> str:
        return gettext(self.template, **self.params)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "outcome": self.outcome,
            "template": self.template,
            "params": self.params,
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Check:
        return cls(
            rule=str(data.get("rule", "")),
            outcome=str(data.get("outcome", "passed")),
            template=str(data.get("template") or data.get("text", "")),
            params=dict(data.get("params") or {}),
        )


def passed(rule: str, template: str, **params: Any) -> Check:
    return Check(rule, "passed", template, params)


def failed(rule: str, template: str, **params: Any) -> Check:
    return Check(rule, "failed", template, params)


def needs_approval(rule: str, template: str, **params: Any) -> Check:
    return Check(rule, "needs_approval", template, params)


@dataclass
class OrderFacts:
    store: Store
    order: Order
    items: dict[int, OrderItem]
    fulfilments: list[Fulfilment]
    rules: dict[str, Rules]
    refunded_shipping_minor: int

    def money(self, minor: int) -> str:
        return format_money(minor, self.order.currency)

    def rules_of(self, item: OrderItem) -> Rules:
        return policies.rules_for(self.rules, item.category)

    def is_final_sale(self, item: OrderItem) -> bool:
        return item.is_final_sale or self.rules_of(item).is_final_sale

    @property
    def delivered_at(self) -> datetime | None:
        times = [as_utc(f.delivered_at) for f in self.fulfilments if f.delivered_at]
        return max(times) if times else None

    @property
    def is_shipped(self) -> bool:
        return (
            self.order.fulfilment_status in ("fulfilled", "partial")
            or bool(self.fulfilments)
            or any(item.fulfilled_quantity for item in self.items.values())
        )

    @property
    def is_paid(self) -> bool:
        return self.order.payment_status in REFUNDABLE_PAYMENTS

    @property
    def refundable_minor(self) -> int:
        """What is left to give back of what the customer paid."""
        if not self.is_paid:
            return 0
        return max(self.order.total_minor - self.order.refunded_minor, 0)

    @property
    def shipping_left_minor(self) -> int:
        return max(self.order.shipping_minor - self.refunded_shipping_minor, 0)

    def limit_minor(self, item_ids: list[int] | None = None) -> int:
        """The agent's refund limit: the strictest of the categories involved."""
        involved = [self.items[i] for i in item_ids or [] if i in self.items]
        limits = [self.rules_of(item).agent_refund_limit_minor for item in involved]
        return min(limits) if limits else self.rules[""].agent_refund_limit_minor


def item_value(item: OrderItem, quantity: int) -> int:
    """What `quantity` of a line cost the customer: price less its share of the line's
    discount, plus its share of the line's tax."""
    if item.quantity <= 0 or quantity <= 0:
        return 0
    line = item.unit_price_minor * item.quantity - item.discount_minor + item.tax_minor
    return max(round(line * quantity / item.quantity), 0)


def item_label(item: OrderItem) -> str:
    title = item.title or item.sku or f"#{item.id}"
    return f"{title} ({item.variant_title})" if item.variant_title else title


def facts_for(session: Session, order: Order) -> OrderFacts:
    from kefu.commerce import stores

    store = stores.get_store(session, order.store_id)
    shipping = select(Refund.shipping_minor).where(Refund.order_id == order.id)
    return OrderFacts(
        store=store,
        order=order,
        items={item.id: item for item in orders.items_of(session, [order.id])[order.id]},
        fulfilments=orders.fulfilments_of(session, [order.id])[order.id],
        rules=policies.rules_for_store(session, store.id),
        refunded_shipping_minor=sum(session.scalars(shipping)),
    )


def days_between(start: datetime, now: datetime) -> int:
    return max((as_utc(now) - as_utc(start)).days, 0)
