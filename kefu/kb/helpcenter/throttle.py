"""Per-address limits for anonymous visitors (searches, votes, contact form), counted with
the `limits` library: in memory, or in Redis when configured so every process shares them."""

from __future__ import annotations

import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import Request

from kefu.errors import Throttled
from kefu.kit.i18n import N_

TOO_MANY = N_("Too many requests from your address. Please wait a moment and try again.")
LIMITS = {
    "search": "120/minute",
    "vote": "30/minute",
    "contact": "5/10minutes",
    "suggest": "120/minute",
}


class VisitorLimits:
    def __init__(self, *, redis_url: str | None) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(redis_url or "memory://"))
        self._items = {name: parse(value) for name, value in LIMITS.items()}

    def hit(self, what: str, address: str) -> None:
        """Count one request; Throttled (429) once the address used up its allowance."""
        item = self._items[what]
        if not self._limiter.hit(item, "kefu-helpcenter", what, address):
            reset_at = self._limiter.get_window_stats(item, "kefu-helpcenter", what, address)
            wait = max(1, int(reset_at.reset_time - time.time()) + 1)
            raise Throttled(TOO_MANY, retry_after_seconds=wait)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "-"


def limit(request: Request, what: str) -> None:
    state = request.app.state
    limits = getattr(state, "helpcenter_limits", None)
    if limits is None:
        limits = VisitorLimits(redis_url=state.runtime.settings.redis_url)
        state.helpcenter_limits = limits
    limits.hit(what, client_address(request))
