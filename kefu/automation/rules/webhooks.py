"""Outgoing webhooks: endpoints managers configure, and their deliveries — JSON signed with
HMAC-SHA256 over "<timestamp>.<body>", sent by a job after commit, retried with backoff on
a network failure, a timeout, 408, 429 or a 5xx, failed for good on another 4xx or after
the last attempt. Every attempt is kept on the delivery for the Webhooks tab."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx2 as httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kefu import __version__
from kefu.automation.rules.models import RuleWebhook, WebhookDelivery
from kefu.db import Database
from kefu.errors import Conflict, InvalidInput, NotFound
from kefu.kit import secretbox
from kefu.kit.actor import Actor
from kefu.permissions import require

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 6 * 3600
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
SIGNATURE_HEADER = "X-Kefu-Signature"
TIMESTAMP_HEADER = "X-Kefu-Timestamp"
RETRIED_STATUSES = (408, 429)


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    url: str = Field(min_length=8, max_length=1000)
    secret: str | None = Field(default=None, max_length=200)
    is_active: bool = True

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("the URL must start with https:// (or http://) and name a host")
        return value


def backoff_seconds(attempts: int) -> int:
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>." + body)."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def list_webhooks(session: Session) -> list[RuleWebhook]:
    return list(session.scalars(select(RuleWebhook).order_by(RuleWebhook.name)))


def get_webhook(session: Session, webhook_id: int) -> RuleWebhook:
    hook = session.get(RuleWebhook, webhook_id)
    if hook is None:
        raise NotFound(f"webhook {webhook_id} not found")
    return hook


def webhook_secret(hook: RuleWebhook, *, key: str) -> str:
    return secretbox.decrypt(hook.secret_enc, key=key)


def _unique_name(session: Session, name: str, webhook_id: int | None) -> None:
    clash = session.scalar(select(RuleWebhook.id).where(RuleWebhook.name == name))
    if clash is not None and clash != webhook_id:
        raise Conflict(f"a webhook is already named {name!r}")


def save_webhook(
    session: Session, *, actor: Actor, data: WebhookIn, key: str, webhook_id: int | None = None
) -> RuleWebhook:
    """Create or change a webhook; a new one without a secret gets a random one, a change
    without a secret keeps the old one."""
    require(actor, "rules.manage")
    _unique_name(session, data.name, webhook_id)
    hook = get_webhook(session, webhook_id) if webhook_id else None
    if hook is None:
        secret = data.secret or secrets.token_urlsafe(32)
        hook = RuleWebhook(secret_enc=secretbox.encrypt(secret, key=key))
        session.add(hook)
    elif data.secret:
        hook.secret_enc = secretbox.encrypt(data.secret, key=key)
    hook.name, hook.url, hook.is_active = data.name, data.url, data.is_active
    session.flush()
    return hook


def delete_webhook(session: Session, *, actor: Actor, webhook_id: int, used_by: list[str]) -> None:
    require(actor, "rules.manage")
    if used_by:
        raise Conflict(f"rules still call this webhook: {', '.join(used_by)}")
    session.delete(get_webhook(session, webhook_id))
    session.flush()


def recent_deliveries(session: Session, *, limit: int = 50) -> list[WebhookDelivery]:
    statement = select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)
    return list(session.scalars(statement))


def due_delivery_ids(session: Session, *, now: datetime, limit: int = 200) -> list[int]:
    statement = (
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.id)
        .limit(limit)
    )
    return list(session.scalars(statement))


def _take(database: Database, delivery_id: int, now: datetime, key: str) -> tuple | None:
    """Claim a due delivery (its next attempt pushed out, so a parallel sweep skips it) and
    read what to send."""
    with database.unit_of_work() as session:
        claimed = session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + timedelta(minutes=5))
        ).rowcount
        if not claimed:
            return None
        delivery = session.get_one(WebhookDelivery, delivery_id)
        hook = session.get(RuleWebhook, delivery.webhook_id)
        if hook is None or not hook.is_active:
            delivery.status, delivery.last_error = "failed", "the webhook is gone or switched off"
            return None
        return hook.url, webhook_secret(hook, key=key), delivery.body, delivery.attempts


def deliver(database: Database, delivery_id: int, *, key: str, now: datetime) -> str | None:
    """One attempt; returns the delivery's status after it (None when it was not due)."""
    taken = _take(database, delivery_id, now, key)
    if taken is None:
        return None
    url, secret, body, attempts = taken
    raw = body.encode("utf-8")
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"kefu/{__version__}",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, raw),
        "X-Kefu-Delivery": str(delivery_id),
    }
    status_code: int | None = None
    error = ""
    try:
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
            response = client.post(url, content=raw, headers=headers)
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}: {response.text[:300]}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    return _record(database, delivery_id, attempts + 1, status_code, error, now)


def _record(
    database: Database,
    delivery_id: int,
    attempts: int,
    status_code: int | None,
    error: str,
    now: datetime,
) -> str:
    with database.unit_of_work() as session:
        delivery = session.get_one(WebhookDelivery, delivery_id)
        delivery.attempts = attempts
        delivery.response_status = status_code
        delivery.last_error = error
        if not error:
            delivery.status, delivery.delivered_at = "delivered", now
        elif (
            status_code is not None
            and 400 <= status_code < 500
            and status_code not in RETRIED_STATUSES
        ) or attempts >= MAX_ATTEMPTS:
            delivery.status = "failed"
        else:
            delivery.next_attempt_at = now + timedelta(seconds=backoff_seconds(attempts))
        if error:
            log.warning("webhook delivery %s attempt %s: %s", delivery_id, attempts, error)
        return delivery.status


def retry_delivery(session: Session, *, actor: Actor, delivery_id: int, now: datetime) -> None:
    """A failed delivery goes back in the queue (a person asked, after fixing the endpoint)."""
    require(actor, "rules.manage")
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound(f"webhook delivery {delivery_id} not found")
    if delivery.status != "failed":
        raise InvalidInput("only a failed delivery can be retried")
    delivery.status, delivery.next_attempt_at, delivery.attempts = "pending", now, 0
    session.flush()
