"""Abuse limits for the widget: how fast one visitor may send, kept per process.

A token bucket per visitor: BURST messages at once, then one every REFILL_SECONDS. A visitor's
socket lives on one process at a time, so a per-process bucket bounds them; buckets of
visitors not seen for IDLE_SECONDS are forgotten so the map stays small."""

import threading
import time
from dataclasses import dataclass

BURST = 10
REFILL_SECONDS = 2.0
IDLE_SECONDS = 600.0
MAX_FRAME_BYTES = 64 * 1024


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    def __init__(self, *, burst: int = BURST, refill_seconds: float = REFILL_SECONDS) -> None:
        self.burst = burst
        self.refill_seconds = refill_seconds
        self._buckets: dict[int, _Bucket] = {}
        self._lock = threading.Lock()
        self._last_sweep = 0.0

    def take(self, visitor_id: int, *, now: float | None = None) -> float:
        """0 when the visitor may send now (one token taken), else the seconds to wait."""
        at = time.monotonic() if now is None else now
        with self._lock:
            self._sweep(at)
            bucket = self._buckets.get(visitor_id)
            if bucket is None:
                bucket = self._buckets[visitor_id] = _Bucket(float(self.burst), at)
            bucket.tokens = min(
                float(self.burst), bucket.tokens + (at - bucket.at) / self.refill_seconds
            )
            bucket.at = at
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) * self.refill_seconds

    def _sweep(self, at: float) -> None:
        if at - self._last_sweep < IDLE_SECONDS:
            return
        self._last_sweep = at
        stale = [v for v, b in self._buckets.items() if at - b.at > IDLE_SECONDS]
        for visitor_id in stale:
            del self._buckets[visitor_id]
