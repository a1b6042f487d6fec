"""Reading the queued customer messages (kefu.ai.queueing): in batches, with no transaction
open while the models work; then each message's reading is stored, its ticket's current one
moved, and `message.analysed` emitted (what triggers on intent, sentiment and urgency
listen to)."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from kefu.ai import embedding, insights, live, queueing, sentiment, switches
from kefu.ai.intent import OUT_OF_SCOPE, IntentClassifier
from kefu.ai.models import MessageAnalysis, PendingAnalysis, TicketInsight
from kefu.ai.signals import detect_language, detect_urgency
from kefu.ai.taxonomy import OTHER
from kefu.db import Database
from kefu.events import emit
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.tickets import loading as tickets_loading
from kefu.tickets.ai_attributes import AiAttributes

log = logging.getLogger(__name__)
BATCH = 256
MAX_TEXT = 5000  # what the models read of a long message


@dataclass(frozen=True, slots=True)
class Reading:
    intent: str | None
    intent_confidence: float | None
    language: str
    sentiment: str | None
    negative_probability: float | None
    urgency: str | None
    urgency_reasons: tuple[str, ...]


def read(
    texts: Sequence[str], *, on: switches.Switches, classifier: IntentClassifier | None
) -> list[Reading]:
    """What the switched-on features read from each text (the embedding is computed once,
    and not at all when neither intent nor sentiment is on)."""
    if not texts:
        return []
    vectors = embedding.embed(texts) if on.intent or on.sentiment else None
    predictions = [None] * len(texts)
    if on.intent and classifier is not None:
        predictions = classifier.predict(texts, vectors=vectors)  # type: ignore[assignment]
    moods = sentiment.classify(texts, vectors=vectors) if on.sentiment else [None] * len(texts)
    found = []
    for text, prediction, mood in zip(texts, predictions, moods, strict=True):
        urgency = detect_urgency(text, sentiment=mood.label if mood else None)
        found.append(Reading(
            intent=None if prediction is None else (
                OTHER.id if prediction.intent == OUT_OF_SCOPE else prediction.intent),
            intent_confidence=None if prediction is None else round(prediction.confidence, 4),
            language=detect_language(text),
            sentiment=mood.label if mood else None,
            negative_probability=mood.negative_probability if mood else None,
            urgency=urgency.level if on.urgency else None,
            urgency_reasons=urgency.reasons if on.urgency else (),
        ))  # fmt: skip
    return found


def read_pending(database: Database, *, key: str, batch: int = BATCH) -> int:
    """Read every queued message, a batch at a time; returns how many were stored."""
    stored = 0
    while True:
        with database.sessions() as session:
            queued = session.execute(
                select(PendingAnalysis.message_id, PendingAnalysis.ticket_id)
                .order_by(PendingAnalysis.message_id)
                .limit(batch)
            ).all()
            if not queued:
                return stored
            on = switches.current(session)
            messages = tickets_loading.messages_by_ids(session, (q.message_id for q in queued))
            texts = {m.id: (m.body_text or "").strip()[:MAX_TEXT] for m in messages.values()}
            model = live.source(session) if on.intent else None
        # the models work with no transaction open: ingest and the handlers never wait
        classifier, version = live.build(model, key=key) if model else (None, "")
        ids = [q.message_id for q in queued if texts.get(q.message_id)]
        readings = dict(zip(ids, read([texts[i] for i in ids], on=on, classifier=classifier),
                            strict=True))  # fmt: skip
        tickets = {q.message_id: q.ticket_id for q in queued}
        with database.unit_of_work(actor=Actor.job(queueing.JOB)) as session:
            stored += store(session, [q.message_id for q in queued], tickets, readings, version)


def store(
    session: Session, message_ids: list[int], tickets: dict[int, int],
    readings: dict[int, Reading], version: str,
) -> int:  # fmt: skip
    """Take the messages off the queue (only those still on it: another reader may have
    taken them), store their readings and move their tickets' current reading."""
    taken = set(session.scalars(
        delete(PendingAnalysis).where(PendingAnalysis.message_id.in_(message_ids))
        .returning(PendingAnalysis.message_id)))  # fmt: skip
    mine = sorted(m for m in taken if m in readings)
    if not mine:
        return 0
    done = set(session.scalars(select(MessageAnalysis.message_id).where(
        MessageAnalysis.message_id.in_(mine))))  # fmt: skip
    mine = [m for m in mine if m not in done]
    now = utcnow()
    rows = []
    for message_id in mine:
        r = readings[message_id]
        rows.append({
            "message_id": message_id, "ticket_id": tickets[message_id], "intent": r.intent,
            "intent_confidence": r.intent_confidence, "language": r.language,
            "sentiment": r.sentiment, "negative_probability": r.negative_probability,
            "urgency": r.urgency, "urgency_reasons": list(r.urgency_reasons),
            "model_version": version if r.intent is not None else "", "analysed_at": now,
        })  # fmt: skip
    if rows:
        session.execute(insert(MessageAnalysis.__table__), rows)
    latest = {tickets[m]: m for m in mine}  # message ids ascend: the newest per ticket wins
    attributes = move_insights(session, latest, readings, now)
    insights.store_attributes(session, attributes)
    for message_id in mine:
        r = readings[message_id]
        payload = {
            "message_id": message_id,
            "author_type": "customer",
            "intent": r.intent,
            "sentiment": r.sentiment,
            "urgency": r.urgency,
            "language": r.language,
        }
        emit(session, "message.analysed", subject_type="ticket", subject_id=tickets[message_id],
             payload=payload)  # fmt: skip
    return len(mine)


def move_insights(
    session: Session, latest: dict[int, int], readings: dict[int, Reading], now: datetime
) -> dict[int, AiAttributes]:
    """Each ticket's reading from its newest customer message (an agent's intent stays).
    Written without the ORM: a machine's reading is no person's change, so it is not in the
    audit log (an agent's correction, through the ORM, is)."""
    table = TicketInsight.__table__
    known = {
        row.ticket_id: row
        for row in session.execute(
            select(table.c.ticket_id, table.c.message_id, table.c.intent,
                   table.c.intent_source).where(table.c.ticket_id.in_(sorted(latest)))
        )
    }  # fmt: skip
    attributes = {}
    for ticket_id, message_id in sorted(latest.items()):
        old = known.get(ticket_id)
        if old is not None and (old.message_id or 0) > message_id:
            continue
        r = readings[message_id]
        values: dict[str, Any] = {
            "message_id": message_id, "language": r.language, "sentiment": r.sentiment,
            "negative_probability": r.negative_probability, "urgency": r.urgency,
            "urgency_reasons": list(r.urgency_reasons), "updated_at": now,
        }  # fmt: skip
        keeps_agents = old is not None and old.intent_source == "agent"
        if not keeps_agents:
            values |= {"intent": r.intent, "intent_confidence": r.intent_confidence,
                       "label_message_id": message_id}  # fmt: skip
        if old is None:
            session.execute(insert(table).values(ticket_id=ticket_id, intent_source="model",
                                                 **values))  # fmt: skip
        else:
            session.execute(update(table).where(table.c.ticket_id == ticket_id).values(**values))
        intent = old.intent if keeps_agents else r.intent
        attributes[ticket_id] = AiAttributes(intent, r.sentiment, r.urgency, r.language)
    return attributes
