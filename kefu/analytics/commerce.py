"""The e-commerce figures of a range: refunds, returns and their reasons (kefu.commerce),
pre-sale conversion, product review grades (kefu.feedback) and the average reply time in
business hours (the rollups)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from kefu.analytics import sources
from kefu.analytics.figures import pct, ratio
from kefu.analytics.filters import ReportFilter
from kefu.analytics.models import TicketMetrics
from kefu.analytics.results import CommerceFigures, ReasonCount
from kefu.commerce import analytics_reads
from kefu.feedback import reviews

PRESALE_DAYS = 7
PRESALE_TYPE = "question"
PRESALE_TAG = "pre-sale"
PRESALE_INTENT = "pre_sale"


def presale_condition(session: Session):  # type: ignore[no-untyped-def]
    """A pre-sale conversation: the AI's intent when it is set, else a ticket of type
    "question" or tagged "pre-sale" (until the intent exists, see docs/metrics.md)."""
    return or_(
        TicketMetrics.intent == PRESALE_INTENT,
        TicketMetrics.type == PRESALE_TYPE,
        sources.has_tag(session, PRESALE_TAG),
    )


def presale_conditions(session: Session, flt: ReportFilter) -> list[Any]:
    """The pre-sale conversations of the range: created in it, with a known customer."""
    start, end = flt.bounds()
    return [
        *sources.metric_conditions(session, flt.narrowing()),
        TicketMetrics.created_at >= start,
        TicketMetrics.created_at < end,
        TicketMetrics.requester_id.is_not(None),
        presale_condition(session),
    ]


def commerce_figures(
    session: Session, *, flt: ReportFilter, presale_days: int = PRESALE_DAYS
) -> CommerceFigures:
    start, end = flt.bounds()
    period = analytics_reads.period_figures(session, since=start, until=end, store_id=flt.store_id)
    converted = analytics_reads.ordered_after(
        session, TicketMetrics.requester_id, TicketMetrics.created_at, days=presale_days
    )
    counts = select(func.count(), func.coalesce(func.sum(case((converted, 1), else_=0)), 0))
    statement = counts.select_from(TicketMetrics).where(*presale_conditions(session, flt))
    row = session.execute(statement).one()
    conversations, converted_count = int(row[0]), int(row[1])
    review = reviews.review_rates(session, since=start, until=end)
    timing = sources.summed(session, flt, ["frt_bsum", "frt_count", "nrt_bsum", "nrt_count"])
    t = timing.get(None, {})
    replies = t.get("frt_count", 0) + t.get("nrt_count", 0)
    return CommerceFigures(
        orders=period.orders,
        refunds=period.refunds,
        refund_amounts=period.refund_amounts,
        refund_rate_pct=pct(period.refunded_orders, period.orders),
        returns=period.returns,
        return_rate_pct=pct(period.returns, period.orders),
        return_reasons=[ReasonCount(reason, count) for reason, count in period.return_reasons],
        presale_days=presale_days,
        presale_conversations=conversations,
        presale_converted=converted_count,
        presale_conversion_pct=pct(converted_count, conversations),
        reviews=int(review["reviews"] or 0),  # type: ignore[call-overload]
        positive_review_pct=review["good_rate"],  # type: ignore[arg-type]
        negative_review_pct=review["negative_rate"],  # type: ignore[arg-type]
        business_response_mean=ratio(t.get("frt_bsum", 0) + t.get("nrt_bsum", 0), replies),
    )
