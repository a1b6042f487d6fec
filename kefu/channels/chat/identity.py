"""Signed shopper identity: the store vouches for a logged-in customer.

The store's server signs `base64url(JSON payload)` with the widget's secret (HMAC-SHA256, hex)
and puts `<payload>.<signature>` in the script tag's `data-identity`. The payload:
{"id": "store customer id", "email": "…", "name": "…", "exp": unix seconds}. kefu checks
the signature in constant time and refuses an expired or malformed token, so a shopper cannot
claim to be someone else by editing the page."""

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime

from kefu.errors import InvalidInput
from kefu.kit.i18n import gettext as _

MAX_TOKEN_CHARS = 4000
MAX_LIFETIME_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True, slots=True)
class Identity:
    external_id: str
    email: str | None
    name: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signature(secret: str, payload_b64: str) -> str:
    return hmac.new(secret.encode("utf-8"), payload_b64.encode("ascii"), hashlib.sha256).hexdigest()


def sign_identity(
    secret: str,
    *,
    external_id: str,
    expires_at: datetime,
    email: str | None = None,
    name: str | None = None,
) -> str:
    """What a store's server computes (docs/chat-widget.md shows it in PHP and Node too)."""
    payload = {"id": external_id, "exp": int(expires_at.timestamp())}
    if email:
        payload["email"] = email
    if name:
        payload["name"] = name
    encoded = _b64(json.dumps(payload, separators=(",", ":")).encode("utf-8"))
    return f"{encoded}.{signature(secret, encoded)}"


def verify_identity(secret: str, token: str, *, now: datetime) -> Identity:
    """The identity a token vouches for; InvalidInput when it is forged, expired or malformed."""
    if len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
        raise InvalidInput(_("the identity token is malformed"))
    encoded, given = token.split(".")
    expected = signature(secret, encoded)
    if not hmac.compare_digest(expected, given.lower()):
        raise InvalidInput(_("the identity token's signature does not match"))
    try:
        payload = json.loads(_unb64(encoded))
        external_id = str(payload["id"]).strip()
        expires = int(payload["exp"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(_("the identity token is malformed")) from exc
    if not external_id or len(external_id) > 200:
        raise InvalidInput(_("the identity token is malformed"))
    if expires < now.timestamp():
        raise InvalidInput(_("the identity token has expired"))
    if expires > now.timestamp() + MAX_LIFETIME_SECONDS:
        raise InvalidInput(_("the identity token is valid for too long (at most 7 days)"))
    email = payload.get("email")
    name = payload.get("name")
    return Identity(
        external_id=external_id,
        email=str(email).strip()[:320] if email else None,
        name=str(name).strip()[:200] if name else "",
    )
