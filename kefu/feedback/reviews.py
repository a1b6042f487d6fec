"""Product reviews: stored once per (store, source, external id) however often they arrive;
a neutral or negative one (≤ 3 stars, 中评 or 差评) opens one follow-up ticket for the
customer, linked to the order when the review names it; the agent records the outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kefu.commerce import links
from kefu.customers import service as customers
from kefu.errors import InvalidInput, KefuError, NotFound
from kefu.events import emit
from kefu.feedback.models import ProductReview
from kefu.kit.actor import Actor
from kefu.kit.clock import as_utc
from kefu.permissions import require
from kefu.tickets.messages import get_message, record_message
from kefu.tickets.service import open_ticket

GRADE_WORDS = {
    "好评": "good",
    "中评": "neutral",
    "差评": "bad",
    "good": "good",
    "neutral": "neutral",
    "bad": "bad",
    "positive": "good",
    "negative": "bad",
}
OUTCOMES = ("resolved", "review_updated", "compensated", "no_response")
ACTOR = Actor.job("feedback.reviews")


@dataclass(slots=True)
class ReviewIn:
    """One review as a source gives it, before it is stored."""

    external_id: str
    reviewed_at: datetime
    rating: int | None = None
    grade: str | None = None
    product_ref: str = ""
    product_name: str = ""
    body: str = ""
    reviewer_name: str = ""
    reviewer_email: str = ""
    order_number: str = ""


@dataclass(slots=True)
class Received:
    review: ProductReview
    created: bool
    opened_ticket: bool


def grade_of(rating: int | None, grade: str | None) -> str:
    """好评/中评/差评 as given, else from the stars: 4–5 good, 3 neutral, 1–2 bad."""
    if grade:
        found = GRADE_WORDS.get(grade.strip().lower())
        if found is None:
            raise InvalidInput(f"unknown review grade: {grade}")
        return found
    if rating is None or not 1 <= rating <= 5:
        raise InvalidInput("a review needs a rating from 1 to 5 or a grade (好评/中评/差评)")
    return "good" if rating >= 4 else ("neutral" if rating == 3 else "bad")


def is_negative(review: ProductReview) -> bool:
    return review.grade in ("neutral", "bad") or (review.rating is not None and review.rating <= 3)


def _order(session: Session, store_id: int, number: str) -> tuple[int | None, int | None]:
    """(order id, customer id) of the store's order the review names, if kefu has it."""
    if not number.strip():
        return None, None
    try:
        order = links.find_order_by_number(session, number)
    except KefuError:
        return None, None
    if order.store_id != store_id:
        return None, None
    return order.id, order.customer_id


def _customer(session: Session, review: ProductReview, known: int | None) -> int:
    if known is not None:
        return known
    name = review.reviewer_name or review.reviewer_email or "?"
    if review.reviewer_email:
        try:
            return customers.identify(session, email=review.reviewer_email, name=name).id
        except InvalidInput:
            pass  # a malformed address: known by the nickname instead
    ref = f"{review.store_id}:{review.source}:{name}"[:320]
    return customers.identify(session, store_ref=ref, name=name).id


def _follow_up(session: Session, review: ProductReview, *, now: datetime) -> int:
    stars = (
        f"{review.rating}★"
        if review.rating
        else {"neutral": "中评", "bad": "差评"}.get(review.grade, review.grade)
    )
    ticket = open_ticket(
        session,
        subject=f"Review {stars}: {review.product_name or review.product_ref}"[:500],
        requester_id=review.customer_id,
        channel="api",
        status="open",
        store_id=review.store_id,
        tags=["review-follow-up", review.source],
        created_at=now,
    )
    record_message(
        session,
        ticket,
        kind="note",
        author_type="system",
        body_text=f"{stars} · {review.product_name}\n\n{review.body or '—'}",
        details={"review": {"review_id": review.id, "source": review.source}},
        created_at=now,
    )
    if review.order_id is not None:
        links.attach_order(session, actor=ACTOR, ticket_id=ticket.id, order_id=review.order_id)
    return ticket.id


def receive_review(
    session: Session, *, store_id: int, source: str, data: ReviewIn, now: datetime
) -> Received:
    """Store (or update) one review. A neutral or negative review gets its
    follow-up ticket once, however often it is imported."""
    grade = grade_of(data.rating, data.grade)
    if not data.external_id.strip():
        raise InvalidInput("a review needs its id in the source")
    key = (ProductReview.store_id == store_id, ProductReview.source == source)
    review = session.scalar(
        select(ProductReview).where(*key, ProductReview.external_id == data.external_id.strip())
    )
    created = review is None
    if review is None:
        review = ProductReview(
            store_id=store_id, source=source, external_id=data.external_id.strip(), created_at=now
        )
    review.rating, review.grade = data.rating, grade
    review.body = data.body.strip()[:20000]
    review.product_ref, review.product_name = data.product_ref[:100], data.product_name[:300]
    review.reviewer_name, review.reviewer_email = data.reviewer_name[:200], data.reviewer_email
    review.order_number, review.reviewed_at = data.order_number[:100], data.reviewed_at
    if created:
        review.order_id, known = _order(session, store_id, data.order_number)
        review.customer_id = _customer(session, review, known)
        try:
            with session.begin_nested():
                session.add(review)
                session.flush()
        except IntegrityError:  # another delivery of the same review stored it first
            return receive_review(session, store_id=store_id, source=source, data=data, now=now)
    opened = is_negative(review) and review.follow_up_ticket_id is None
    if opened:
        review.follow_up_ticket_id = _follow_up(session, review, now=now)
    session.flush()
    if created:
        emit(
            session,
            "review.received",
            subject_type="review",
            subject_id=review.id,
            payload={
                "grade": grade,
                "rating": review.rating,
                "ticket_id": review.follow_up_ticket_id,
            },
        )
    return Received(review, created, opened)


class OutcomeIn(BaseModel):
    outcome: Literal["resolved", "review_updated", "compensated", "no_response"]
    public_reply: str = Field(default="", max_length=5000)


def record_outcome(
    session: Session, *, actor: Actor, review_id: int, data: OutcomeIn, now: datetime
) -> ProductReview:
    require(actor, "tickets.update")
    review = session.get(ProductReview, review_id)
    if review is None:
        raise NotFound("no such review")
    review.outcome, review.public_reply = data.outcome, data.public_reply.strip()
    review.outcome_at = now
    session.flush()
    return review


def reviews_of_ticket(session: Session, ticket_id: int) -> list[ProductReview]:
    return list(
        session.scalars(select(ProductReview).where(ProductReview.follow_up_ticket_id == ticket_id))
    )


def followed_up(session: Session, *, ticket_id: int, message_id: int, at: datetime) -> None:
    """An agent's first public reply (not an automated one) on a review's follow-up ticket:
    when the customer was first contacted (kept once)."""
    waiting = [r for r in reviews_of_ticket(session, ticket_id) if r.first_follow_up_at is None]
    if not waiting:
        return
    try:
        message = get_message(session, message_id)
    except NotFound:
        return
    if (message.details or {}).get("automated"):
        return
    for review in waiting:
        review.first_follow_up_at = at
    session.flush()


def review_rates(session: Session, *, since: datetime, until: datetime) -> dict[str, object]:
    """好评率 and 中差评率 (share of good, and of neutral + bad, among the period's reviews),
    the share of negative ones recovered (an outcome other than no response), and the mean
    hours from a negative review's arrival in kefu to the first reply to its customer."""
    rows = session.execute(
        select(
            ProductReview.grade,
            ProductReview.outcome,
            ProductReview.created_at,
            ProductReview.first_follow_up_at,
        ).where(ProductReview.reviewed_at >= since, ProductReview.reviewed_at < until)
    ).all()
    total = len(rows)
    good = sum(1 for row in rows if row.grade == "good")
    negative = [row.outcome for row in rows if row.grade != "good"]
    recovered = sum(1 for o in negative if o in ("resolved", "review_updated", "compensated"))
    waits = [
        (as_utc(row.first_follow_up_at) - as_utc(row.created_at)).total_seconds() / 3600
        for row in rows
        if row.grade != "good" and row.first_follow_up_at is not None
    ]

    def share(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    return {
        "reviews": total,
        "good_rate": share(good, total),
        "negative_rate": share(len(negative), total),
        "recovered_rate": share(recovered, len(negative)),
        "hours_to_follow_up": round(sum(waits) / len(waits), 1) if waits else None,
    }


def follow_up_reviews(session: Session, *, limit: int = 200) -> list[ProductReview]:
    """The reviews that got a follow-up ticket, those without an outcome first, newest first."""
    return list(
        session.scalars(
            select(ProductReview)
            .where(ProductReview.follow_up_ticket_id.is_not(None))
            .order_by(
                ProductReview.outcome.is_not(None),
                ProductReview.reviewed_at.desc(),
                ProductReview.id.desc(),
            )
            .limit(limit)
        )
    )
