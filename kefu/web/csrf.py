"""CSRF protection by signed double submit: the cookie holds a random value, forms and
HTMX requests echo HMAC(instance key, value). A forged request cannot know either."""

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from kefu.errors import KefuError

COOKIE = "kefu_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfFailed(KefuError):
    status = 403
    code = "csrf_failed"


def _sign(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{value}".encode(), hashlib.sha256).hexdigest()


def token_for(request: Request, secret: str) -> str:
    """The token to put in this page's forms (creating the cookie value if needed)."""
    value = request.cookies.get(COOKIE) or getattr(request.state, "new_csrf_cookie", None)
    if not value:
        value = secrets.token_urlsafe(24)
        request.state.new_csrf_cookie = value
    return _sign(secret, value)


def set_cookie_if_new(request: Request, response: Response, *, secure: bool) -> None:
    value = getattr(request.state, "new_csrf_cookie", None)
    if value:
        response.set_cookie(
            COOKIE,
            value,
            httponly=True,
            samesite="lax",
            secure=secure,
            max_age=60 * 60 * 24 * 30,
            path="/",
        )


async def verify(request: Request, secret: str) -> None:
    if request.method in SAFE_METHODS:
        return
    cookie = request.cookies.get(COOKIE)
    sent = request.headers.get(HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        field = form.get(FIELD)
        sent = field if isinstance(field, str) else None
    if not cookie or not sent or not hmac.compare_digest(sent, _sign(secret, cookie)):
        raise CsrfFailed(
            "The form expired or came from another site. Reload the page and try again."
        )
