"""The live-chat report: every number equals the count by hand of five chats and one offline
message, the previous period is compared, each count drills down to its chats, the tables
export, and an empty period says so."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from kefu.accounts import service as accounts
from kefu.analytics.reports.periods import DayRange
from kefu.channels.chat import offline, visitors, widgets
from kefu.channels.chat import service as chats
from kefu.channels.chat.models import Chat, ChatEntry
from kefu.channels.chat.report import Scope, chat_report, drill_rows, percentile
from kefu.channels.chat.schemas import OfflineMessageIn
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.kit.actor import Actor
from kefu.permissions import Role
from kefu.tickets.messages import add_message
from kefu.tickets.models import Ticket
from kefu.tickets.schemas import MessageCreate
from tests.accounts.factories import PASSWORD, make_agent
from tests.channels.chat.agent_factories import make_widget, start_chat
from tests.web.helpers import sign_in

WEEK = DayRange(date(2026, 3, 2), date(2026, 3, 8))
QUERY = "since=2026-03-02&until=2026-03-08&tz=UTC"


def _at(day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def _chat(
    database: Database,
    *,
    widget_id: int,
    email: str,
    started: datetime,
    agent_id: int | None = None,
    accept_after: int | None = None,
    first_reply_after: int | None = None,
    end_after: int | None = None,
    rating: int | None = None,
    transcript: bool = False,
) -> tuple[int, int]:
    """A chat made through the services, then moved to the report's fixed times."""
    found = start_chat(database, widget_id=widget_id, email=email, at=started)
    if agent_id is not None:
        with database.unit_of_work() as session:
            actor = accounts.actor_for(accounts.get_agent(session, agent_id))
            chats.accept(session, actor=actor, chat_id=found.chat_id)
            if first_reply_after is not None:
                data = MessageCreate(body_text="Hello!")
                add_message(session, actor=actor, ticket_id=found.ticket_id, data=data)
        dispatch_due(database)
    with database.unit_of_work() as session:
        if rating is not None:
            widget = widgets.get_widget(session, widget_id)
            visitor = visitors.visitor_by_token(session, widget, found.token)
            visitors.rate(session, visitor=visitor, chat_id=found.chat_id, score=rating, comment="")
        if end_after is not None:
            chats.end(session, actor=None, chat_id=found.chat_id)
    with database.unit_of_work() as session:
        chat = session.get_one(Chat, found.chat_id)
        chat.started_at = started
        if accept_after is not None:
            chat.accepted_at = started + timedelta(seconds=accept_after)
        if end_after is not None:
            chat.ended_at = started + timedelta(seconds=end_after)
        if transcript:
            chat.transcript_to, chat.transcript_sent_at = email, started + timedelta(hours=1)
        for entry in session.scalars(select(ChatEntry).where(ChatEntry.chat_id == chat.id)):
            after = first_reply_after if entry.author == "agent" else 0
            entry.created_at = started + timedelta(seconds=after or 0)
    return found.chat_id, found.ticket_id


@pytest.fixture
def week(database: Database) -> dict[str, Any]:
    """A: Ada 30 s / 45 s / 600 s, rated 5, transcript; B: Ada 90 / 100 / 300, rated 3;
    C: Bo 10 / 20, still active; D: ended after 120 s while waiting; E: missed the week
    before; one offline message on 6 March."""
    ada = make_agent(database, name="Ada", email="ada@example.com", role=Role.MANAGER)
    bo = make_agent(database, name="Bo", email="bo@example.com")
    shop = make_widget(database, name="Shop")
    outlet = make_widget(database, name="Outlet")
    a = _chat(
        database,
        widget_id=shop,
        email="a@example.org",
        started=_at(2, 10),
        agent_id=ada.id,
        accept_after=30,
        first_reply_after=45,
        end_after=600,
        rating=5,
        transcript=True,
    )
    b = _chat(
        database,
        widget_id=shop,
        email="b@example.org",
        started=_at(3, 12),
        agent_id=ada.id,
        accept_after=90,
        first_reply_after=100,
        end_after=300,
        rating=3,
    )
    c = _chat(
        database,
        widget_id=outlet,
        email="c@example.org",
        started=_at(4, 9),
        agent_id=bo.id,
        accept_after=10,
        first_reply_after=20,
    )
    d = _chat(database, widget_id=outlet, email="d@example.org", started=_at(5, 15), end_after=120)
    e = _chat(database, widget_id=shop, email="e@example.org", started=_at(25, 10, month=2),
              end_after=60)  # fmt: skip
    with database.unit_of_work() as session:
        widget = widgets.get_widget(session, shop)
        visitor = visitors.greet(session, widget=widget, token=None, identity=None, now=_at(6, 8))
        left = offline.offline_message(
            session, widget=widget, visitor=visitor.visitor, client_id="o-1", now=_at(6, 8),
            data=OfflineMessageIn(name="Fu", email="fu@example.org", body="Call me"),
        )  # fmt: skip
    with database.unit_of_work() as session:  # it arrived on 6 March
        session.get_one(Ticket, left.ticket_id).created_at = _at(6, 8)
    return {"ada": ada.id, "bo": bo.id, "shop": shop, "outlet": outlet, "a": a, "b": b, "c": c,
            "d": d, "e": e, "offline": left.ticket_id}  # fmt: skip


def _figures(database: Database, scope: Scope) -> dict[str, Any]:
    with database.sessions() as session:
        found = chat_report(session, scope=scope, actor=Actor.system(), now=_at(9, 0))
    return {f.key: (f.value, f.previous) for f in found.sections[0].figures}


def test_the_numbers_are_the_hand_counted_ones(database: Database, week: dict[str, Any]) -> None:
    figures = _figures(database, Scope(WEEK, "UTC"))
    assert figures == {
        "started": (4, 1),
        "accepted": (3, 0),
        "missed": (1, 1),
        "offline": (1, 0),
        "accept_p50": (30.0, None),  # waits 10, 30, 90
        "accept_p90": (90.0, None),
        "first_response_p50": (45.0, None),  # 20, 45, 100
        "first_response_p90": (100.0, None),
        "duration_p50": (300.0, 60.0),  # ended: 120, 300, 600
        "duration_mean": (340.0, 60.0),
        "rating_mean": (4.0, None),
        "rated": (2, 0),
        "transcripts": (1, 0),
    }


def test_per_agent_per_widget_and_ratings(database: Database, week: dict[str, Any]) -> None:
    with database.sessions() as session:
        found = chat_report(session, scope=Scope(WEEK, "UTC"), actor=Actor.system(), now=_at(9, 0))
    agents = found.table("agents")
    widgets_table = found.table("widgets")
    ratings = found.table("ratings")
    assert agents is not None and widgets_table is not None and ratings is not None
    assert [row[:4] for row in agents.rows] == [
        ("Ada", 2, 2, 0),
        ("Bo", 1, 1, 0),
        ("Nobody", 1, 0, 1),
    ]
    assert agents.rows[0][4:] == (30.0, 45.0, 300.0, 4.0, 1)  # Ada: waits 30, 90 (nearest rank)
    assert [row[:4] for row in widgets_table.rows] == [("Shop", 2, 2, 0), ("Outlet", 2, 1, 1)]
    assert [row[1] for row in ratings.rows] == [0, 0, 1, 0, 1]
    assert ratings.rows[4][2] == 50.0
    # narrowed to one widget and one agent
    only_outlet = _figures(database, Scope(WEEK, "UTC", widget_id=week["outlet"]))
    assert (only_outlet["started"], only_outlet["missed"], only_outlet["offline"]) == (
        (2, 0), (1, 0), (0, 0),
    )  # fmt: skip
    only_ada = _figures(database, Scope(WEEK, "UTC", agent_id=week["ada"]))
    assert only_ada["started"] == (2, 0)


def test_each_count_drills_down_to_its_chats(
    client: Any, database: Database, week: dict[str, Any]
) -> None:
    with database.sessions() as session:
        scope = Scope(WEEK, "UTC")
        assert [c.id for c in drill_rows(session, scope, "missed")] == [week["d"][0]]
        assert [c.id for c in drill_rows(session, scope, "rating_5")] == [week["a"][0]]
        assert [c.id for c in drill_rows(session, scope, "transcripts")] == [week["a"][0]]
        assert len(drill_rows(session, scope, "accepted")) == 3
    sign_in(client, "ada@example.com", PASSWORD)
    page = client.get(f"/reports/chat/chats?metric=missed&{QUERY}")
    assert page.status_code == 200
    assert f'href="/tickets/{week["d"][1]}"' in page.text
    assert f'href="/tickets/{week["a"][1]}"' not in page.text
    offline_page = client.get(f"/reports/chat/offline?{QUERY}").text
    assert f'href="/tickets/{week["offline"]}"' in offline_page
    refused = client.get(f"/reports/chat/chats?metric=nonsense&{QUERY}")
    assert refused.status_code == 422 and "unknown figure nonsense" in refused.text


def test_the_page_links_every_count_and_the_hub_links_the_page(
    client: Any, database: Database, week: dict[str, Any]
) -> None:
    sign_in(client, "ada@example.com", PASSWORD)
    page = client.get(f"/reports/chat?{QUERY}")
    assert page.status_code == 200
    assert 'data-figure="started" data-value="4" data-previous="1"' in page.text
    assert (
        "/reports/chat/chats?since=2026-03-02&amp;until=2026-03-08&amp;tz=UTC&amp;metric=missed"
        in page.text
    )
    assert 'data-chart="chats_by_day"' in page.text
    assert 'href="/reports/chat"' in client.get("/reports").text
    zh = client.get(f"/reports/chat?{QUERY}", headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 200


def test_the_tables_export_as_csv_and_xlsx(
    client: Any, database: Database, week: dict[str, Any]
) -> None:
    sign_in(client, "ada@example.com", PASSWORD)
    exported = client.get(f"/reports/chat/export.csv?table=widgets&{QUERY}")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Widget", "Chats", "Accepted"]
    assert [r[:3] for r in rows[1:]] == [["Shop", "2", "2"], ["Outlet", "2", "1"]]
    book = client.get(f"/reports/chat/export.xlsx?{QUERY}")
    assert book.status_code == 200 and book.content[:2] == b"PK"
    assert client.get(f"/reports/chat/export.csv?{QUERY}").status_code == 422
    assert client.get(f"/reports/chat/export.pdf?{QUERY}").status_code == 404


def test_an_empty_period_says_so(client: Any, database: Database) -> None:
    make_agent(database, name="Ada", email="ada@example.com", role=Role.MANAGER)
    sign_in(client, "ada@example.com", PASSWORD)
    page = client.get(f"/reports/chat?{QUERY}")
    assert page.status_code == 200
    assert "No chats in this period" in page.text
    backwards = client.get("/reports/chat?since=2026-03-08&until=2026-03-01")
    assert backwards.status_code == 422 and "the range ends before it starts" in backwards.text


def test_percentile_is_the_nearest_rank() -> None:
    assert percentile([], 0.5) is None
    assert percentile([10.0, 30.0, 90.0], 0.5) == 30.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.9) == 4.0
