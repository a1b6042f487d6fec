"""One-shot messages carried across a redirect ("Reply sent", "3 tickets assigned").

The text rides in a short-lived cookie that the next rendered page shows and clears; it is
display text only (escaped like any other), so it needs no signature."""

import json
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

COOKIE = "kefu_flash"
Kind = Literal["success", "error", "info"]


@dataclass(frozen=True, slots=True)
class Flash:
    kind: str
    text: str


def flash(response: Response, text: str, kind: Kind = "success") -> Response:
    response.set_cookie(
        COOKIE,
        quote(json.dumps([kind, text[:500]])),
        max_age=60,
        httponly=True,
        samesite="lax",
        path="/",
    )
    return response


def redirect(url: str, text: str | None = None, kind: Kind = "success") -> RedirectResponse:
    """A 303 to `url`, with a message for the page it lands on."""
    response = RedirectResponse(url, status_code=303)
    if text:
        flash(response, text, kind)
    return response


def peek(request: Request) -> list[Flash]:
    """The pending message, if any (render() clears the cookie on the page that shows it)."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return []
    try:
        kind, text = json.loads(unquote(raw))
    except (ValueError, TypeError):
        return []
    if kind not in ("success", "error", "info") or not isinstance(text, str):
        return []
    return [Flash(kind=kind, text=text)]


def clear(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")
