"""The returns dashboard's numbers: open returns by state and age, why customers return, and
what was refunded by reason and by product, for a date range and a store."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.commerce.models import Order, OrderItem, OrderReturn, Refund
from kefu.kit.actor import Actor
from kefu.kit.clock import as_utc
from kefu.kit.i18n import N_
from kefu.permissions import require

OPEN_STATES = ("requested", "approved", "in_transit", "received")
STATE_LABELS: dict[str, str] = {
    "requested": N_("Requested"),
    "approved": N_("Approved"),
    "in_transit": N_("On its way back"),
    "received": N_("Received"),
}
# (label, fewest days, most days)
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    (N_("0–2 days"), 0, 2),
    (N_("3–7 days"), 3, 7),
    (N_("8–14 days"), 8, 14),
    (N_("15–30 days"), 15, 30),
    (N_("Over 30 days"), 31, None),
)


@dataclass(frozen=True, slots=True)
class ReturnsFilter:
    start: date
    end: date  # inclusive
    store_id: int | None = None
    time_zone: str = "UTC"

    def bounds(self) -> tuple[datetime, datetime]:
        zone = ZoneInfo(self.time_zone)
        first = datetime.combine(self.start, time.min, tzinfo=zone)
        after = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone)
        return as_utc(first), as_utc(after)


@dataclass(slots=True)
class Amount:
    label: str
    currency: str
    amount_minor: int = 0
    count: int = 0


@dataclass(slots=True)
class ReturnsDashboard:
    open_by_state: dict[str, list[int]]  # state -> count per age bucket
    open_total: int
    reasons: list[tuple[str, int]]  # reason code, returns opened in the range
    refunds_by_reason: list[Amount] = field(default_factory=list)
    refunds_by_product: list[Amount] = field(default_factory=list)
    refunded_total: dict[str, int] = field(default_factory=dict)  # currency -> minor

    @property
    def is_empty(self) -> bool:
        return not (self.open_total or self.reasons or self.refunds_by_reason)


def _bucket(age_days: int) -> int:
    for index, (_label, low, high) in enumerate(AGE_BUCKETS):
        if age_days >= low and (high is None or age_days <= high):
            return index
    return len(AGE_BUCKETS) - 1


def _in_store(statement, store_id: int | None):  # type: ignore[no-untyped-def]
    return statement if store_id is None else statement.where(Order.store_id == store_id)


def returns_dashboard(
    session: Session, *, actor: Actor, spec: ReturnsFilter, now: datetime
) -> ReturnsDashboard:
    require(actor, "reports.read")
    first, after = spec.bounds()
    open_by_state = {state: [0] * len(AGE_BUCKETS) for state in OPEN_STATES}
    opened = _in_store(
        select(OrderReturn.state, OrderReturn.created_at)
        .join(Order, Order.id == OrderReturn.order_id)
        .where(OrderReturn.state.in_(OPEN_STATES)),
        spec.store_id,
    )
    total = 0
    for state, created_at in session.execute(opened):
        open_by_state[state][_bucket((now - as_utc(created_at)).days)] += 1
        total += 1
    reasons = _in_store(
        select(OrderReturn.reason, func.count(OrderReturn.id))
        .join(Order, Order.id == OrderReturn.order_id)
        .where(OrderReturn.created_at >= first, OrderReturn.created_at < after)
        .group_by(OrderReturn.reason),
        spec.store_id,
    )
    reason_counts = sorted(
        ((row[0] or "", row[1]) for row in session.execute(reasons)), key=lambda r: (-r[1], r[0])
    )
    dashboard = ReturnsDashboard(
        open_by_state=open_by_state, open_total=total, reasons=reason_counts
    )
    _refunds(session, spec, first, after, dashboard)
    return dashboard


def _refunds(
    session: Session, spec: ReturnsFilter, first: datetime, after: datetime, into: ReturnsDashboard
) -> None:
    statement = _in_store(
        select(Refund)
        .join(Order, Order.id == Refund.order_id)
        .where(Refund.processed_at >= first, Refund.processed_at < after),
        spec.store_id,
    )
    refunds = list(session.scalars(statement))
    by_reason: dict[tuple[str, str], Amount] = {}
    by_product: dict[tuple[str, str], Amount] = {}
    item_ids = {line.get("item_id") for r in refunds for line in r.items or []} - {None}
    items = {
        item.id: item
        for item in session.scalars(select(OrderItem).where(OrderItem.id.in_(item_ids)))
    }
    totals: dict[str, int] = defaultdict(int)
    for refund in refunds:
        totals[refund.currency] += refund.amount_minor
        key = (refund.reason or "", refund.currency)
        amount = by_reason.setdefault(key, Amount(label=key[0], currency=refund.currency))
        amount.amount_minor += refund.amount_minor
        amount.count += 1
        for line in refund.items or []:
            item = items.get(line.get("item_id"))
            label = (item.title or item.sku) if item else ""
            product = (label, refund.currency)
            entry = by_product.setdefault(product, Amount(label=label, currency=refund.currency))
            entry.amount_minor += int(line.get("amount_minor") or 0)
            entry.count += int(line.get("quantity") or 0)
    into.refunds_by_reason = sorted(by_reason.values(), key=lambda a: -a.amount_minor)
    into.refunds_by_product = sorted(by_product.values(), key=lambda a: -a.amount_minor)[:20]
    into.refunded_total = dict(totals)
