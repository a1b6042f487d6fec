"""What an action is worth: the money a refund, a return, an exchange or a resend moves."""

from kefu.commerce.action_schemas import (
    ExchangeRequest,
    RefundRequest,
    ResendRequest,
    ReturnRequest,
)
from kefu.commerce.facts import OrderFacts, item_value
from kefu.commerce.reasons import STORE_FAULT_REASONS


def refund_amount(facts: OrderFacts, data: RefundRequest) -> int:
    items = sum(
        item_value(facts.items[line.item_id], line.quantity)
        for line in data.items
        if line.item_id in facts.items
    )
    return items + data.shipping_minor + data.custom_minor


def return_amounts(facts: OrderFacts, data: ReturnRequest) -> tuple[int, int]:
    """(value of the returned items, restocking fee) in minor units."""
    value = 0
    fee = 0
    for line in data.items:
        item = facts.items.get(line.item_id)
        if item is None:
            continue
        worth = item_value(item, line.quantity)
        value += worth
        if data.reason not in STORE_FAULT_REASONS:
            fee += round(worth * facts.rules_of(item).restocking_fee_percent / 100)
    return value, fee


def exchange_difference(facts: OrderFacts, data: ExchangeRequest) -> int:
    """> 0: the customer pays it; < 0: it is refunded."""
    incoming = sum(line.unit_price_minor * line.quantity for line in data.items_in)
    outgoing = sum(
        item_value(facts.items[line.item_id], line.quantity)
        for line in data.items_out
        if line.item_id in facts.items
    )
    return incoming - outgoing


def resend_value(facts: OrderFacts, data: ResendRequest) -> int:
    return sum(
        facts.items[line.item_id].unit_price_minor * line.quantity
        for line in data.items
        if line.item_id in facts.items
    )
