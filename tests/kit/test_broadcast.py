"""The broadcast layer on both backends: delivery, threads, processes, presence, shutdown."""

import asyncio
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from kefu.kit.broadcast import Broadcast, LiveUnavailable, MemoryBroadcast, make_broadcast
from kefu.kit.broadcast_redis import RedisBroadcast
from tests.live import run

T0 = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)


def redis_broadcast(url: str, prefix: str | None = None) -> RedisBroadcast:
    """A broadcast on its own key space, so tests sharing one Redis never see each other."""
    return RedisBroadcast(url, prefix=prefix or f"kefu-test:{uuid.uuid4().hex}:")


def test_subscriber_gets_its_channels_messages_in_order(broadcast: Broadcast) -> None:
    async def scenario() -> list[tuple[str, dict[str, object]]]:
        async with broadcast.subscribe("ticket:1", "agent:7") as subscription:
            await broadcast.publish("ticket:2", {"n": 0})  # not subscribed
            await broadcast.publish("ticket:1", {"n": 1})
            await broadcast.publish("agent:7", {"n": 2})
            got = [await subscription.receive(timeout=5) for _ in range(2)]
        await broadcast.end_subscriptions()
        return [g for g in got if g is not None]

    assert run(scenario()) == [("ticket:1", {"n": 1}), ("agent:7", {"n": 2})]


def test_publish_sync_from_a_worker_thread_reaches_the_loop(broadcast: Broadcast) -> None:
    async def scenario() -> tuple[str, dict[str, object]] | None:
        async with broadcast.subscribe("agent:3") as subscription:
            thread = threading.Thread(
                target=broadcast.publish_sync, args=("agent:3", {"unread": 2})
            )
            thread.start()
            got = await subscription.receive(timeout=5)
            thread.join()
        await broadcast.end_subscriptions()
        return got

    assert run(scenario()) == ("agent:3", {"unread": 2})


def test_ending_subscriptions_ends_open_streams_and_refuses_new_ones(
    broadcast: Broadcast,
) -> None:
    async def scenario() -> tuple[list[object], list[object]]:
        async with broadcast.subscribe("ticket:1") as open_one:
            await broadcast.end_subscriptions()
            ended = [m async for m in open_one]
        async with broadcast.subscribe("ticket:1") as late_one:
            refused = [m async for m in late_one]
        return ended, refused

    assert run(scenario()) == ([], [])
    assert broadcast.subscriber_count() == 0


def test_a_consumer_that_falls_behind_loses_the_oldest_messages() -> None:
    broadcast = MemoryBroadcast()

    async def scenario() -> list[int]:
        async with broadcast.subscribe("agent:1") as subscription:
            for n in range(150):
                await broadcast.publish("agent:1", {"n": n})
            await asyncio.sleep(0)  # hand-over runs on the loop
            await broadcast.end_subscriptions()
            return [int(m["n"]) async for _channel, m in subscription]  # type: ignore[call-overload]

    got = run(scenario())
    assert got == list(range(51, 150))  # queue of 100: the end marker took the last place


def test_presence_expires_without_a_goodbye(broadcast: Broadcast) -> None:
    # given Ada on ticket 5 at T0
    broadcast.touch_presence("ticket:5", "1", {"name": "Ada"}, now=T0, ttl_seconds=30)
    # then she is there 30 s later, and gone a second after that
    seen = broadcast.presence("ticket:5", now=T0 + timedelta(seconds=30), ttl_seconds=30)
    assert seen == {"1": {"name": "Ada", "seen_at": T0.timestamp()}}
    assert broadcast.presence("ticket:5", now=T0 + timedelta(seconds=31), ttl_seconds=30) == {}


def test_presence_heartbeat_renews_and_drop_removes_at_once(broadcast: Broadcast) -> None:
    broadcast.touch_presence("ticket:5", "1", {"name": "Ada"}, now=T0, ttl_seconds=30)
    broadcast.touch_presence("ticket:5", "2", {"name": "Bo"}, now=T0, ttl_seconds=30)
    later = T0 + timedelta(seconds=25)
    broadcast.touch_presence("ticket:5", "1", {"name": "Ada"}, now=later, ttl_seconds=30)
    broadcast.drop_presence("ticket:5", "2")
    at_40 = broadcast.presence("ticket:5", now=T0 + timedelta(seconds=40), ttl_seconds=30)
    assert list(at_40) == ["1"]
    assert broadcast.presence("ticket:6", now=T0, ttl_seconds=30) == {}


@pytest.mark.redis
def test_two_processes_reach_each_other_through_redis(redis_url: str) -> None:
    # given two broadcasts on one key space, standing for two kefu processes
    prefix = f"kefu-test:{uuid.uuid4().hex}:"
    web, worker = redis_broadcast(redis_url, prefix), redis_broadcast(redis_url, prefix)

    async def scenario() -> tuple[str, dict[str, object]] | None:
        async with web.subscribe("agent:9") as subscription:
            # when a job in the other process publishes from its thread
            await asyncio.to_thread(worker.publish_sync, "agent:9", {"unread": 4})
            got = await subscription.receive(timeout=5)
        await web.end_subscriptions()
        return got

    # then the web process's subscriber gets it, and both see the same presence
    assert run(scenario()) == ("agent:9", {"unread": 4})
    worker.touch_presence("ticket:1", "3", {"name": "Ada"}, now=T0, ttl_seconds=30)
    assert list(web.presence("ticket:1", now=T0, ttl_seconds=30)) == ["3"]
    web.close()
    worker.close()


def test_unreachable_redis_is_a_clear_refusal() -> None:
    broadcast = make_broadcast("redis://127.0.0.1:1/0")

    async def subscribe() -> None:
        try:
            async with broadcast.subscribe("agent:1"):
                pass
        finally:
            await broadcast.end_subscriptions()

    with pytest.raises(LiveUnavailable):
        broadcast.publish_sync("agent:1", {"unread": 1})
    with pytest.raises(LiveUnavailable):
        broadcast.presence("ticket:1", now=T0, ttl_seconds=30)
    with pytest.raises(LiveUnavailable):
        run(subscribe())
    broadcast.close()
