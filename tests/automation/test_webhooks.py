"""Outgoing webhooks against a real HTTP server on loopback: signed JSON, delivered after
commit, retried with backoff on a failure or a 5xx, failed for good on a 4xx."""

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import select

from kefu.automation.rules.models import WebhookDelivery
from kefu.automation.rules.webhooks import WebhookIn, deliver, save_webhook
from kefu.db import Database
from kefu.jobs import AFTER_COMMIT_KEY
from kefu.kit.actor import Actor
from tests.automation.rule_factories import at, make_rule, run_rule_handlers, update
from tests.tickets.factories import make_ticket

KEY = "test-instance-key"
SECRET = "s3cret-for-hmac"
NOW = at("2030-01-01T10:00:00+00:00")  # after the deliveries are queued (real time)


class Endpoint:
    """Answers each POST with the next status of `answers` (the last one repeats)."""

    def __init__(self, answers: list[int]) -> None:
        self.answers = answers
        self.received: list[tuple[dict[str, str], bytes]] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                endpoint.received.append((dict(self.headers.items()), body))
                index = min(len(endpoint.received), len(endpoint.answers)) - 1
                self.send_response(endpoint.answers[index])
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                return None

        return Handler


@contextmanager
def endpoint(answers: list[int]) -> Iterator[tuple[Endpoint, str]]:
    found = Endpoint(answers)
    server = ThreadingHTTPServer(("127.0.0.1", 0), found.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def _webhook(database: Database, url: str) -> int:
    with database.unit_of_work(actor=Actor.system()) as session:
        data = WebhookIn(name="CRM", url=url, secret=SECRET)
        return save_webhook(session, actor=Actor.system(), data=data, key=KEY).id


def _queued_delivery(database: Database, url: str) -> int:
    hook = _webhook(database, url)
    make_rule(
        database,
        all=[{"field": "priority", "op": "is", "value": "urgent"}],
        actions=[{"type": "call_webhook", "webhook_id": hook}],
    )
    ticket = make_ticket(database)
    update(database, ticket.id, priority="urgent")
    run_rule_handlers(database)
    with database.sessions() as session:
        return session.scalars(select(WebhookDelivery.id)).one()


def _delivery(database: Database, delivery_id: int) -> WebhookDelivery:
    with database.sessions() as session:
        return session.get_one(WebhookDelivery, delivery_id)


def test_a_trigger_queues_a_signed_delivery_that_reaches_the_endpoint(database: Database) -> None:
    with endpoint([200]) as (server, url):
        delivery_id = _queued_delivery(database, url)
        # when the job runs
        assert deliver(database, delivery_id, key=KEY, now=NOW) == "delivered"
    # then the body is the ticket as JSON, signed over "timestamp.body"
    headers, body = server.received[0]
    timestamp = headers["X-Kefu-Timestamp"]
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert headers["X-Kefu-Signature"] == f"sha256={expected.hexdigest()}"
    assert timestamp == str(int(NOW.timestamp()))
    sent = json.loads(body)
    assert sent["rule"]["name"] == "VIP urgent" and sent["ticket"]["priority"] == "urgent"
    assert sent["event"]["type"] == "ticket.updated"
    done = _delivery(database, delivery_id)
    assert (done.status, done.attempts, done.response_status) == ("delivered", 1, 200)


def test_a_5xx_is_retried_with_backoff_then_delivered(database: Database) -> None:
    with endpoint([503, 200]) as (server, url):
        delivery_id = _queued_delivery(database, url)
        assert deliver(database, delivery_id, key=KEY, now=NOW) == "pending"
        waiting = _delivery(database, delivery_id)
        assert waiting.next_attempt_at == NOW + timedelta(seconds=30)
        assert waiting.last_error.startswith("HTTP 503")
        # not due yet: nothing is sent
        assert deliver(database, delivery_id, key=KEY, now=NOW + timedelta(seconds=10)) is None
        later = NOW + timedelta(seconds=31)
        assert deliver(database, delivery_id, key=KEY, now=later) == "delivered"
    assert len(server.received) == 2
    assert server.received[0][1] == server.received[1][1]  # the same bytes each attempt


def test_a_4xx_fails_for_good_and_an_unreachable_endpoint_is_retried(database: Database) -> None:
    with endpoint([404]) as (_server, url):
        delivery_id = _queued_delivery(database, url)
        assert deliver(database, delivery_id, key=KEY, now=NOW) == "failed"
    with endpoint([200]) as (_server, url):
        gone = url
    with database.unit_of_work() as session:
        delivery = session.get_one(WebhookDelivery, delivery_id)
        delivery.status, delivery.next_attempt_at = "pending", NOW
    _point_at(database, gone)
    assert deliver(database, delivery_id, key=KEY, now=NOW) == "pending"
    assert "ConnectError" in _delivery(database, delivery_id).last_error


def test_the_delivery_is_queued_for_after_the_commit(database: Database) -> None:
    with endpoint([200]) as (_server, url):
        hook = _webhook(database, url)
    rule = make_rule(database, actions=[{"type": "call_webhook", "webhook_id": hook}])
    ticket = make_ticket(database)
    update(database, ticket.id, priority="high")
    queued: list[Any] = []
    with database.unit_of_work(actor=Actor.job("test")) as session:
        from kefu.automation.rules.engine import run_triggers
        from kefu.events import Event

        event = session.scalars(
            select(Event).where(Event.type == "ticket.updated").order_by(Event.id.desc())
        ).first()
        assert event is not None
        assert run_triggers(session, event, now=NOW) == [rule.id]
        queued = list(session.info.get(AFTER_COMMIT_KEY, []))
    assert [name for name, _args in queued] == ["automation.deliver_webhook"]


def _point_at(database: Database, url: str) -> None:
    from kefu.automation.rules.models import RuleWebhook

    with database.unit_of_work() as session:
        for hook in session.scalars(select(RuleWebhook)):
            hook.url = url
