"""Suggested replies for a ticket: candidates from the three sources, ranked by the hybrid
score, the best SHOWN filled in for this ticket and recorded as shown; then what the agent
did with them (inserted into the composer, sent as suggested, edited or replaced)."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.ai import switches
from kefu.ai.signals import detect_language
from kefu.ai.suggest import fill, ranking, sources
from kefu.ai.suggest.models import SuggestionShown
from kefu.automation.macros.context import build_context, customer_language
from kefu.errors import InvalidInput, NotFound
from kefu.kit.actor import Actor
from kefu.kit.i18n import N_, gettext
from kefu.permissions import require
from kefu.tickets import messages
from kefu.tickets import service as tickets

log = logging.getLogger(__name__)
SHOWN = 3  # Alt+1 … Alt+3
MIN_SCORE = 0.35  # below it a candidate shares too little with the question to be shown
AS_SUGGESTED = 0.95  # similarity of the sent reply to the suggestion
KEPT = 0.6  # at least this: "edited"; below: "replaced" (the agent wrote their own)
QUESTION_MESSAGES = 2  # the customer's latest messages the question is made of
SUGGESTING_STATUSES = ("new", "open", "pending", "on_hold")
OFF = N_("Suggested replies are switched off.")


@dataclass(frozen=True, slots=True)
class Suggestion:
    id: int
    rank: int
    source: str
    source_id: int
    title: str
    text: str
    score: float
    missing: list[str] = field(default_factory=list)
    url: str | None = None
    from_ticket_id: int | None = None


def question_of(session: Session, ticket: Any) -> str:
    """The ticket's subject and what the customer wrote since the last public agent reply
    (their latest QUESTION_MESSAGES messages, quoted history and signatures left out)."""
    waiting: list[str] = []
    for message in messages.list_messages(session, ticket.id):
        if message.kind != "reply":
            continue
        if message.author_type == "agent":
            waiting = []
        elif message.author_type == "customer":
            waiting.append(sources.clean(message.body_text))
    if not waiting:
        return ""
    return "\n".join([ticket.subject or "", *waiting[-QUESTION_MESSAGES:]]).strip()


def _language(session: Session, ticket_id: int, question: str) -> str:
    """The customer's language as macros and articles name it ("en", "zh_Hans")."""
    known = customer_language(session, ticket_id)
    if known:
        return "zh_Hans" if known.lower().startswith("zh") else "en"
    return "zh_Hans" if detect_language(question) == "zh" else "en"


def ranked_candidates(
    session: Session, *, actor: Actor, ticket: Any, question: str, language: str, base_url: str
) -> list[tuple[float, sources.Candidate]]:
    """Every candidate's best hybrid score, one per source item, best first."""
    asked = ranking.words(question)
    found = [
        *sources.solved_answers(session, actor=actor, ticket=ticket, asked=asked),
        *sources.matching_macros(session, actor=actor, asked=asked, language=language),
        *sources.matching_articles(
            session, actor=actor, ticket=ticket, asked=asked, language=language, base_url=base_url
        ),
    ]
    best: dict[tuple[str, int | str], tuple[float, sources.Candidate]] = {}
    scored = ranking.scores(question, asked, [c.match for c in found])
    for score, candidate in zip(scored, found, strict=True):
        # one suggestion per source item, and one per answer text (agents repeat themselves)
        key = (candidate.source, candidate.source_id)
        if candidate.source == "reply":
            key = ("reply", " ".join(candidate.text.lower().split()))
        if key not in best or score > best[key][0]:
            best[key] = (score, candidate)
    return sorted(best.values(), key=lambda item: (-item[0], item[1].source, item[1].source_id))


def _filled(
    session: Session,
    candidate: sources.Candidate,
    *,
    ticket_id: int,
    agent_id: int | None,
    language: str,
    known: dict[str, Any],
) -> fill.Filled:
    """The candidate filled in for the ticket; `known` keeps the ticket's template context
    for the next candidate (built once per call, only when a past answer needs it)."""
    if candidate.source == "macro":
        return fill.fill_macro(
            session,
            macro_id=candidate.source_id,
            ticket_id=ticket_id,
            agent_id=agent_id,
            language=language,
        )
    if candidate.source == "reply" and candidate.ticket_id is not None:
        return fill.fill_answer(
            session,
            text=candidate.text,
            from_ticket_id=candidate.ticket_id,
            context=known.get("context")
            or known.setdefault(
                "context",
                build_context(session, ticket_id=ticket_id, agent_id=agent_id, language=language),
            ),
            language=language,
        )
    return fill.Filled(candidate.text)


def _record_shown(
    session: Session,
    *,
    ticket_id: int,
    agent_id: int | None,
    candidate: sources.Candidate,
    rank: int,
    score: float,
    text: str,
    now: datetime,
) -> SuggestionShown:
    """The suggestion's row: the same suggestion shown again before a reply was sent is
    the same row (a page reload is not a second chance to count)."""
    row = session.scalar(
        select(SuggestionShown).where(
            SuggestionShown.ticket_id == ticket_id,
            SuggestionShown.source == candidate.source,
            SuggestionShown.source_id == candidate.source_id,
            SuggestionShown.sent_at.is_(None),
        )
    )
    if row is None:
        row = SuggestionShown(
            ticket_id=ticket_id,
            source=candidate.source,
            source_id=candidate.source_id,
            shown_at=now,
        )
        session.add(row)
    row.agent_id, row.rank, row.score, row.text = agent_id, rank, score, text
    return row


def suggest(
    session: Session, *, actor: Actor, ticket_id: int, base_url: str, now: datetime
) -> list[Suggestion]:
    """The best SHOWN suggestions for an open ticket's latest customer message(s), each
    recorded as shown; none for a solved or closed ticket or one the customer has not
    written on since the last reply. NotFound when suggestions are switched off."""
    if not switches.is_on(session, "suggestions"):
        raise NotFound(gettext(OFF))
    require(actor, "tickets.reply")
    ticket = tickets.read_ticket(session, actor=actor, ticket_id=ticket_id)
    if ticket.status not in SUGGESTING_STATUSES or ticket.merged_into_id or ticket.deleted_at:
        return []
    question = question_of(session, ticket)
    if not question:
        return []
    language = _language(session, ticket_id, question)
    ranked = ranked_candidates(
        session, actor=actor, ticket=ticket, question=question, language=language, base_url=base_url
    )
    chosen: list[tuple[float, sources.Candidate, fill.Filled, SuggestionShown]] = []
    known: dict[str, Any] = {}
    for score, candidate in ranked:
        if score < MIN_SCORE or len(chosen) >= SHOWN:
            break
        try:
            filled = _filled(
                session,
                candidate,
                ticket_id=ticket_id,
                agent_id=actor.agent_id,
                language=language,
                known=known,
            )
        except InvalidInput as exc:  # a macro whose template fails on this ticket
            log.warning(
                "suggestion %s %s left out on ticket %s: %s",
                candidate.source,
                candidate.source_id,
                ticket_id,
                exc.message,
            )
            continue
        row = _record_shown(
            session,
            ticket_id=ticket_id,
            agent_id=actor.agent_id,
            candidate=candidate,
            rank=len(chosen) + 1,
            score=score,
            text=filled.text,
            now=now,
        )
        chosen.append((score, candidate, filled, row))
    session.flush()
    return [
        Suggestion(
            row.id,
            row.rank,
            c.source,
            c.source_id,
            c.title,
            filled.text,
            score,
            filled.missing,
            c.url,
            c.ticket_id,
        )
        for score, c, filled, row in chosen
    ]


def mark_inserted(
    session: Session, *, actor: Actor, ticket_id: int, suggestion_id: int, now: datetime
) -> SuggestionShown:
    """The agent put the suggestion into the composer (the first time counts)."""
    require(actor, "tickets.reply")
    tickets.read_ticket(session, actor=actor, ticket_id=ticket_id)
    row = session.get(SuggestionShown, suggestion_id)
    if row is None or row.ticket_id != ticket_id:
        raise NotFound(gettext(N_("This suggestion was not shown on this ticket.")))
    if row.sent_at is not None:
        raise InvalidInput(gettext(N_("A reply was sent since: reload the suggestions.")))
    if row.inserted_at is None:
        row.inserted_at, row.agent_id = now, actor.agent_id
    session.flush()
    return row


def similarity(sent: str, suggested: str) -> float:
    """How much of the suggestion the sent reply kept (0–1, whitespace ignored)."""
    a, b = " ".join(sent.split()), " ".join(suggested.split())
    if not a or not b:
        return 0.0
    return round(difflib.SequenceMatcher(None, a, b, autojunk=False).ratio(), 4)


def reply_sent(
    session: Session,
    *,
    actor: Actor,
    ticket_id: int,
    body: str,
    suggestion_id: int | None,
    now: datetime,
) -> None:
    """A public reply was sent on the ticket: the inserted suggestion gets its outcome by how
    much of it the reply kept; the other suggestions shown since the last reply were not
    used. Either way they are settled, and the next customer message gets new rows."""
    pending = session.scalars(
        select(SuggestionShown).where(
            SuggestionShown.ticket_id == ticket_id, SuggestionShown.sent_at.is_(None)
        )
    ).all()
    for row in pending:
        row.sent_at = now
        if row.id == suggestion_id:
            row.inserted_at = row.inserted_at or now
            row.similarity = similarity(body, row.text)
            row.outcome = (
                "as_suggested"
                if row.similarity >= AS_SUGGESTED
                else "edited"
                if row.similarity >= KEPT
                else "replaced"
            )
        else:
            row.outcome = "replaced" if row.inserted_at else "not_used"
    session.flush()


def on_send(session: Session, actor: Actor, ticket_id: int, form: Mapping[str, Any]) -> None:
    """The composer's send hook (kefu.tickets.composer): only public replies settle."""
    if form.get("kind") == "note":
        return
    raw = form.get("suggestion_id")
    chosen = int(raw) if isinstance(raw, str) and raw.strip().isdigit() else None
    body = form.get("body")
    from kefu.runtime import current

    reply_sent(
        session,
        actor=actor,
        ticket_id=ticket_id,
        suggestion_id=chosen,
        body=body if isinstance(body, str) else "",
        now=current().clock(),
    )
