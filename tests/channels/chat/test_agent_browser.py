"""The agent's side of live chat in Chromium, with a shopper on the widget websocket: the
queue fills the moment the shopper writes, the agent accepts, sees the shopper type and
write on the ticket page without a reload, and answers with Enter (Shift+Enter is a new
line); the shopper sees the agent type and gets the answer."""

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Route
from sqlalchemy import select
from websockets.sync.client import ClientConnection, connect

from kefu.accounts import service as accounts
from kefu.channels.chat import service as chats
from kefu.channels.chat import widgets
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.tickets.models import Message
from tests.accounts.factories import PASSWORD, make_agent
from tests.channels.chat.agent_factories import CART, make_widget, start_chat
from tests.conftest import STEP_TIMEOUT_MS
from tests.web.test_browser import fill_sign_in

pytestmark = pytest.mark.slow

Frame = dict[str, Any]


def widget_key(database: Database, widget_id: int) -> str:
    with database.sessions() as session:
        return widgets.get_widget(session, widget_id).public_key


def frame_where(ws: ClientConnection, wanted: Callable[[Frame], bool]) -> Frame:
    """The next frame that `wanted` accepts (others are skipped); STEP_TIMEOUT_MS each."""
    while True:
        frame: Frame = json.loads(ws.recv(timeout=STEP_TIMEOUT_MS / 1000))
        if wanted(frame):
            return frame


def until(page: Any, done: Callable[[], bool]) -> None:
    """Let the page's events (routes, finished requests) come in until `done`; 15 s at most."""
    for _ in range(300):
        if done():
            return
        page.wait_for_timeout(50)
    raise AssertionError("the page did not get there")


def shopper_writes(ws: ClientConnection, body: str) -> int:
    client_id = uuid.uuid4().hex
    ws.send(json.dumps({"type": "message", "client_id": client_id, "body": body}))
    ack = frame_where(ws, lambda f: f["type"] in ("ack", "error"))
    assert ack["type"] == "ack", ack
    return int(ack["seq"])


def test_queue_updates_live_and_the_agent_answers_on_the_ticket(
    page: Any, live_server: str, database: Database
) -> None:
    base = live_server
    make_agent(database, email="bo@example.com", name="Bo Chen")
    key = widget_key(database, make_widget(database))
    fill_sign_in(page, base, "bo@example.com", PASSWORD)
    page.wait_for_url(f"{base}/")
    # given Bo watches the queue, empty
    page.goto(f"{base}/chats")
    page.get_by_text("No shopper is waiting.").wait_for()
    # when a shopper on the store opens the widget, fills in the pre-chat form and writes
    socket_url = base.replace("http://", "ws://") + f"/chat/ws?widget={key}"
    with connect(socket_url, origin="https://shop.example") as ws:  # type: ignore[arg-type]
        page_info = {"url": "https://shop.example/mugs/blue", "title": "Blue mug"}
        ws.send(json.dumps({"type": "hello", "visitor": None, "last_seq": 0, "locale": "en"}))
        frame_where(ws, lambda f: f["type"] == "welcome")
        start = {"type": "start", "name": "Mei Lin", "email": "mei@example.com", "order": "1042"}
        ws.send(json.dumps({**start, "page": page_info, "cart": CART}))
        chat_id = frame_where(ws, lambda f: f["type"] == "chat")["chat"]["id"]
        shopper_writes(ws, "Where is my parcel?")
        # then the chat appears in Bo's queue and the top bar counts it, without a reload
        row = page.locator(f'tr[data-chat-id="{chat_id}"]')
        row.wait_for()
        assert "Mei Lin" in row.inner_text() and "Blue mug" in row.inner_text()
        page.locator("[data-live-chats] .notification-count", has_text="1").wait_for()
        # when Bo accepts it, he is on its ticket, the count drops and the shopper is told
        row.get_by_role("button", name="Accept").click()
        page.wait_for_url(f"{base}/tickets/*")
        panel = page.locator(f'[data-chat-panel="{chat_id}"]')
        assert "active" in panel.inner_text().lower() and "Bo Chen (you)" in panel.inner_text()
        page.locator("[data-live-chats] .notification-count").wait_for(state="detached")
        status = frame_where(ws, lambda f: f["type"] == "status")
        assert (status["status"], status["agent"]) == ("active", {"name": "Bo Chen"})
        # when the shopper types, then writes, Bo sees both on the ticket page
        page.locator("html[data-chat-stream]").wait_for(state="attached")
        ws.send(json.dumps({"type": "typing", "on": True}))
        page.get_by_text("Mei Lin is typing…").first.wait_for()
        shopper_writes(ws, "Is it shipped yet?")
        page.locator(".thread").get_by_text("Is it shipped yet?").wait_for()
        assert page.get_by_text("Mei Lin is typing…").count() == 0
        # when Bo writes two lines (Shift+Enter), the shopper sees him typing
        box = page.get_by_label("Message")
        box.click()
        box.press_sequentially("Yes, this morning.")
        typing = frame_where(ws, lambda f: f["type"] == "typing")
        assert (typing["author"], typing["name"], typing["on"]) == ("agent", "Bo Chen", True)
        box.press("Shift+Enter")
        box.press_sequentially("Tracking follows.")
        assert box.input_value() == "Yes, this morning.\nTracking follows."
        assert "/chats" not in page.url
        # and Enter sends it: a reply on the ticket, delivered to the shopper
        box.press("Enter")
        page.get_by_text("Reply sent.").wait_for()
        dispatch_due(database)
        answer = frame_where(ws, lambda f: f["type"] == "entry" and f["author"] == "agent")
        assert answer["name"] == "Bo Chen"
        # (a form posts its lines with CRLF, as browsers do)
        assert answer["body"].replace("\r\n", "\n") == "Yes, this morning.\nTracking follows."
    with database.sessions() as session:
        replies = session.scalars(select(Message.id).where(Message.author_type == "agent")).all()
    assert len(replies) == 1


def test_the_agents_stopped_never_overtakes_his_typing(
    page: Any, live_server: str, database: Database
) -> None:
    """Two typing signals at once may reach the server in either order (a busy server, two
    connections): the page sends the next only once the one on its way has arrived."""
    base = live_server
    bo = make_agent(database, email="bo@example.com", name="Bo Chen")
    widget_id = make_widget(database)
    started = start_chat(database, widget_id=widget_id)
    with database.unit_of_work() as session:
        chats.accept(session, actor=accounts.actor_for(bo), chat_id=started.chat_id)
    held: list[Route] = []

    def hold_the_first(route: Route) -> None:
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/chats/*/typing", hold_the_first)
    answered: list[Any] = []
    page.on("response", lambda r: r.url.endswith("/typing") and answered.append(r))
    fill_sign_in(page, base, "bo@example.com", PASSWORD)
    page.wait_for_url(f"{base}/")
    page.clock.install()
    page.goto(f"{base}/tickets/{started.ticket_id}")
    key = widget_key(database, widget_id)
    socket_url = base.replace("http://", "ws://") + f"/chat/ws?widget={key}"
    with connect(socket_url, origin="https://shop.example") as ws:  # type: ignore[arg-type]
        hello = {"type": "hello", "visitor": started.token, "chat": started.chat_id}
        ws.send(json.dumps({**hello, "last_seq": 0, "locale": "en"}))
        frame_where(ws, lambda f: f["type"] == "welcome")
        # given Bo starts to write, and his "typing" is slow on its way
        page.get_by_label("Message").press_sequentially("Yes")
        until(page, lambda: bool(held))
        # when he pauses long enough to count as stopped while it is still on its way
        page.clock.run_for(5000)
        page.wait_for_timeout(500)  # room for an overtaking request to leave (none should)
        held[0].continue_()
        until(page, lambda: len(answered) == 2)
        # then the shopper sees him type, then stop: never the other way round
        signals = [frame_where(ws, lambda f: f["type"] == "typing")["on"] for _ in range(2)]
    assert signals == [True, False]
