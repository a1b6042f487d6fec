"""Live chat: 1,000 concurrent widget websockets on one kefu process, delivery latency.

One `kefu serve` process (SQLite, in-memory broadcast, its worker in process) on loopback;
this process opens N widget connections with the `websockets` client (each a new visitor:
hello → welcome) and keeps them all open while it measures:

* shopper → chat: a message sent on a socket until its entry comes back on that socket
  (stored through ingest, committed, published, relayed in seq order), every connection
  sending in turn at a fixed offered rate;
* agent → shopper: an agent's reply posted with the JSON API until the entry reaches the
  shopper's socket (the `message.added` handler in the worker, then the broadcast).

    python -m bench.chat_widget [--connections 1000] [--rate 20] [--replies 200] [--only]
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx
from websockets.asyncio.client import ClientConnection, connect

from bench.harness import write_section
from kefu.accounts.auth import create_api_token
from kefu.accounts.schemas import AgentCreate
from kefu.accounts.service import actor_for, create_agent
from kefu.channels.chat import widgets
from kefu.channels.chat.schemas import WidgetIn
from kefu.kit.actor import Actor
from kefu.migrate import upgrade
from kefu.permissions import Role
from kefu.runtime import open_database
from tests.channels.chat.kefu_pair import start_kefu, stop_kefu

HEADING = "## Live chat widget"
SECRET_KEY = "bench-secret-key-" + "x" * 32
AGENT_PASSWORD = "bench password 1"  # noqa: S105 (a throwaway database)
OPEN_AT_ONCE = 50  # handshakes in flight while connecting


@dataclass
class Visitor:
    ws: ClientConnection
    number: int
    chat_id: int | None = None
    ticket_id: int | None = None
    waiting: dict[str, asyncio.Future[float]] = field(default_factory=dict)
    agent_waiting: dict[str, asyncio.Future[float]] = field(default_factory=dict)


@dataclass
class Result:
    connections: int
    connect_seconds: float
    rate: float
    shopper_ms: list[float]
    agent_ms: list[float]
    lost: int
    server_rss_mb: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]


def prepare(workdir: Path) -> tuple[str, str, str]:
    """A migrated SQLite database with a widget and an agent: (url, widget key, API token)."""
    url = f"sqlite:///{workdir / 'kefu.db'}"
    database = open_database(url)
    upgrade(database)
    with database.unit_of_work(actor=Actor.system()) as session:
        widget, _secret = widgets.create_widget(
            session,
            actor=Actor.system(),
            data=WidgetIn(name="Bench shop", offline_when_nobody_online=False),
            key=SECRET_KEY,
        )
        agent = create_agent(
            session,
            actor=Actor.system(),
            data=AgentCreate(
                name="Ada", email="ada@bench.example", password=AGENT_PASSWORD, role=Role.AGENT
            ),
        )
        _row, token = create_api_token(session, actor=actor_for(agent), name="bench")
        key = widget.public_key
    database.dispose()
    return url, key, token


async def reader(visitor: Visitor) -> None:
    """Resolves the futures of the visitor's sent messages and awaited agent replies."""
    async for raw in visitor.ws:
        frame = json.loads(raw)
        if frame["type"] == "chat":
            visitor.chat_id = frame["chat"]["id"]
        elif frame["type"] == "entry":
            key = frame.get("client_id") or frame["body"]
            pending = visitor.waiting.pop(key, None) or visitor.agent_waiting.pop(key, None)
            if pending is not None and not pending.done():
                pending.set_result(time.perf_counter())


async def open_visitor(url: str, number: int, gate: asyncio.Semaphore) -> Visitor:
    async with gate:
        ws = await connect(url, origin="https://shop.example", max_queue=None)  # type: ignore[arg-type]
        await ws.send(json.dumps({"type": "hello", "visitor": None, "last_seq": 0}))
        welcome = json.loads(await ws.recv())
        assert welcome["type"] == "welcome", welcome
        return Visitor(ws=ws, number=number)


async def send_and_wait(visitor: Visitor, client_id: str, body: str) -> float:
    """Milliseconds from sending until the message's entry is back on the socket."""
    future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
    visitor.waiting[client_id] = future
    started = time.perf_counter()
    await visitor.ws.send(json.dumps({"type": "message", "client_id": client_id, "body": body}))
    async with asyncio.timeout(120):
        arrived = await future
    return (arrived - started) * 1000


async def round_of_messages(visitors: list[Visitor], rate: float, tag: str) -> list[float]:
    """Every visitor sends one message; the sends start `1 / rate` seconds apart."""
    order = list(visitors)
    random.shuffle(order)
    tasks = []
    for index, visitor in enumerate(order):
        body = f"{tag} message from visitor {visitor.number}: is the blue one in stock?"
        tasks.append(asyncio.create_task(send_and_wait(visitor, f"{tag}-{visitor.number}", body)))
        await asyncio.sleep(1 / rate)
        if index % 200 == 199:
            print(f"  {tag}: {index + 1} sent", flush=True)
    return list(await asyncio.gather(*tasks))


async def agent_replies(
    base: str, token: str, visitors: list[Visitor], count: int, concurrency: int = 10
) -> list[float]:
    """Replies posted with the API until each reaches its shopper's socket (ms)."""
    headers = {"Authorization": f"Bearer {token}"}
    gate = asyncio.Semaphore(concurrency)
    chosen = random.sample(visitors, min(count, len(visitors)))

    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as client:
        tickets = {}
        for chat in (await client.get("/api/v1/chats")).json():
            tickets[chat["id"]] = chat["ticket_id"]

        async def one(visitor: Visitor) -> float:
            async with gate:
                body = f"Agent reply to visitor {visitor.number}: yes, it is."
                future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
                visitor.agent_waiting[body] = future
                started = time.perf_counter()
                assert visitor.chat_id is not None
                response = await client.post(
                    f"/api/v1/tickets/{tickets[visitor.chat_id]}/messages",
                    json={"body_text": body},
                )
                response.raise_for_status()
                async with asyncio.timeout(120):
                    arrived = await future
                return (arrived - started) * 1000

        return list(await asyncio.gather(*(one(v) for v in chosen)))


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


async def measure_async(base: str, key: str, token: str, pid: int, args: Any) -> Result:
    url = base.replace("http", "ws", 1) + f"/chat/ws?widget={key}"
    load_before = os.getloadavg()
    gate = asyncio.Semaphore(OPEN_AT_ONCE)
    started = time.perf_counter()
    visitors = list(
        await asyncio.gather(*(open_visitor(url, n, gate) for n in range(args.connections)))
    )
    connect_seconds = time.perf_counter() - started
    print(f"  {len(visitors)} connections open in {connect_seconds:.1f} s", flush=True)
    readers = [asyncio.create_task(reader(v)) for v in visitors]
    try:
        # the first round opens every chat (and its ticket); the second is the steady state
        await round_of_messages(visitors, args.rate, "first")
        shopper_ms = await round_of_messages(visitors, args.rate, "second")
        agent_ms = await agent_replies(base, token, visitors, args.replies)
        open_now = sum(1 for v in visitors if v.ws.state.name == "OPEN")
        rss = rss_mb(pid)
    finally:
        for task in readers:
            task.cancel()
        await asyncio.gather(*(v.ws.close() for v in visitors), return_exceptions=True)
    return Result(
        connections=len(visitors),
        connect_seconds=connect_seconds,
        rate=args.rate,
        shopper_ms=shopper_ms,
        agent_ms=agent_ms,
        lost=len(visitors) - open_now,
        server_rss_mb=rss,
        load_before=load_before,
        load_after=os.getloadavg(),
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def section(result: Result) -> list[str]:
    def row(what: str, values: list[float]) -> str:
        return (
            f"| {what} | {len(values):,} | {statistics.median(values):.0f} | "
            f"{percentile(values, 0.99):.0f} | {max(values):.0f} |"
        )

    load = "/".join(f"{x:.1f}" for x in result.load_after)
    before = "/".join(f"{x:.1f}" for x in result.load_before)
    return [
        HEADING,
        "",
        f"`python -m bench.chat_widget`: {result.connections:,} widget websockets held open at "
        f"once on **one** `kefu serve` process (SQLite, in-memory broadcast, worker in "
        f"process) on loopback; the client is one Python process with the `websockets` "
        f"library on the same machine. Connecting them all (hello → welcome, a new visitor "
        f"each) took {result.connect_seconds:.1f} s; the server held {result.server_rss_mb:.0f} "
        f"MB RSS; connections dropped: {result.lost}. Load average (1/5/15 min) before "
        f"{before}, after {load} (2 cores shared with other work).",
        "",
        f"Each connection sent one message after another at {result.rate:g} messages/s "
        f"offered (every socket in turn; the first round opened the chats and tickets, the "
        f"second is measured): *shopper → chat* is from the send until the message's entry "
        f"came back on the socket (ingest, commit, broadcast, relay in seq order). *agent → "
        f"shopper* is an agent's reply posted with the JSON API until its entry reached the "
        f"shopper's socket (the `message.added` handler in the worker, then the broadcast).",
        "",
        "| path | messages | p50 ms | p99 ms | max ms |",
        "|---|---|---|---|---|",
        row("shopper → chat (send to entry on the socket)", result.shopper_ms),
        row("agent → shopper (API reply to entry on the socket)", result.agent_ms),
    ]


def measure(args: Any) -> Result:
    """Prepare a database, start one kefu process on it, measure, stop it."""
    with tempfile.TemporaryDirectory(prefix="kefu-chat-bench-") as tmp:
        workdir = Path(tmp)
        url, key, token = prepare(workdir)
        base, process = start_kefu(
            database_url=url, data_dir=workdir / "data", secret_key=SECRET_KEY, redis_url=None
        )
        try:
            return asyncio.run(measure_async(base, key, token, process.pid, args))
        finally:
            stop_kefu(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=20.0, help="messages/s offered")
    parser.add_argument("--replies", type=int, default=200)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--only", action="store_true", help="print; don't write the report")
    args = parser.parse_args()
    random.seed(args.seed)
    result = measure(args)
    lines = section(result)
    print("\n".join(lines))
    if not args.only:
        write_section(HEADING, lines)


if __name__ == "__main__":
    main()
