"""Trends: tickets opened in English and Chinese over two weeks, created through ingest,
are grouped into topics by meaning, named by their key terms and compared week on week;
the snapshot is stored, shown on /reports/trends and drills down to its tickets."""

import json
import random
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bench.ai_trends_data import messages
from kefu.ai import trends, trends_topics
from kefu.ai.trends_models import MessageVector, TrendSnapshot, TrendTopic
from kefu.db import Database
from kefu.errors import InvalidInput
from kefu.ingest.schemas import InboundMessage, Sender
from kefu.ingest.service import ingest
from kefu.kit.actor import Actor
from kefu.permissions import Role
from tests.accounts.factories import PASSWORD, make_agent
from tests.ai.factories import KEY
from tests.test_cli import run_kefu
from tests.web.helpers import csrf_token, sign_in

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
_numbers = count(1)
# per topic: tickets in the previous week, tickets this week ("damaged" more than doubles)
WEEKS = {"damaged": (6, 15), "where": (10, 9), "refund": (8, 8), "coupon": (6, 5)}


def _open_ticket(database: Database, text: str, at: datetime) -> int:
    n = next(_numbers)
    message = InboundMessage(
        channel="email", source_id=f"<trend-{n}@example.com>",
        sender=Sender(email=f"buyer{n}@example.com", name=f"Buyer {n}"),
        subject="Order question", body_text=text, received_at=at,
    )  # fmt: skip
    with database.unit_of_work(actor=Actor.system()) as session:
        return ingest(session, message=message).ticket_id


def _two_weeks(database: Database) -> dict[str, list[int]]:
    """The WEEKS tickets, spread over the two weeks before NOW; their ids by topic."""
    rng = random.Random(7)
    made: dict[str, list[int]] = {topic: [] for topic in WEEKS}
    for week, (start, end) in enumerate(((14, 7), (7, 0))):
        counts = {topic: numbers[week] for topic, numbers in WEEKS.items()}
        for sample in messages(counts, rng):
            at = NOW - timedelta(days=rng.uniform(end + 0.01, start - 0.01))
            made[sample.topic].append(_open_ticket(database, sample.text, at))
    return made


def _topics(database: Database, snapshot_id: int) -> list[TrendTopic]:
    with database.sessions() as session:
        return list(session.scalars(select(TrendTopic).where(
            TrendTopic.snapshot_id == snapshot_id).order_by(TrendTopic.position)))  # fmt: skip


def _holding(topics: list[TrendTopic], tickets: list[int]) -> TrendTopic:
    """The topic holding most of these tickets."""
    return max(topics, key=lambda t: len(set(t.ticket_ids) & set(tickets)))


@pytest.mark.usefixtures("runtime")
def test_a_topic_doubling_this_week_is_found_named_and_rising(database: Database) -> None:
    # given two weeks of tickets in English and Chinese, "damaged in transit" more than
    # doubling this week, and a ticket older than the window
    made = _two_weeks(database)
    old = _open_ticket(database, "My lamp arrived broken, damaged in transit.",
                       NOW - timedelta(days=20))  # fmt: skip
    # when the trends are computed
    snapshot_id = trends.compute(database, actor=Actor.job(trends.JOB), now=NOW)
    # then the damaged tickets form one topic named by its key terms, in both languages
    topics = _topics(database, snapshot_id)
    damaged = _holding(topics, made["damaged"])
    assert set(damaged.ticket_ids) == set(made["damaged"])
    assert {"damaged", "transit"} <= set(damaged.terms)
    assert any("运输" in term or "损" in term or "碎" in term for term in damaged.terms)
    # counted per week and marked rising, first on the page
    assert (damaged.previous_count, damaged.current_count) == WEEKS["damaged"]
    assert damaged.change == "rising" and damaged.ratio == 2.5
    assert damaged.position == 0
    assert sum(damaged.daily) == 21 and len(damaged.daily) == 14
    # the steady topics are not rising, and every ticket but the old one was read
    refund = _holding(topics, made["refund"])
    assert refund.change == "steady" and "refund" in refund.terms
    assert not any(old in t.ticket_ids for t in topics)
    with database.sessions() as session:
        snapshot = session.get(TrendSnapshot, snapshot_id)
        assert snapshot is not None
        assert (snapshot.messages, snapshot.embedded, snapshot.period_days) == (67, 67, 7)
        assert session.scalar(select(func.count()).select_from(MessageVector)) == 67


@pytest.mark.usefixtures("runtime")
def test_a_second_run_reuses_the_stored_vectors_and_keeps_history(database: Database) -> None:
    # given one run over a handful of tickets
    for text in ("Where is my order #1?", "我的订单到哪里了？", "Where is order #2?",
                 "Order #3 has not arrived", "订单还没到"):  # fmt: skip
        _open_ticket(database, text, NOW - timedelta(days=2))
    first = trends.compute(database, actor=Actor.job(trends.JOB), now=NOW)
    # when it runs again the next day with one new ticket
    _open_ticket(database, "Where is my parcel?", NOW + timedelta(hours=3))
    second = trends.compute(database, actor=Actor.job(trends.JOB), now=NOW + timedelta(days=1))
    # then only the new ticket was embedded, and both snapshots are kept
    with database.sessions() as session:
        columns = (TrendSnapshot.id, TrendSnapshot.messages, TrendSnapshot.embedded)
        rows = session.execute(select(*columns).order_by(TrendSnapshot.id)).all()
    assert [tuple(r) for r in rows] == [(first, 5, 5), (second, 6, 1)]


def test_a_window_out_of_bounds_is_refused(database: Database) -> None:
    with pytest.raises(InvalidInput):
        trends.compute(database, actor=Actor.system(), now=NOW, days=1)
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(TrendSnapshot)) == 0


@pytest.mark.parametrize(
    ("current", "previous", "change", "ratio"),
    [(2, 1, "steady", 2.0), (10, 5, "rising", 2.0), (6, 0, "new", None), (3, 0, "steady", None),
     (3, 9, "falling", 0.33), (9, 8, "steady", 1.12), (5, 7, "steady", 0.71),
     (4, 7, "falling", 0.57)],
)  # fmt: skip
def test_change_needs_a_minimum_count(current: int, previous: int, change: str, ratio: Any) -> None:
    assert trends_topics.change_of(current, previous) == trends_topics.Change(change, ratio)


def test_chinese_terms_are_character_ngrams_without_pieces_of_each_other() -> None:
    texts = ["收到的杯子碎了，运输途中损坏", "花瓶运输途中损坏了", "台灯运输途中损坏",
             "退款什么时候到账", "退款什么时候到", "我的退款什么时候到账"]  # fmt: skip
    labels = trends_topics.cluster(trends_topics_vectors(texts), min_size=3)
    names = trends_topics.name_topics(texts, labels)
    transit, refund = sorted(names, key=lambda terms: "退款" in terms)
    assert transit[0] in ("运输途中", "途中损坏") and "退款" in refund
    for terms in names:
        assert not any(a != b and trends_topics._overlaps(a, b) for a in terms for b in terms)


def trends_topics_vectors(texts: list[str]) -> Any:
    """Two clearly apart groups of vectors (the naming, not the embedding, is under test)."""
    import numpy as np

    return np.array([[1.0, 0.0] if "运输" in t else [0.0, 1.0] for t in texts])


def test_the_page_shows_the_topics_and_drills_down(
    client: Any, database: Database, runtime: Any
) -> None:
    # given a manager and no snapshot yet: the page explains what will show
    make_agent(database, email="manager@example.com", role=Role.MANAGER)
    sign_in(client, "manager@example.com", PASSWORD)
    empty = client.get("/reports/trends")
    assert empty.status_code == 200 and "No topics yet" in empty.text
    assert 'href="/reports/trends"' in client.get("/reports").text
    # when tickets arrived and "Compute now" ran the job
    made = _two_weeks(database)
    runtime.clock = lambda: NOW
    response = client.post("/reports/trends/run", data={"csrf_token": csrf_token(empty.text)},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    assert runtime.queue.run_pending() >= 1
    # then the table lists the rising topic first with its counts and a chart
    html = client.get("/reports/trends").text
    assert 'id="chart-trends"' in html and "chart.umd.min.js" in html
    first = html.split('<tr class="trend-', 1)[1].split("</tr>", 1)[0]
    assert first.startswith('rising"') and ">15<" in first and ">6<" in first
    # and its tickets are one click away
    topic_id = int(first.split('data-topic="', 1)[1].split('"', 1)[0])
    page = client.get(f"/reports/trends/topics/{topic_id}")
    assert page.status_code == 200
    assert all(f'href="/tickets/{t}"' in page.text for t in made["damaged"])
    assert client.get("/reports/trends/topics/999999").status_code == 404
    with database.sessions() as session:
        snapshot = session.scalar(select(TrendSnapshot))
        assert snapshot is not None and snapshot.requested_by.startswith("agent:")


def test_agents_without_reports_cannot_see_trends(client: Any, database: Database) -> None:
    make_agent(database, email="agent@example.com", role=Role.LIGHT_AGENT)
    sign_in(client, "agent@example.com", PASSWORD)
    assert client.get("/reports/trends").status_code == 403


@pytest.mark.usefixtures("runtime")
def test_kefu_ai_trends_computes_a_snapshot_and_refuses_a_bad_window(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    # given five tickets about a late order in the last days
    now = datetime.now(UTC)
    late = ("Where is my order #1?", "Where is my order #2? It has not arrived.",
            "Where is order #3?", "My order #4 has not arrived yet, where is it?",
            "Where is my order #5? Still not delivered.")  # fmt: skip
    for n, text in enumerate(late):
        _open_ticket(database, text, now - timedelta(days=1, hours=n))
    env = {"KEFU_DATABASE_URL": database_url, "KEFU_SECRET_KEY": KEY,
           "KEFU_DATA_DIR": str(tmp_path)}  # fmt: skip
    # when the admin computes the trends from the command line
    result = run_kefu("ai", "trends", "--json", cwd=tmp_path, env=env, timeout=300)
    # then the snapshot is stored and printed: one topic, new this week
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["tickets"] == 5 and len(printed["topics"]) == 1
    assert printed["topics"][0]["this_period"] == 5 and printed["topics"][0]["change"] == "new"
    with database.sessions() as session:
        assert session.get(TrendSnapshot, printed["snapshot"]) is not None
    # and a window under two days is refused with a reason, nothing stored
    refused = run_kefu("ai", "trends", "--days", "1", cwd=tmp_path, env=env, timeout=120)
    assert refused.returncode == 2 and "--days" in refused.stderr
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(TrendSnapshot)) == 1
