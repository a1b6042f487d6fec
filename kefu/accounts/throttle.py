"""Sign-in throttling with the `limits` library: in memory by default, in Redis when set,
so every kefu process shares one count."""

import time

from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from kefu.errors import Throttled


class SignInThrottle:
    """Counts failed sign-ins per email and per address; refuses when either is used up."""

    def __init__(self, *, redis_url: str | None, attempts_per_minute: int) -> None:
        storage = storage_from_string(redis_url or "memory://")
        self._limiter = MovingWindowRateLimiter(storage)
        self._item = RateLimitItemPerMinute(attempts_per_minute)

    def _keys(self, email: str, ip: str | None) -> list[tuple[str, str]]:
        return [("kefu-signin-email", email.strip().lower()), ("kefu-signin-ip", ip or "-")]

    def check(self, *, email: str, ip: str | None) -> None:
        for key in self._keys(email, ip):
            if not self._limiter.test(self._item, *key):
                reset_at = self._limiter.get_window_stats(self._item, *key).reset_time
                wait = max(1, int(reset_at - time.time()) + 1)
                raise Throttled(
                    f"Too many failed sign-in attempts. Try again in {wait} seconds.",
                    retry_after_seconds=wait,
                )

    def failed(self, *, email: str, ip: str | None) -> None:
        for key in self._keys(email, ip):
            self._limiter.hit(self._item, *key)

    def clear(self, *, email: str) -> None:
        self._limiter.clear(self._item, *self._keys(email, None)[0])
