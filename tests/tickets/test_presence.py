"""Collision detection: who is viewing or typing on a ticket, in the service, over HTTP and
through the live event stream."""

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2 as httpx
import pytest

from kefu.accounts.models import Agent
from kefu.accounts.service import actor_for
from kefu.app import create_app
from kefu.config import Settings
from kefu.db import Database
from kefu.errors import InvalidInput, NotFound
from kefu.kit.broadcast import Broadcast
from kefu.kit.broadcast_redis import RedisBroadcast
from kefu.runtime import Runtime
from kefu.tickets.presence import (
    Presence,
    report_presence,
    ticket_channel,
    who_is_here,
)
from tests.accounts.factories import PASSWORD, make_admin, make_agent
from tests.conftest import STEP_TIMEOUT_MS
from tests.live import run, serving
from tests.tickets.rt_factories import make_ticket
from tests.web.helpers import csrf_token, sign_in

T0 = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)


def report(
    database: Database, broadcast: Broadcast, agent: Agent, ticket_id: int, state: str, at: datetime
) -> list[Presence]:
    with database.unit_of_work() as session:
        return report_presence(
            session, broadcast, actor=actor_for(agent), ticket_id=ticket_id, state=state, now=at
        )


def test_others_see_who_views_and_types_but_not_themselves(
    database: Database, broadcast: Broadcast
) -> None:
    # given Ada viewing and Bo typing on the same ticket
    ada, bo = make_admin(database), make_agent(database, name="Bo Chen")
    ticket = make_ticket(database)
    report(database, broadcast, ada, ticket.id, "viewing", T0)
    others_for_bo = report(database, broadcast, bo, ticket.id, "typing", T0)
    # then each sees the other, never themselves
    assert others_for_bo == [Presence(ada.id, "Ada Admin", "viewing")]
    at = T0 + timedelta(seconds=1)
    assert who_is_here(broadcast, ticket_id=ticket.id, exclude_agent_id=ada.id, now=at) == [
        Presence(bo.id, "Bo Chen", "typing")
    ]


def test_typing_fades_to_viewing_and_a_closed_tab_drops_out_after_the_ttl(
    database: Database, broadcast: Broadcast
) -> None:
    ada, bo = make_admin(database), make_agent(database, name="Bo Chen")
    ticket = make_ticket(database)
    report(database, broadcast, bo, ticket.id, "typing", T0)

    def seen_by_ada(seconds: int) -> list[Presence]:
        at = T0 + timedelta(seconds=seconds)
        return who_is_here(broadcast, ticket_id=ticket.id, exclude_agent_id=ada.id, now=at)

    assert [p.state for p in seen_by_ada(8)] == ["typing"]
    assert [p.state for p in seen_by_ada(9)] == ["viewing"]  # stopped typing, still there
    assert [p.state for p in seen_by_ada(30)] == ["viewing"]
    assert seen_by_ada(31) == []  # tab closed without "left": gone after 30 s


def test_left_removes_at_once_and_every_report_publishes_the_snapshot(
    database: Database, broadcast: Broadcast
) -> None:
    ada, bo = make_admin(database), make_agent(database, name="Bo Chen")
    ticket = make_ticket(database)

    async def scenario() -> list[Any]:
        async with broadcast.subscribe(ticket_channel(ticket.id)) as subscription:
            await asyncio.to_thread(report, database, broadcast, ada, ticket.id, "viewing", T0)
            await asyncio.to_thread(report, database, broadcast, bo, ticket.id, "viewing", T0)
            await asyncio.to_thread(report, database, broadcast, ada, ticket.id, "left", T0)
            got = [await subscription.receive(timeout=5) for _ in range(3)]
        await broadcast.end_subscriptions()
        return [[p["name"] for p in message["present"]] for _channel, message in got]

    assert run(scenario()) == [["Ada Admin"], ["Ada Admin", "Bo Chen"], ["Bo Chen"]]


def test_bad_state_and_unknown_ticket_are_refused(database: Database, broadcast: Broadcast) -> None:
    ada = make_admin(database)
    ticket = make_ticket(database)
    with pytest.raises(InvalidInput):
        report(database, broadcast, ada, ticket.id, "dancing", T0)
    with pytest.raises(NotFound):
        report(database, broadcast, ada, ticket.id + 1, "viewing", T0)
    assert who_is_here(broadcast, ticket_id=ticket.id, exclude_agent_id=None, now=T0) == []


def test_presence_post_needs_csrf_and_answers_with_the_partial(
    client: Any, database: Database
) -> None:
    make_admin(database)
    make_agent(database, email="bo@example.com", name="Bo Chen")
    ticket = make_ticket(database)
    # given Ada is on the ticket (through her own browser session)
    other = type(client)(client.app)
    sign_in(other, "admin@example.com", PASSWORD)
    token = csrf_token(other.get("/").text)
    ada_post = other.post(
        f"/tickets/{ticket.id}/presence", data={"state": "viewing", "csrf_token": token}
    )
    assert ada_post.status_code == 200
    # when Bo reports, the answer shows Ada
    sign_in(client, "bo@example.com", PASSWORD)
    home = client.get("/")
    assert client.post(f"/tickets/{ticket.id}/presence", data={"state": "viewing"}).status_code == (
        403
    )
    headers = {"X-CSRF-Token": csrf_token(home.text)}
    answer = client.post(
        f"/tickets/{ticket.id}/presence", data={"state": "typing"}, headers=headers
    )
    assert answer.status_code == 200
    assert f'data-presence-ticket="{ticket.id}"' in answer.text
    assert "Ada Admin is viewing" in answer.text and "Bo Chen" not in answer.text
    missing = client.post(
        f"/tickets/{ticket.id + 1}/presence", data={"state": "viewing"}, headers=headers
    )
    bad = client.post(f"/tickets/{ticket.id}/presence", data={"state": "x"}, headers=headers)
    assert (missing.status_code, bad.status_code) == (404, 422)


def test_stream_needs_a_signed_in_agent_and_a_short_ticket_list(
    client: Any, database: Database
) -> None:
    response = client.get("/stream?ticket=1")
    assert (response.status_code, response.headers["location"]) == (
        303,
        "/login?next=/stream%3Fticket%3D1",
    )
    make_agent(database)
    sign_in(client, "agent@example.com", PASSWORD)
    assert client.get("/stream", params={"ticket": list(range(21))}).status_code == 422
    assert client.get("/stream", params={"ticket": "twelve"}).status_code == 422


def test_without_redis_the_stream_asks_to_retry_later_and_reports_say_why(
    client: Any, runtime: Runtime, database: Database
) -> None:
    # given Redis is configured but down
    runtime.broadcast = RedisBroadcast("redis://127.0.0.1:1/0")
    make_agent(database)
    ticket = make_ticket(database)
    sign_in(client, "agent@example.com", PASSWORD)
    # then the stream ends at once, asking the browser to come back in 15 s
    stream = client.get("/stream", params={"ticket": ticket.id})
    assert stream.status_code == 200
    assert stream.text == ": live updates unavailable\nretry: 15000\n\n"
    # and a presence report is a clear 503, not a 500
    headers = {"X-CSRF-Token": csrf_token(client.get("/notifications").text)}
    reported = client.post(
        f"/tickets/{ticket.id}/presence", data={"state": "viewing"}, headers=headers
    )
    assert reported.status_code == 503
    assert "live updates are unavailable" in reported.text


# -- the live stream, end to end through a real server ---------------------------------------


def browser_session(base_url: str, email: str) -> httpx.Client:
    session = httpx.Client(base_url=base_url, timeout=STEP_TIMEOUT_MS / 1000)
    token = csrf_token(session.get("/login").text)
    signed = session.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert signed.status_code == 303
    session.headers["X-CSRF-Token"] = csrf_token(session.get("/").text)
    return session


def next_event(lines: Iterator[str], name: str) -> dict[str, str]:
    """Read server-sent events until one named `name` arrives; comments are skipped."""
    event: dict[str, str] = {}
    for line in lines:
        if line == "":
            if event.get("event") == name:
                return event
            event = {}
        elif not line.startswith(":"):
            field, _, value = line.partition(": ")
            event[field] = value
    raise AssertionError(f"the stream ended before a {name!r} event")


def test_stream_shows_another_agent_arriving_on_the_ticket(
    live_server: str, runtime: Runtime, database: Database, broadcast: Broadcast
) -> None:
    runtime.broadcast = broadcast
    make_admin(database)
    make_agent(database, email="bo@example.com", name="Bo Chen")
    ticket = make_ticket(database)
    ada, bo = (
        browser_session(live_server, "admin@example.com"),
        browser_session(live_server, "bo@example.com"),
    )
    with bo.stream("GET", "/stream", params={"ticket": ticket.id}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        assert '"unread": 0' in next_event(lines, "badge")["data"]
        assert "is viewing" not in next_event(lines, "presence")["data"]
        # when Ada opens the ticket
        ada.post(f"/tickets/{ticket.id}/presence", data={"state": "viewing"})
        # then Bo's page is told, with the partial to show
        event = next_event(lines, "presence")
    assert f'"ticket_id": {ticket.id}' in event["data"]
    assert "Ada Admin is viewing" in event["data"]
    ada.close()
    bo.close()


def test_shutdown_ends_open_streams_instead_of_waiting_for_them(
    settings: Settings, runtime: Runtime, database: Database
) -> None:
    make_agent(database, email="bo@example.com", name="Bo Chen")
    with serving(create_app(settings, runtime=runtime)) as (base_url, server):
        bo = browser_session(base_url, "bo@example.com")
        with bo.stream("GET", "/stream") as response:
            lines = response.iter_lines()
            next_event(lines, "badge")
            # when the server is told to stop while Bo's page is open
            server.should_exit = True
            stopping_at = time.monotonic()
            # then the stream ends (a plain uvicorn.Server would wait for it forever), after
            # at most the opening events other domains add (live chat's waiting count)
            assert [line for line in lines if line.startswith("event:")] in ([], ["event: chats"])
        bo.close()
    assert time.monotonic() - stopping_at < 5
