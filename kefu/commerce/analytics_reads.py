"""Read functions kefu.analytics uses for its e-commerce figures: orders, refunds and
returns of a period, and which customers ordered soon after a moment."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import distinct, exists, func, literal, select
from sqlalchemy.orm import Session

from kefu.commerce.models import Order, OrderReturn, Refund


@dataclass(slots=True)
class PeriodFigures:
    orders: int = 0
    refunds: int = 0
    refunded_orders: int = 0
    refund_amounts: dict[str, int] = field(default_factory=dict)  # currency -> minor
    returns: int = 0
    return_reasons: list[tuple[str, int]] = field(default_factory=list)


def period_figures(
    session: Session, *, since: datetime, until: datetime, store_id: int | None = None
) -> PeriodFigures:
    """Orders placed, refunds made (and their orders) and returns opened in [since, until)."""

    figures = PeriodFigures()
    orders = select(func.count(Order.id)).where(Order.placed_at >= since, Order.placed_at < until)
    if store_id is not None:
        orders = orders.where(Order.store_id == store_id)
    figures.orders = session.scalar(orders) or 0
    refunds = (
        select(Refund.currency, func.count(Refund.id), func.sum(Refund.amount_minor))
        .where(Refund.created_at >= since, Refund.created_at < until)
        .group_by(Refund.currency)
    )
    refunded = select(func.count(distinct(Refund.order_id))).where(
        Refund.created_at >= since, Refund.created_at < until
    )
    returns = (
        select(OrderReturn.reason, func.count(OrderReturn.id))
        .where(OrderReturn.created_at >= since, OrderReturn.created_at < until)
        .group_by(OrderReturn.reason)
    )
    if store_id is not None:
        refunds = refunds.join(Order, Order.id == Refund.order_id).where(Order.store_id == store_id)
        refunded = refunded.join(Order, Order.id == Refund.order_id).where(
            Order.store_id == store_id
        )
        returns = returns.join(Order, Order.id == OrderReturn.order_id).where(
            Order.store_id == store_id
        )
    for currency, count, amount in session.execute(refunds):
        figures.refunds += count
        figures.refund_amounts[currency] = int(amount or 0)
    figures.refunded_orders = session.scalar(refunded) or 0
    reasons = Counter(dict(session.execute(returns).all()))
    figures.returns = sum(reasons.values())
    figures.return_reasons = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    return figures


def ordered_after(session: Session, customer_id: Any, moment: Any, *, days: int) -> Any:
    """A condition on another table's row: the customer (`customer_id`, a column) placed an
    order after `moment` (a column) and at most `days` days after it — an index probe of the
    customer's orders, so a whole range's conversations are counted in one query."""
    if session.get_bind().dialect.name == "postgresql":
        last = moment + func.make_interval(0, 0, 0, days)
    else:  # text "YYYY-MM-DD HH:MM:SS.ffffff": the days added, the fraction kept
        when = func.strftime("%Y-%m-%d %H:%M:%S", moment, f"+{int(days)} days")
        last = when.op("||")(func.substr(moment, 20))
    return exists(
        select(literal(1)).where(
            Order.customer_id == customer_id, Order.placed_at > moment, Order.placed_at <= last
        )
    )
