"""Unsubscribe links for proactive follow-ups: a token signed with the instance key names
the customer and the store; following it records an opt-out, no sign-in needed."""

from __future__ import annotations

import base64
import hashlib
import hmac

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.commerce.models import FollowUpOptOut
from kefu.kit.clock import utcnow


def _signature(key: str, payload: str) -> str:
    digest = hmac.new(key.encode(), f"unsubscribe:{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:20]).decode().rstrip("=")


def make_token(customer_id: int, store_id: int, *, key: str) -> str:
    payload = f"{customer_id}.{store_id}"
    return f"{payload}.{_signature(key, payload)}"


def read_token(token: str, *, key: str) -> tuple[int, int] | None:
    """(customer id, store id) of a genuine token; None for anything else."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    payload = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(parts[2], _signature(key, payload)):
        return None
    return int(parts[0]), int(parts[1])


def is_opted_out(session: Session, *, customer_id: int, store_id: int) -> bool:
    return session.get(FollowUpOptOut, (customer_id, store_id)) is not None


def opted_out_ids(session: Session, store_id: int, customer_ids: list[int]) -> set[int]:
    if not customer_ids:
        return set()
    statement = select(FollowUpOptOut.customer_id).where(
        FollowUpOptOut.store_id == store_id, FollowUpOptOut.customer_id.in_(customer_ids)
    )
    return set(session.scalars(statement))


def opt_out(session: Session, *, customer_id: int, store_id: int) -> bool:
    """Record the opt-out (once); True when it is new."""
    if is_opted_out(session, customer_id=customer_id, store_id=store_id):
        return False
    session.add(FollowUpOptOut(customer_id=customer_id, store_id=store_id, created_at=utcnow()))
    session.flush()
    return True
