"""The policy engine: every action is checked against the store's written policies before
it is done, and the agent reads why (`check_<action>(facts, request, ...) -> list[Check]`).

A `failed` check refuses the action; a `needs_approval` check turns it into a request a
manager approves; a manager's own action passes the approval checks (they may approve it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kefu.commerce.action_schemas import (
    AddressRequest,
    CancelRequest,
    ExchangeRequest,
    ItemQuantity,
    RefundRequest,
    ResendRequest,
    ReturnRequest,
    StoreCreditRequest,
)
from kefu.commerce.amounts import (
    exchange_difference,
    refund_amount,
    resend_value,
    return_amounts,
)
from kefu.commerce.facts import (
    Check,
    OrderFacts,
    days_between,
    failed,
    item_label,
    needs_approval,
    passed,
)
from kefu.commerce.reasons import reason_label
from kefu.kit.actor import Actor
from kefu.kit.i18n import N_
from kefu.permissions import can


@dataclass(frozen=True)
class Evaluation:
    checks: list[Check]
    amount_minor: int  # the money the action gives back or is worth

    @property
    def allowed(self) -> bool:
        return not any(c.outcome == "failed" for c in self.checks)

    @property
    def needs_approval(self) -> bool:
        return self.allowed and any(c.outcome == "needs_approval" for c in self.checks)

    @property
    def refusal(self) -> str:
        return " ".join(c.text for c in self.checks if c.outcome == "failed")


def _limit(facts: OrderFacts, actor: Actor, amount: int, item_ids: list[int]) -> Check:
    limit = facts.limit_minor(item_ids)
    if amount <= limit:
        return passed(
            "limit", N_("Within your refund limit of %(limit)s"), limit=facts.money(limit)
        )
    if can(actor, "orders.approve"):
        return passed(
            "limit",
            N_("Over the agents' limit of %(limit)s: you may approve it yourself"),
            limit=facts.money(limit),
        )
    return needs_approval(
        "limit",
        N_("Over your refund limit of %(limit)s: a manager must approve"),
        limit=facts.money(limit),
    )


def _lines(
    facts: OrderFacts, lines: list[Any], *, left: Callable[[Any], int], template: str
) -> list[Check]:
    """Each asked item is on the order, and no more of it than is left."""
    checks = []
    for line in lines:
        item = facts.items.get(line.item_id)
        if item is None:
            checks.append(
                failed("items", N_("Item %(item)s is not on this order"), item=line.item_id)
            )
            continue
        available = left(item)
        if line.quantity > available:
            checks.append(
                failed(
                    "items",
                    template,
                    left=available,
                    title=item_label(item),
                    asked=line.quantity,
                )
            )
    return checks


def _not_cancelled(facts: OrderFacts) -> list[Check]:
    if facts.order.status == "cancelled":
        return [failed("order", N_("The order is cancelled"))]
    return []


def _window(facts: OrderFacts, item_ids: list[int], now: datetime, actor: Actor) -> list[Check]:
    """Each item's return window, from delivery (or from the order date when the parcel has
    not been delivered)."""
    delivered = facts.delivered_at
    start = delivered or facts.order.placed_at
    ago = days_between(start, now)
    days = min(
        (facts.rules_of(facts.items[i]).return_window_days for i in item_ids if i in facts.items),
        default=facts.rules[""].return_window_days,
    )
    if ago <= days:
        template = (
            N_("Within the %(days)s-day return window (delivered %(ago)s days ago)")
            if delivered
            else N_("Within the %(days)s-day return window (ordered %(ago)s days ago)")
        )
        return [passed("window", template, days=days, ago=ago)]
    if can(actor, "orders.approve"):
        template = N_(
            "Outside the %(days)s-day return window (delivered %(ago)s days ago): "
            "you may approve it yourself"
        )
        return [passed("window", template, days=days, ago=ago)]
    template = (
        N_(
            "Outside the %(days)s-day return window (delivered %(ago)s days ago): "
            "a manager must approve"
        )
        if delivered
        else N_(
            "Outside the %(days)s-day return window (ordered %(ago)s days ago): "
            "a manager must approve"
        )
    )
    return [needs_approval("window", template, days=days, ago=ago)]


def _final_sale(facts: OrderFacts, item_ids: list[int], template: str) -> list[Check]:
    return [
        failed("final_sale", template, title=item_label(facts.items[i]))
        for i in item_ids
        if i in facts.items and facts.is_final_sale(facts.items[i])
    ]


def _ids(lines: list[ItemQuantity]) -> list[int]:
    return [line.item_id for line in lines]


def check_refund(
    facts: OrderFacts, data: RefundRequest, *, actor: Actor, now: datetime
) -> list[Check]:
    if facts.order.payment_status == "refunded":
        return [failed("payment", N_("Already refunded in full"))]
    if not facts.is_paid:
        return [failed("payment", N_("The order is not paid: there is nothing to refund"))]
    checks = _lines(
        facts,
        data.items,
        left=lambda i: i.quantity - i.refunded_quantity - i.returned_quantity,
        template=N_("Only %(left)s of %(title)s can be refunded (%(asked)s asked)"),
    )
    for item_id in _ids(data.items):
        item = facts.items.get(item_id)
        if item is not None and facts.is_final_sale(item) and not can(actor, "orders.approve"):
            checks.append(
                needs_approval(
                    "final_sale",
                    N_("Final-sale item %(title)s: a manager must approve a refund"),
                    title=item_label(item),
                )
            )
    if data.shipping_minor > facts.shipping_left_minor:
        checks.append(
            failed(
                "shipping",
                N_("Shipping refund %(asked)s is more than the shipping left (%(left)s)"),
                asked=facts.money(data.shipping_minor),
                left=facts.money(facts.shipping_left_minor),
            )
        )
    amount = refund_amount(facts, data)
    if amount > facts.refundable_minor:
        checks.append(
            failed(
                "amount",
                N_("%(amount)s is more than is left to refund (%(left)s)"),
                amount=facts.money(amount),
                left=facts.money(facts.refundable_minor),
            )
        )
    elif amount <= 0:
        checks.append(failed("amount", N_("Nothing to refund")))
    checks.append(_limit(facts, actor, amount, _ids(data.items)))
    return checks


def check_cancel(
    facts: OrderFacts, data: CancelRequest, *, actor: Actor, now: datetime
) -> list[Check]:
    if facts.order.status == "cancelled":
        return [failed("order", N_("The order is already cancelled"))]
    if facts.is_shipped:
        return [
            failed("shipped", N_("Already shipped: it cannot be cancelled; start a return instead"))
        ]
    checks = [passed("shipped", N_("Not shipped yet: it can be cancelled"))]
    if facts.refundable_minor:
        checks.append(_limit(facts, actor, facts.refundable_minor, list(facts.items)))
    return checks


def check_edit_address(
    facts: OrderFacts, data: AddressRequest, *, actor: Actor, now: datetime
) -> list[Check]:
    if facts.order.status == "cancelled":
        return [failed("order", N_("The order is cancelled"))]
    if facts.is_shipped:
        return [failed("shipped", N_("Already shipped: the address cannot be changed"))]
    return [passed("shipped", N_("Not shipped yet: the address can still be changed"))]


def check_return(
    facts: OrderFacts, data: ReturnRequest, *, actor: Actor, now: datetime
) -> list[Check]:
    checks = _not_cancelled(facts)
    if checks:
        return checks
    if not facts.is_shipped:
        return [failed("shipped", N_("Not shipped yet: cancel or refund instead of a return"))]
    checks += _lines(
        facts,
        data.items,
        left=lambda i: i.quantity - i.returned_quantity - i.refunded_quantity,
        template=N_("Only %(left)s of %(title)s can be returned (%(asked)s asked)"),
    )
    ids = _ids(data.items)  # type: ignore[arg-type]
    checks += _final_sale(facts, ids, N_("Final-sale item %(title)s: cannot be returned"))
    checks += _window(facts, ids, now, actor)
    needs_photos = any(
        data.reason in facts.rules_of(facts.items[i]).photo_reasons for i in ids if i in facts.items
    )
    if needs_photos and not data.photos:
        checks.append(
            failed(
                "photos",
                N_("Photos are required for the reason “%(reason)s”: attach the customer's photos"),
                reason=reason_label(data.reason),
            )
        )
    elif data.photos:
        checks.append(passed("photos", N_("Photos attached: %(count)s"), count=len(data.photos)))
    value, fee = return_amounts(facts, data)
    if fee:
        percent = max(
            facts.rules_of(facts.items[i]).restocking_fee_percent for i in ids if i in facts.items
        )
        checks.append(
            passed(
                "restocking_fee",
                N_("A restocking fee of %(percent)s%% applies: %(fee)s is kept"),
                percent=percent,
                fee=facts.money(fee),
            )
        )
    if data.resolution != "exchange":
        checks.append(_limit(facts, actor, value - fee, ids))
    return checks


def check_exchange(
    facts: OrderFacts, data: ExchangeRequest, *, actor: Actor, now: datetime
) -> list[Check]:
    checks = _not_cancelled(facts)
    if checks:
        return checks
    checks += _lines(
        facts,
        data.items_out,
        left=lambda i: i.quantity - i.returned_quantity - i.refunded_quantity,
        template=N_("Only %(left)s of %(title)s can be exchanged (%(asked)s asked)"),
    )
    ids = _ids(data.items_out)
    checks += _final_sale(facts, ids, N_("Final-sale item %(title)s: cannot be exchanged"))
    if facts.is_shipped:
        checks += _window(facts, ids, now, actor)
    difference = exchange_difference(facts, data)
    if difference > 0:
        checks.append(
            passed(
                "difference",
                N_("The customer pays the difference of %(amount)s"),
                amount=facts.money(difference),
            )
        )
    elif difference < 0:
        checks.append(
            passed(
                "difference",
                N_("The difference of %(amount)s is refunded"),
                amount=facts.money(-difference),
            )
        )
        checks.append(_limit(facts, actor, -difference, ids))
    return checks


def check_resend(
    facts: OrderFacts, data: ResendRequest, *, actor: Actor, now: datetime
) -> list[Check]:
    checks = _not_cancelled(facts)
    if checks:
        return checks
    checks += _lines(
        facts,
        data.items,
        left=lambda i: i.quantity,
        template=N_("Only %(left)s of %(title)s can be resent (%(asked)s asked)"),
    )
    value = resend_value(facts, data)
    checks.append(
        passed("value", N_("A free replacement worth %(amount)s"), amount=facts.money(value))
    )
    checks.append(_limit(facts, actor, value, _ids(data.items)))
    return checks


def check_store_credit(
    facts: OrderFacts, data: StoreCreditRequest, *, actor: Actor, now: datetime
) -> list[Check]:
    if facts.order.customer_id is None:
        return [failed("customer", N_("The order has no customer to give credit to"))]
    return [_limit(facts, actor, data.amount_minor, [])]


def evaluate(kind: str, facts: OrderFacts, data: Any, *, actor: Actor, now: datetime) -> Evaluation:
    """The checks of one requested action and the money it involves."""
    if kind == "refund":
        return Evaluation(
            check_refund(facts, data, actor=actor, now=now), refund_amount(facts, data)
        )
    if kind == "cancel":
        return Evaluation(check_cancel(facts, data, actor=actor, now=now), facts.refundable_minor)
    if kind == "edit_address":
        return Evaluation(check_edit_address(facts, data, actor=actor, now=now), 0)
    if kind == "return":
        value, fee = return_amounts(facts, data)
        return Evaluation(check_return(facts, data, actor=actor, now=now), value - fee)
    if kind == "exchange":
        difference = exchange_difference(facts, data)
        return Evaluation(check_exchange(facts, data, actor=actor, now=now), difference)
    if kind == "resend":
        return Evaluation(
            check_resend(facts, data, actor=actor, now=now), resend_value(facts, data)
        )
    if kind == "store_credit":
        return Evaluation(check_store_credit(facts, data, actor=actor, now=now), data.amount_minor)
    raise ValueError(f"unknown action {kind!r}")
