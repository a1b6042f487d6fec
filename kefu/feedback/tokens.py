"""Signed survey links: the survey's kind and id and an expiry, signed with the instance key
(HMAC-SHA256), so a link cannot be guessed, altered or used after it expires."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime


def _signature(key: str, payload: str) -> str:
    digest = hmac.new(key.encode(), f"survey:{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:20]).decode().rstrip("=")


def make_token(kind: str, survey_id: int, *, expires_at: datetime, key: str) -> str:
    """`kind` is "c" (CSAT) or "n" (NPS)."""
    payload = f"{kind}{survey_id}.{int(expires_at.timestamp())}"
    return f"{payload}.{_signature(key, payload)}"


def read_token(token: str, *, kind: str, key: str, now: datetime) -> int | None:
    """The survey id of a genuine, unexpired token of this kind; None for anything else."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].startswith(kind):
        return None
    number, expires = parts[0][len(kind) :], parts[1]
    if not number.isdigit() or not expires.isdigit():
        return None
    if not hmac.compare_digest(parts[2], _signature(key, f"{parts[0]}.{expires}")):
        return None
    if int(expires) < now.timestamp():
        return None
    return int(number)
