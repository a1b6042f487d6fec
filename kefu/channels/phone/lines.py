"""Phone lines: set up by admins, the auth token encrypted at rest, the webhook URLs to paste
into the provider."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.channels.phone.models import PhoneLine
from kefu.channels.phone.numbers import region_of, to_e164
from kefu.channels.phone.schemas import PhoneLineCreate, PhoneLineFields, PhoneLineRead
from kefu.errors import Conflict, InvalidInput, NotFound
from kefu.kit import secretbox
from kefu.kit.actor import Actor
from kefu.permissions import require
from kefu.runtime import instance_key

# The provider calls these, one per step of a call (docs/phone.md says which goes where).
ENDPOINTS = ("voice", "dial", "recording", "transcription", "status")
PERMISSION = "settings.manage"


def webhook_url(base_url: str, line: PhoneLine, endpoint: str) -> str:
    return f"{base_url.rstrip('/')}/api/phone/twilio/{line.webhook_key}/{endpoint}"


def line_read(line: PhoneLine, *, base_url: str) -> PhoneLineRead:
    return PhoneLineRead.model_validate(
        {
            **{c: getattr(line, c) for c in _READ_COLUMNS},
            "has_auth_token": bool(line.auth_token_enc),
            "webhook_urls": {e: webhook_url(base_url, line, e) for e in ENDPOINTS},
        }
    )


_READ_COLUMNS = (
    "id",
    "name",
    "number",
    "provider",
    "account_sid",
    "team_id",
    "forward_to",
    "ring_seconds",
    "voicemail_greeting",
    "is_active",
    "last_call_at",
)


def list_lines(session: Session, *, actor: Actor) -> list[PhoneLine]:
    require(actor, PERMISSION)
    return list(session.scalars(select(PhoneLine).order_by(PhoneLine.name, PhoneLine.id)))


def get_line(session: Session, line_id: int) -> PhoneLine:
    line = session.get(PhoneLine, line_id)
    if line is None:
        raise NotFound(f"phone line {line_id} not found")
    return line


def line_by_key(session: Session, webhook_key: str) -> PhoneLine | None:
    return session.scalar(select(PhoneLine).where(PhoneLine.webhook_key == webhook_key))


def line_by_number(session: Session, number: str) -> PhoneLine | None:
    return session.scalar(select(PhoneLine).where(PhoneLine.number == number))


def first_active_line(session: Session) -> PhoneLine | None:
    return session.scalar(
        select(PhoneLine).where(PhoneLine.is_active.is_(True)).order_by(PhoneLine.id).limit(1)
    )


def default_region(session: Session) -> str | None:
    """The country of the first active line: national numbers typed by agents are read as
    numbers of the store's own country."""
    line = first_active_line(session)
    return region_of(line.number) if line is not None else None


def auth_token(line: PhoneLine, *, key: str | None = None) -> str:
    """The decrypted token (SecretUnreadable when the instance key changed since)."""
    return (
        secretbox.decrypt(line.auth_token_enc, key=instance_key(key)) if line.auth_token_enc else ""
    )


def create_line(
    session: Session, *, actor: Actor, data: PhoneLineCreate, key: str | None = None
) -> PhoneLine:
    require(actor, PERMISSION)
    line = PhoneLine(
        name="",
        number="",
        provider="twilio",
        account_sid="",
        webhook_key=secrets.token_urlsafe(18),
        ring_seconds=20,
        voicemail_greeting="",
        is_active=True,
    )
    _apply(session, line, data, key=instance_key(key))
    session.add(line)
    session.flush()
    return line


def update_line(
    session: Session,
    *,
    actor: Actor,
    line_id: int,
    data: PhoneLineFields,
    key: str | None = None,
) -> PhoneLine:
    require(actor, PERMISSION)
    line = get_line(session, line_id)
    _apply(session, line, data, key=instance_key(key))
    session.flush()
    return line


def _apply(session: Session, line: PhoneLine, data: PhoneLineFields, *, key: str) -> None:
    """Checks every value first, then writes: a refusal changes nothing."""
    sent = data.model_dump(exclude_unset=True)
    values: dict[str, Any] = {}
    for field, value in sent.items():
        if field == "auth_token":
            if value:  # empty: keep the stored token
                values["auth_token_enc"] = secretbox.encrypt(value.strip(), key=key)
        elif field == "number":
            values["number"] = to_e164(value)
        elif field == "forward_to":
            region = region_of(values.get("number") or line.number)
            values["forward_to"] = to_e164(value, region=region) if value else None
        elif field == "team_id":
            if value is not None:
                try:
                    accounts.get_team(session, value)
                except NotFound as exc:
                    raise InvalidInput(f"team {value} does not exist") from exc
            values["team_id"] = value
        elif field in ("name", "account_sid", "voicemail_greeting"):
            values[field] = (value or "").strip()
        elif value is not None:
            values[field] = value
    number = values.get("number")
    if number and number != line.number:
        other = line_by_number(session, number)
        if other is not None and other.id != line.id:
            raise Conflict(f"another phone line ({other.name}) already has the number {number}")
    for column, value in values.items():
        setattr(line, column, value)
