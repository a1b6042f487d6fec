"""The commerce domain's tables, one module per area so each stays readable."""

from kefu.commerce.models.actions import OrderAction, Policy
from kefu.commerce.models.followups import FollowUpOptOut, FollowUpRule, FollowUpSend
from kefu.commerce.models.logistics import Carrier, Reconciliation, TrackingEvent
from kefu.commerce.models.orders import (
    Fulfilment,
    Order,
    OrderItem,
    Store,
    TicketOrder,
)
from kefu.commerce.models.settlements import Exchange, OrderReturn, Refund, StoreCredit

__all__ = [
    "Carrier",
    "Exchange",
    "FollowUpOptOut",
    "FollowUpRule",
    "FollowUpSend",
    "Fulfilment",
    "Order",
    "OrderAction",
    "OrderItem",
    "OrderReturn",
    "Policy",
    "Reconciliation",
    "Refund",
    "Store",
    "StoreCredit",
    "TicketOrder",
    "TrackingEvent",
]
