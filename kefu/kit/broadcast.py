"""Real-time broadcast: a message published on a channel reaches every subscriber, in every
process when Redis is configured; plus short-lived presence entries that expire on their own.

`make_broadcast(redis_url)` gives the in-memory backend (one process) or the Redis one
(pub/sub and hashes, so N web processes and `kefu worker` reach each other). Publish from
async code with `await publish()`, from any thread with `publish_sync()`; subscribe with
`async with broadcast.subscribe("agent:3", "ticket:12") as subscription: async for ...`.
Messages are small JSON-able dicts: snapshots to show, never state to rely on.
"""

import asyncio
import contextlib
import logging
import threading
import weakref
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kefu.errors import KefuError

log = logging.getLogger(__name__)

Message = dict[str, Any]
PENDING_KEY = "kefu.pending_broadcasts"
QUEUE_SIZE = 100


class LiveUnavailable(KefuError):
    """The broadcast backend (Redis) cannot be reached; live updates pause, nothing is lost."""

    status = 503
    code = "live_unavailable"


class _End:
    """Put in a subscription's queue when the broadcast closes in its event loop."""


_END = _End()


class Subscription:
    """(channel, message) pairs from the subscribed channels, in order, until the broadcast
    closes. A consumer that falls QUEUE_SIZE messages behind loses the oldest ones."""

    def __init__(self, channels: tuple[str, ...], loop: asyncio.AbstractEventLoop) -> None:
        self.channels = channels
        self.loop = loop
        self._queue: asyncio.Queue[tuple[str, Message] | _End] = asyncio.Queue(QUEUE_SIZE)

    def __aiter__(self) -> "Subscription":
        return self

    async def __anext__(self) -> tuple[str, Message]:
        item = await self._queue.get()
        if isinstance(item, _End):
            self._queue.put_nowait(item)  # stays ended for a second reader
            raise StopAsyncIteration
        return item

    async def receive(self, timeout: float | None = None) -> tuple[str, Message] | None:
        """The next message, or None when the broadcast closed or `timeout` seconds passed."""
        try:
            return await asyncio.wait_for(self.__anext__(), timeout)
        except (StopAsyncIteration, TimeoutError):
            return None

    def offer(self, item: tuple[str, Message] | _End) -> None:
        """Queue an item; runs in the subscription's own event loop."""
        if self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(item)


class Broadcast(ABC):
    """Subscriptions of this process, in any of its event loops, and the backend's hooks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: set[Subscription] = set()
        self._closed_loops: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()

    # -- publishing -----------------------------------------------------------------------

    @abstractmethod
    async def publish(self, channel: str, message: Message) -> None: ...

    @abstractmethod
    def publish_sync(self, channel: str, message: Message) -> None:
        """Publish from a thread without an event loop (a request in the threadpool, a job)."""

    # -- presence: entries that vanish ttl seconds after their last touch ------------------

    @abstractmethod
    def touch_presence(
        self, group: str, member: str, value: Message, *, now: datetime, ttl_seconds: int
    ) -> None: ...

    @abstractmethod
    def drop_presence(self, group: str, member: str) -> None: ...

    @abstractmethod
    def presence(self, group: str, *, now: datetime, ttl_seconds: int) -> dict[str, Message]:
        """Members touched within the last ttl_seconds (by `now`), each value with `seen_at`
        (POSIX seconds) added."""

    # -- subscribing ----------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def subscribe(self, *channels: str) -> AsyncIterator[Subscription]:
        loop = asyncio.get_running_loop()
        if loop not in self._closed_loops:
            await self._listen(loop)
        subscription = Subscription(channels, loop)
        with self._lock:
            is_closed = loop in self._closed_loops
            if not is_closed:
                self._subscriptions.add(subscription)
        if is_closed:
            subscription.offer(_END)
        try:
            yield subscription
        finally:
            with self._lock:
                self._subscriptions.discard(subscription)

    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscriptions)

    def _deliver(
        self,
        channel: str,
        message: Message,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        """Hand a message to the local subscribers of `channel` (only `loop`'s, if given).
        Safe from any thread: each subscription is fed in its own event loop."""
        with self._lock:
            targets = [
                s
                for s in self._subscriptions
                if channel in s.channels and (loop is None or s.loop is loop)
            ]
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        for subscription in targets:
            if subscription.loop is running:
                subscription.offer((channel, message))
            else:
                with contextlib.suppress(RuntimeError):  # that loop has just closed
                    subscription.loop.call_soon_threadsafe(subscription.offer, (channel, message))

    async def _listen(self, loop: asyncio.AbstractEventLoop) -> None:
        """Make sure messages for this loop's subscribers arrive (the Redis reader)."""
        return

    async def end_subscriptions(self) -> None:
        """End every subscription of the running event loop and refuse new ones there.

        Called when the server shuts down, before it waits for open connections: each event
        stream then finishes, so an agent's open page does not hold a restart."""
        loop = asyncio.get_running_loop()
        with self._lock:
            self._closed_loops.add(loop)
            ending = [s for s in self._subscriptions if s.loop is loop]
        for subscription in ending:
            subscription.offer(_END)
        await self._stop_listening(loop)

    async def _stop_listening(self, loop: asyncio.AbstractEventLoop) -> None:
        return None

    def close(self) -> None:  # noqa: B027 (a backend without connections has nothing to do)
        """Release what the process holds (connections); called when the runtime stops."""


class MemoryBroadcast(Broadcast):
    """One process: publishing hands the message straight to the local subscribers.

    `kefu worker` in its own process cannot reach the web process this way: run with Redis
    when jobs run elsewhere (docs/scale-out.md)."""

    def __init__(self) -> None:
        super().__init__()
        self._presence: dict[str, dict[str, Message]] = {}

    async def publish(self, channel: str, message: Message) -> None:
        self._deliver(channel, message)

    def publish_sync(self, channel: str, message: Message) -> None:
        self._deliver(channel, message)

    def touch_presence(
        self, group: str, member: str, value: Message, *, now: datetime, ttl_seconds: int
    ) -> None:
        with self._lock:
            self._presence.setdefault(group, {})[member] = {**value, "seen_at": now.timestamp()}

    def drop_presence(self, group: str, member: str) -> None:
        with self._lock:
            self._presence.get(group, {}).pop(member, None)

    def presence(self, group: str, *, now: datetime, ttl_seconds: int) -> dict[str, Message]:
        oldest = now.timestamp() - ttl_seconds
        with self._lock:
            members = self._presence.get(group, {})
            for member in [m for m, v in members.items() if v["seen_at"] < oldest]:
                del members[member]
            if not members:
                self._presence.pop(group, None)
            return {m: dict(v) for m, v in members.items()}


def make_broadcast(redis_url: str | None, *, prefix: str = "kefu:live:") -> Broadcast:
    """The process's broadcast; builds objects only: nothing connects until first use."""
    if redis_url:
        from kefu.kit.broadcast_redis import RedisBroadcast

        return RedisBroadcast(redis_url, prefix=prefix)
    return MemoryBroadcast()


def publish_after_commit(session: Session, channel: str, message: Message) -> None:
    """Publish once the session's transaction commits, so no page is told about a change that
    then failed to save (a rolled-back unit of work drops its session, and these with it)."""
    session.info.setdefault(PENDING_KEY, []).append((channel, message))


def publish_pending(broadcast: Broadcast, session: Session) -> None:
    """The after-commit hook: publish what the transaction queued. A failure is logged,
    never raised: the commit stands and the pages catch up on their next refresh."""
    for channel, message in session.info.pop(PENDING_KEY, []):
        try:
            broadcast.publish_sync(channel, message)
        except Exception:
            log.warning("could not publish a live update on %s", channel, exc_info=True)
