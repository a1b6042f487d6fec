"""Read functions kefu.analytics uses for its e-commerce figures: orders, refunds and
returns of a period, and which customers ordered soon after a moment."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from kefu.commerce.models import Order, OrderReturn, Refund
from kefu.kit.clock import as_utc


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


def ordered_within(
    session: Session, moments: list[tuple[int, datetime]], *, days: int
) -> list[bool]:
    """For each (customer_id, moment): whether that customer placed an order within `days`
    days after the moment."""
    wanted: dict[int, list[datetime]] = defaultdict(list)
    for customer_id, moment in moments:
        wanted[customer_id].append(as_utc(moment))
    placed: dict[int, list[datetime]] = defaultdict(list)
    ids = list(wanted)
    if ids:
        first = min(m for _c, m in moments)
        last = max(m for _c, m in moments) + timedelta(days=days)
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            for customer_id, placed_at in session.execute(
                select(Order.customer_id, Order.placed_at).where(
                    Order.customer_id.in_(chunk), Order.placed_at >= first, Order.placed_at <= last
                )
            ):
                placed[customer_id].append(as_utc(placed_at))
    window = timedelta(days=days)
    return [
        any(moment < at <= moment + window for at in placed.get(customer_id, ()))
        for customer_id, moment in moments
    ]
