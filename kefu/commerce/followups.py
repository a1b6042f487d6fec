"""Proactive follow-ups: find the orders each enabled rule is due for and write to each
customer once, as a new ticket whose public reply the email channel sends.

Once per rule and order (a unique row claims it before anything is written), at most the
rule's daily cap a day in the store's time zone; customers who unsubscribed from the store
and addresses that bounced are skipped. Only triggers from the last LOOKBACK are followed
up, so switching a rule on does not write to every customer of past years."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kefu.commerce.carriers import tracking_url_for
from kefu.commerce.followup_rules import (
    CHECKIN,
    EXCEPTION,
    NAME_FALLBACK,
    UNPAID,
    UNSUBSCRIBE_LINE,
    enabled_rules,
    store_language,
)
from kefu.commerce.models import FollowUpRule, FollowUpSend, Fulfilment, Order, Store, TicketOrder
from kefu.commerce.stores import get_store
from kefu.commerce.unsubscribe import make_token, opted_out_ids
from kefu.customers import service as customers
from kefu.tickets.messages import record_message
from kefu.tickets.service import open_ticket

log = logging.getLogger(__name__)
LOOKBACK = timedelta(days=7)
PROBLEMS = ("failed_attempt", "exception")


@dataclass(slots=True)
class Candidate:
    order: Order
    fulfilment: Fulfilment | None


def _due(session: Session, rule: FollowUpRule, now: datetime) -> list[Candidate]:
    """Orders the rule has not written about yet whose trigger is old enough, oldest first."""
    latest = now - timedelta(hours=rule.delay_hours)
    earliest = latest - LOOKBACK
    already = select(FollowUpSend.order_id).where(FollowUpSend.rule_id == rule.id)
    live = (Order.store_id == rule.store_id, Order.status != "cancelled", Order.id.not_in(already))
    if rule.kind == UNPAID:
        statement = (
            select(Order)
            .where(*live, Order.payment_status == "pending")
            .where(Order.placed_at <= latest, Order.placed_at > earliest)
            .order_by(Order.placed_at, Order.id)
        )
        return [Candidate(order, None) for order in session.scalars(statement)]
    moment = Fulfilment.last_event_at if rule.kind == EXCEPTION else Fulfilment.delivered_at
    wanted = (
        Fulfilment.status.in_(PROBLEMS)
        if rule.kind == EXCEPTION
        else (Fulfilment.status == "delivered")
    )
    statement = (
        select(Order, Fulfilment)
        .join(Fulfilment, Fulfilment.order_id == Order.id)
        .where(*live, wanted, moment <= latest, moment > earliest)
        .order_by(moment, Order.id)
    )
    found: dict[int, Candidate] = {}
    for order, fulfilment in session.execute(statement):
        found.setdefault(order.id, Candidate(order, fulfilment))
    return list(found.values())


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def _fill(template: str, values: dict[str, str]) -> str:
    try:
        return template.format_map(_Blank(values))
    except (ValueError, IndexError):
        return template  # saved before the checks; sent as written rather than not at all


def _email_of(session: Session, customer_id: int) -> tuple[str, bool]:
    """The address a reply goes to (primary first) and whether mail to it bounced."""
    for identity in customers.identities_of(session, [customer_id])[customer_id]:
        if identity.kind == "email":
            return identity.value, bool((identity.details or {}).get("bounced_at"))
    return "", False


def _write(
    session: Session,
    *,
    rule: FollowUpRule,
    store: Store,
    candidate: Candidate,
    customer: Any,
    today: date,
    now: datetime,
    key: str,
    base_url: str,
) -> int:
    order, fulfilment = candidate.order, candidate.fulfilment
    language = store_language(store.language)
    tracking = ""
    if fulfilment is not None:
        tracking = fulfilment.tracking_url or tracking_url_for(
            session, fulfilment.carrier, fulfilment.tracking_number
        )
    values = {
        "name": customer.name or NAME_FALLBACK[language],
        "order_number": order.number,
        "tracking_url": tracking,
    }
    link = f"{base_url.rstrip('/')}/unsubscribe/{make_token(customer.id, store.id, key=key)}"
    body = _fill(rule.body, values) + "\n\n-- \n" + UNSUBSCRIBE_LINE[language].format(url=link)
    claim = FollowUpSend(
        rule_id=rule.id, order_id=order.id, customer_id=customer.id, sent_on=today, created_at=now
    )
    session.add(claim)
    session.flush()  # the unique (rule, order) row first: a second writer fails here
    ticket = open_ticket(
        session,
        subject=_fill(rule.subject, values) or order.number,
        requester_id=customer.id,
        channel="email",
        status="pending",
        store_id=store.id,
        tags=["follow-up"],
        created_at=now,
    )
    record_message(
        session,
        ticket,
        kind="reply",
        author_type="agent",  # a public reply: the email channel sends it like an agent's
        body_text=body,
        channel="email",
        details={"follow_up": {"rule_id": rule.id, "kind": rule.kind, "order_id": order.id}},
        created_at=now,
    )
    session.add(TicketOrder(ticket_id=ticket.id, order_id=order.id, linked_by="follow_up"))
    claim.ticket_id = ticket.id
    session.flush()
    return ticket.id


def sent_on(session: Session, rule_id: int, day: date) -> int:
    statement = select(func.count(FollowUpSend.id)).where(
        FollowUpSend.rule_id == rule_id, FollowUpSend.sent_on == day
    )
    return session.scalar(statement) or 0


def run_rule(
    session: Session, rule: FollowUpRule, *, now: datetime, key: str, base_url: str
) -> Counter[str]:
    """Write what one rule is due for today, up to its cap; counts what happened."""
    counts: Counter[str] = Counter()
    store = get_store(session, rule.store_id)
    today = now.astimezone(ZoneInfo(store.time_zone)).date()
    room = rule.daily_cap - sent_on(session, rule.id, today)
    due = _due(session, rule, now)
    customer_ids = [c.order.customer_id for c in due if c.order.customer_id is not None]
    opted_out = opted_out_ids(session, store.id, customer_ids)
    for candidate in due:
        if candidate.order.customer_id is None:
            counts["no_customer"] += 1
            continue
        customer = customers.get_customer(session, candidate.order.customer_id, follow_merge=True)
        if customer.id in opted_out or candidate.order.customer_id in opted_out:
            counts["opted_out"] += 1
            continue
        email, bounced = _email_of(session, customer.id)
        if not email or bounced:
            counts["bounced" if bounced else "no_email"] += 1
            continue
        if room <= 0:
            counts["over_cap"] += 1
            continue
        try:
            with session.begin_nested():
                _write(
                    session,
                    rule=rule,
                    store=store,
                    candidate=candidate,
                    customer=customer,
                    today=today,
                    now=now,
                    key=key,
                    base_url=base_url,
                )
        except IntegrityError:
            counts["already_sent"] += 1  # another worker wrote it first
            continue
        room -= 1
        counts["sent"] += 1
    return counts


def run_follow_ups(
    session: Session, *, now: datetime, key: str, base_url: str
) -> dict[int, Counter[str]]:
    """Every enabled rule once; {rule id: counts}."""
    results = {}
    for rule in enabled_rules(session):
        results[rule.id] = run_rule(session, rule, now=now, key=key, base_url=base_url)
        if results[rule.id]:
            log.info("follow-up rule %s (%s): %s", rule.id, rule.kind, dict(results[rule.id]))
    return results


__all__ = ["CHECKIN", "EXCEPTION", "UNPAID", "run_follow_ups", "run_rule"]
