"""XOAUTH2 access tokens: the refresh-token grant against the provider's token endpoint.

Google (https://oauth2.googleapis.com/token) and Microsoft
(https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token) both take a form-encoded POST
`grant_type=refresh_token&refresh_token=…&client_id=…[&client_secret=…][&scope=…]` and answer
JSON `{"access_token", "expires_in", "token_type", ["refresh_token"], ["scope"]}`, or on
failure HTTP 400/401 with `{"error": "invalid_grant", "error_description": "…"}`. Microsoft
rotates the refresh token on every use; the new one must replace the old."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from kefu.errors import KefuError

TIMEOUT_SECONDS = 20.0
DEFAULT_LIFETIME_SECONDS = 3600
ADVICE = {
    "invalid_grant": "the refresh token was refused (expired, revoked, or issued to another "
    "client): sign in to the provider again and paste a new refresh token",
    "invalid_client": "the client id or client secret was refused: check them in the "
    "provider's app registration",
    "unauthorized_client": "this client may not use refresh tokens: check the app registration",
    "invalid_scope": "the scope was refused: use the scope the token was granted for, "
    "separated by spaces",
    "invalid_request": "the provider found the request malformed",
}


class TokenRefreshFailed(KefuError):
    """The token endpoint did not hand out an access token; `error` is the OAuth error code."""

    status = 502
    code = "oauth_refresh_failed"

    def __init__(self, message: str, *, error: str | None = None) -> None:
        super().__init__(message)
        self.error = error


@dataclass(frozen=True, slots=True)
class AccessToken:
    access_token: str
    expires_at: datetime
    refresh_token: str | None  # a rotated refresh token, when the provider sent one
    scope: str | None


def refresh_access_token(
    *,
    token_url: str,
    client_id: str,
    client_secret: str | None,
    refresh_token: str,
    scope: str | None,
    now: datetime,
    timeout: float = TIMEOUT_SECONDS,
) -> AccessToken:
    """One refresh-token grant; raises TokenRefreshFailed with the provider's own words."""
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id}
    if client_secret:
        form["client_secret"] = client_secret
    if scope:
        form["scope"] = scope
    request = urllib.request.Request(  # noqa: S310 - the schema checks https (http: loopback)
        token_url,
        data=urlencode(form).encode("ascii"),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TokenRefreshFailed(
            f"could not reach the token endpoint {token_url}: {reason}"
        ) from None
    return _token_from(status, body, token_url=token_url, now=now)


def _token_from(status: int, body: bytes, *, token_url: str, now: datetime) -> AccessToken:
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        text = body[:200].decode("utf-8", "replace").strip()
        raise TokenRefreshFailed(
            f"the token endpoint {token_url} answered HTTP {status} without JSON: {text!r}"
        )
    if status != 200 or "error" in answer:
        error = str(answer.get("error") or "")
        description = str(answer.get("error_description") or "").strip()
        said = f"{error}: {description}" if description else error or f"HTTP {status}"
        advice = ADVICE.get(error)
        message = f"token refresh refused ({said})" + (f"; {advice}" if advice else "")
        raise TokenRefreshFailed(message, error=error or None)
    access_token = answer.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise TokenRefreshFailed(f"the token endpoint {token_url} answered without access_token")
    try:
        lifetime = int(answer.get("expires_in", DEFAULT_LIFETIME_SECONDS))
    except (TypeError, ValueError):
        lifetime = DEFAULT_LIFETIME_SECONDS
    rotated = answer.get("refresh_token")
    scope = answer.get("scope")
    return AccessToken(
        access_token=access_token,
        expires_at=now + timedelta(seconds=max(lifetime, 0)),
        refresh_token=rotated if isinstance(rotated, str) and rotated else None,
        scope=scope if isinstance(scope, str) else None,
    )
