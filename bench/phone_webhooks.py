"""Phone webhook benchmark: signed Twilio-compatible callbacks through the whole app, on SQLite
and PostgreSQL, with 10,000 customers already known by phone.

python -m bench.phone_webhooks [--customers 10000] [--calls 300]
Writes the "## Phone webhooks" section of docs/benchmarks.md. Baseline from the same run and
database: the same request refused for its signature (401: routing, reading the form, finding
the line, decrypting its token, HMAC, rollback), so the ratio is what recording a call costs."""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from rich.progress import Progress

from bench.harness import REPORT, fresh_database, machine, percentiles, write_section
from bench.harness import timed_calls as timed
from kefu.app import create_app
from kefu.channels.phone import lines
from kefu.channels.phone.schemas import PhoneLineCreate
from kefu.config import Settings, secret_key
from kefu.customers import service as customers
from kefu.customers.schemas import CustomerCreate
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.runtime import start, stop

HEADING = "## Phone webhooks"
SYSTEM = Actor.system()
TOKEN = "bench-auth-token-0123456789"  # noqa: S105 (a test token)
WRONG = "wrong-token-0123456789"
BASE = "http://testserver"
BATCH = 500


@dataclass
class Timing:
    backend: str
    what: str
    p50_ms: float
    p95_ms: float
    baseline_p50_ms: float


def number(index: int) -> str:
    return f"+4477009{index:05d}"


def fill(database: Database, settings: Settings, count: int) -> str:
    """`count` customers with a phone number each, and the line; the line's webhook key."""
    with Progress(transient=True) as progress:
        task = progress.add_task(f"{count:,} customers", total=count)
        for start_at in range(0, count, BATCH):
            with database.unit_of_work(actor=SYSTEM) as session:
                for index in range(start_at, min(count, start_at + BATCH)):
                    data = CustomerCreate(name=f"Customer {index}", phones=[number(index)])
                    customers.create_customer(session, actor=SYSTEM, data=data)
            progress.advance(task, min(BATCH, count - start_at))
    with database.unit_of_work(actor=SYSTEM) as session:
        line = lines.create_line(
            session,
            actor=SYSTEM,
            data=PhoneLineCreate(name="Bench line", number="+14155550100", auth_token=TOKEN),
            key=secret_key(settings),
        )
        return line.webhook_key


def signed(path: str, params: dict[str, str], token: str = TOKEN) -> dict[str, str]:
    data = BASE + path + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": base64.b64encode(digest).decode(),
    }


def measure(backend: str, database: Database, workdir: Path, count: int, calls: int):
    settings = Settings(
        data_dir=workdir / f"data-{backend}",
        database_url=str(database.engine.url.render_as_string(hide_password=False)),
        secret_key="bench-secret-key-" + "x" * 32,
        worker_in_process=False,
        base_url=BASE,
    )
    runtime = start(settings, database=database)
    key = fill(database, settings, count)
    app = create_app(settings, runtime=runtime)
    timings: list[Timing] = []

    def post(endpoint: str, params: dict[str, str], *, token: str = TOKEN, status: int = 200):
        path = f"/api/phone/twilio/{key}/{endpoint}"
        response = client.post(path, content=urlencode(params), headers=signed(path, params, token))
        assert response.status_code == status, (endpoint, response.status_code, response.text)

    def call(sid: str, caller: str, status: str, **extra: str) -> dict[str, str]:
        return {"AccountSid": "AC" + "0" * 32, "CallSid": sid, "CallStatus": status,
                "Direction": "inbound", "From": caller, "To": "+14155550100", **extra}  # fmt: skip

    try:
        with TestClient(app) as client:
            # warm up (first requests load templates, caches, the token's key) before timing
            timed(calls // 5 + 5, lambda i: post("status", call("CAw", number(0), "busy"),
                                                 token=WRONG, status=401))  # fmt: skip
            refused = timed(
                calls,
                lambda i: post("status", call(f"CAx{i}", number(i), "busy"), token=WRONG,
                               status=401),
            )  # fmt: skip
            baseline = percentiles(refused)[0]
            cases: list[tuple[str, Callable[[int], object]]] = [
                (
                    "missed call: customer matched by phone, ticket opened through ingest",
                    lambda i: post("status", call(f"CAm{i}", number(i), "busy")),
                ),
                (
                    "the same callback replayed (idempotent: nothing written)",
                    lambda i: post("status", call(f"CAm{i}", number(i), "busy")),
                ),
                (
                    "unknown caller: new customer, voice request answered with TwiML",
                    lambda i: post("voice", call(f"CAn{i}", f"+4420794{i:05d}", "ringing")),
                ),
                (
                    "answered call on the customer's open ticket (final status)",
                    lambda i: post(
                        "status", call(f"CAa{i}", number(i), "completed", CallDuration="95")
                    ),
                ),
            ]
            for what, work in cases:
                p50, p95 = percentiles(timed(calls, work))
                timings.append(Timing(backend, what, p50, p95, baseline))
    finally:
        stop()
    return timings


def section(timings: list[Timing], count: int, calls: int, loads: list[float]) -> list[str]:
    lines_out = [
        HEADING,
        "",
        f"Written by `python -m bench.phone_webhooks` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{machine()}, load average {', '.join(f'{x:.1f}' for x in loads)} (start, after each "
        f"database). {count:,} customers known by phone; {calls} signed callbacks per line "
        "through the whole app (routing, reading the form, the line's token decrypted, "
        "X-Twilio-Signature checked, the call stored, customer matched, ticket written through "
        "ingest, events, commit). Baseline: the same request refused for a wrong signature (401, "
        "rolled back).",
        "",
        "| database | callback | p50 | p95 | vs refused (p50) |",
        "|---|---|---:|---:|---:|",
    ]
    for t in timings:
        lines_out.append(
            f"| {t.backend} | {t.what} | {t.p50_ms:.1f} ms | {t.p95_ms:.1f} ms | "
            f"{t.p50_ms / t.baseline_p50_ms:.1f}× ({t.baseline_p50_ms:.1f} ms) |"
        )
    lines_out += [
        "",
        "A call that reaches a ticket writes the call, the customer's message, the ticket and "
        "their events (and audit entries) in one commit, a few times the cost of refusing the "
        "request; a replayed callback only reads and costs about as much as a refusal, so a "
        "provider's retries are cheap. A voice request (before the call ends) stores the call "
        "and answers TwiML without touching a ticket.",
    ]
    return lines_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--print", action="store_true", help="print instead of writing")
    options = parser.parse_args()
    postgres_url = os.environ.get("KEFU_TEST_POSTGRESQL_URL")
    backends = ["sqlite"] + (["postgresql"] if postgres_url else [])
    timings: list[Timing] = []
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as work:
        for backend in backends:
            with fresh_database(backend, Path(work), postgres_url) as database:
                timings += measure(backend, database, Path(work), options.customers, options.calls)
            loads.append(os.getloadavg()[0])
    lines_out = section(timings, options.customers, options.calls, loads)
    if options.print:
        print("\n".join(lines_out))
    else:
        write_section(HEADING, lines_out)
        print(f"wrote the phone section of {REPORT}")


if __name__ == "__main__":
    main()
