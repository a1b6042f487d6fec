"""Trends: the topics of the last days' tickets, clustered by meaning and named by their key
terms, with the change from the previous period — computed by a job (nightly, the page's
"Compute now", `kefu ai trends`) into a snapshot the report page reads.

Each ticket counts once, by its first customer message (what it was opened about; later
"any news?" messages would only blur topics). A run reads the tickets created in the last
`days` (default 14) in a short transaction, embeds with no transaction open only the messages
it has no stored vector for, clusters and names them (kefu.ai.trends_topics), then stores
the vectors, prunes those that left the window and writes the snapshot in one short
transaction. The last half of the window is "this period", the first half "the previous"."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from kefu.ai.trends_models import MessageVector, TrendSnapshot, TrendTopic
from kefu.db import Database
from kefu.errors import InvalidInput
from kefu.kit.actor import Actor
from kefu.kit.clock import as_utc, utcnow
from kefu.tickets import topic_texts

JOB = "ai.trends"
DAYS = 14
MIN_DAYS, MAX_DAYS = 2, 90
MAX_MESSAGES = 50_000  # one run reads the newest this many tickets of the window
MAX_TICKETS = 500  # the tickets a topic keeps for its drill-down
EXAMPLES = 3
KEEP_SNAPSHOTS = 400
EMBED_BATCH = 256
Report = Callable[[str, int, int], None]


def _quiet(_what: str, _done: int, _total: int) -> None:
    return None


def _vectors(session: Session, ids: list[int]) -> dict[int, np.ndarray]:
    found: dict[int, np.ndarray] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        rows = session.execute(
            select(MessageVector.message_id, MessageVector.vector).where(
                MessageVector.message_id.in_(chunk)
            )
        )
        for message_id, blob in rows:
            found[message_id] = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
    return found


def compute(
    database: Database, *, actor: Actor, now: datetime | None = None, days: int = DAYS,
    report: Report = _quiet, requested_by: str = "",
) -> int:  # fmt: skip
    """Compute and store a snapshot of the topics; returns its id."""
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise InvalidInput(f"the window must be {MIN_DAYS} to {MAX_DAYS} days")
    started = time.perf_counter()
    until = as_utc(now or utcnow())
    period = timedelta(days=days) / 2
    since = until - 2 * period
    with database.sessions() as session:
        opening = list(
            topic_texts.opening_messages(session, since=since, until=until, limit=MAX_MESSAGES)
        )
        known = _vectors(session, [m.message_id for m in opening])
    report("read tickets", len(opening), len(opening))
    missing = [m for m in opening if m.message_id not in known]
    fresh = _embed([m.text for m in missing], report)
    for m, vector in zip(missing, fresh, strict=True):
        known[m.message_id] = vector
    vectors = np.vstack([known[m.message_id] for m in opening]) if opening else np.zeros((0, 512))
    topics = _topics(opening, vectors, since=since, period=period)
    report("topics", 1, 1)
    with database.unit_of_work(actor=actor) as session:
        _store_vectors(session, [(m.message_id, m.created_at) for m in missing], fresh)
        session.execute(delete(MessageVector).where(MessageVector.created_at < since))
        snapshot = TrendSnapshot(
            since=since, until=until, period_days=days // 2,
            messages=len(opening), clustered=sum(t["current_count"] + t["previous_count"]
                                                 for t in topics),
            embedded=len(missing), seconds=round(time.perf_counter() - started, 2),
            requested_by=(requested_by or actor.ref)[:120],
        )  # fmt: skip
        session.add(snapshot)
        session.flush()
        if topics:
            rows = [t | {"snapshot_id": snapshot.id} for t in topics]
            session.execute(insert(TrendTopic.__table__), rows)
        _prune(session)
        return snapshot.id


def _embed(texts: list[str], report: Report) -> np.ndarray:
    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    from kefu.ai import embedding

    parts = []
    for start in range(0, len(texts), EMBED_BATCH):
        parts.append(embedding.embed(texts[start : start + EMBED_BATCH]))
        report("embed messages", min(start + EMBED_BATCH, len(texts)), len(texts))
    return np.vstack(parts)


def _store_vectors(session: Session, keys: list[tuple[int, datetime]], vectors: np.ndarray) -> None:
    if not keys:
        return
    stored = set(session.scalars(select(MessageVector.message_id).where(
        MessageVector.message_id.in_([k for k, _ in keys]))))  # fmt: skip
    rows = [
        {"message_id": message_id, "created_at": created_at,
         "vector": vector.astype(np.float16).tobytes()}
        for (message_id, created_at), vector in zip(keys, vectors, strict=True)
        if message_id not in stored
    ]  # fmt: skip
    for start in range(0, len(rows), 1000):
        session.execute(insert(MessageVector.__table__), rows[start : start + 1000])


def _topics(opening: list, vectors: np.ndarray, *, since: datetime, period: timedelta) -> list:
    from kefu.ai import trends_topics

    labels = trends_topics.cluster(vectors)
    names = trends_topics.name_topics([m.text for m in opening], labels)
    days = round(2 * period / timedelta(days=1))
    middle = since + period
    topics = []
    for topic, terms in enumerate(names):
        members = [m for m, label in zip(opening, labels.tolist(), strict=True) if label == topic]
        current = sum(1 for m in members if m.created_at >= middle)
        previous = len(members) - current
        change = trends_topics.change_of(current, previous)
        daily = Counter(min(days - 1, (m.created_at - since).days) for m in members)
        members.sort(key=lambda m: m.created_at, reverse=True)
        topics.append({
            "terms": terms, "current_count": current, "previous_count": previous,
            "change": change.change, "ratio": change.ratio,
            "daily": [daily.get(day, 0) for day in range(days)],
            "ticket_ids": [m.ticket_id for m in members[:MAX_TICKETS]],
            "examples": [{"ticket_id": m.ticket_id, "text": m.text[:300]}
                         for m in members[:EXAMPLES]],
        })  # fmt: skip
    order = {"new": 0, "rising": 1, "falling": 2, "steady": 3}
    topics.sort(key=lambda t: (order[t["change"]], -t["current_count"], -t["previous_count"]))
    for position, topic in enumerate(topics):
        topic["position"] = position
    return topics


def _prune(session: Session) -> None:
    """Keep the newest KEEP_SNAPSHOTS snapshots (a year of nightly runs and some)."""
    cutoff = session.scalar(
        select(TrendSnapshot.id).order_by(TrendSnapshot.id.desc()).offset(KEEP_SNAPSHOTS).limit(1)
    )
    if cutoff is not None:
        session.execute(delete(TrendSnapshot).where(TrendSnapshot.id <= cutoff))
