"""The Redis broadcast backend: pub/sub between processes, presence in hashes.

Each process (each event loop, in fact) holds one pattern subscription to every kefu channel
and fans messages out to its local subscribers, so a thousand open pages cost one Redis
connection per process, not a thousand. Sync callers publish through a plain redis client.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterator
from datetime import datetime

import redis
import redis.asyncio as aioredis

from kefu.kit.broadcast import Broadcast, LiveUnavailable, Message

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 5
RETRY_MAX_SECONDS = 10


@contextlib.contextmanager
def _reachable() -> Iterator[None]:
    try:
        yield
    except redis.RedisError as exc:
        raise LiveUnavailable(f"live updates are unavailable: {exc}") from exc


class _Reader:
    """One event loop's pattern subscription: reads every kefu message, hands it on."""

    def __init__(self, broadcast: "RedisBroadcast", loop: asyncio.AbstractEventLoop) -> None:
        self.broadcast = broadcast
        self.loop = loop
        self.client = aioredis.Redis.from_url(
            broadcast.url,
            decode_responses=True,
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        )
        self.pubsub = self.client.pubsub()
        self.ready = asyncio.Event()  # the subscription is confirmed
        self.settled = asyncio.Event()  # the first attempt has succeeded or failed
        self.last_error: str | None = None
        self.task = loop.create_task(self._run(), name="kefu-broadcast-reader")

    async def _run(self) -> None:
        delay = 0.5
        pattern = self.broadcast.prefix + "*"
        while True:
            try:
                await self.pubsub.psubscribe(pattern)
                async for raw in self.pubsub.listen():
                    if raw["type"] == "psubscribe":
                        delay, self.last_error = 0.5, None
                        self.ready.set()
                        self.settled.set()
                    elif raw["type"] == "pmessage":
                        self._hand_on(raw["channel"], raw["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Redis restarted or the network blinked: pages keep their last state
                # and catch up with the next message once we are back.
                log.warning("live updates: Redis subscription lost (%s); retrying", exc)
                self.last_error = str(exc) or type(exc).__name__
                self.settled.set()
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_SECONDS)

    def _hand_on(self, channel: str, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            log.warning("live updates: ignoring a malformed message on %s", channel)
            return
        local = channel.removeprefix(self.broadcast.prefix)
        self.broadcast._deliver(local, message, loop=self.loop)

    async def wait_ready(self) -> None:
        """Until the subscription is confirmed, so nothing published after it is missed;
        LiveUnavailable at once while Redis is known to be unreachable."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.settled.wait(), CONNECT_TIMEOUT_SECONDS)
        if not self.ready.is_set() or self.last_error is not None:
            reason = self.last_error or "Redis did not answer"
            raise LiveUnavailable(f"live updates are unavailable: {reason}")

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.task
        with contextlib.suppress(Exception):
            await self.pubsub.aclose()
        with contextlib.suppress(Exception):
            await self.client.aclose()


class RedisBroadcast(Broadcast):
    def __init__(self, url: str, *, prefix: str = "kefu:live:") -> None:
        super().__init__()
        self.url = url
        self.prefix = prefix
        self._sync = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=CONNECT_TIMEOUT_SECONDS,
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        )
        self._readers: dict[asyncio.AbstractEventLoop, _Reader] = {}

    async def _reader(self) -> _Reader:
        loop = asyncio.get_running_loop()
        with self._lock:
            reader = self._readers.get(loop)
            if reader is None:
                reader = self._readers[loop] = _Reader(self, loop)
        await reader.wait_ready()
        return reader

    async def _listen(self, loop: asyncio.AbstractEventLoop) -> None:
        await self._reader()

    async def _stop_listening(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._lock:
            reader = self._readers.pop(loop, None)
        if reader is not None:
            await reader.close()

    async def publish(self, channel: str, message: Message) -> None:
        reader = await self._reader()
        with _reachable():
            await reader.client.publish(self.prefix + channel, json.dumps(message))

    def publish_sync(self, channel: str, message: Message) -> None:
        with _reachable():
            self._sync.publish(self.prefix + channel, json.dumps(message))

    def _presence_key(self, group: str) -> str:
        return f"{self.prefix}presence:{group}"

    def touch_presence(
        self, group: str, member: str, value: Message, *, now: datetime, ttl_seconds: int
    ) -> None:
        key = self._presence_key(group)
        entry = json.dumps({**value, "seen_at": now.timestamp()})
        with _reachable():
            pipe = self._sync.pipeline()
            pipe.hset(key, member, entry)
            # The hash outlives its newest entry a little; stale entries are skipped on read.
            pipe.expire(key, ttl_seconds * 2)
            pipe.execute()

    def drop_presence(self, group: str, member: str) -> None:
        with _reachable():
            self._sync.hdel(self._presence_key(group), member)

    def presence(self, group: str, *, now: datetime, ttl_seconds: int) -> dict[str, Message]:
        key = self._presence_key(group)
        oldest = now.timestamp() - ttl_seconds
        with _reachable():
            raw: dict[str, str] = self._sync.hgetall(key)  # type: ignore[assignment]
        present, stale = {}, []
        for member, entry in raw.items():
            try:
                value = json.loads(entry)
            except ValueError:
                stale.append(member)
                continue
            if value.get("seen_at", 0) < oldest:
                stale.append(member)
            else:
                present[member] = value
        if stale:
            with _reachable():
                self._sync.hdel(key, *stale)
        return present

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._sync.close()
