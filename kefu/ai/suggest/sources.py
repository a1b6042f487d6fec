"""Where suggestions come from, each found cheaply with the existing searches before the
embedding ranks them: the agents' answers in solved conversations (ticket search), the
macros the agent may use (the macros' own search text) and published public articles
(the knowledge base's search)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from kefu.ai.assistant.retrieval import passages
from kefu.automation.macros import service as macros
from kefu.automation.macros.render import pick_language
from kefu.channels.email.quotes import split_reply
from kefu.errors import KefuError
from kefu.kb.links import article_url
from kefu.kb.markdown import markdown_text
from kefu.kb.queries import read_article
from kefu.kb.search import search_articles
from kefu.kit.actor import Actor
from kefu.tickets import messages
from kefu.tickets.filters import TicketFilter
from kefu.tickets.queries import SOLVED_DESC, page_ids

# Caps on the work one panel does, whatever the size of the database (bench/ai_suggest.py)
SEARCH_WORDS = 6  # words looked up one by one in the ticket search
ARTICLE_WORDS = 4  # and in the knowledge base's
TICKETS_PER_WORD = 20
MAX_TICKETS = 10  # solved tickets whose threads are read
PAIRS_PER_TICKET = 2
MAX_MACROS = 40
MAX_ARTICLES = 4
PASSAGES_PER_ARTICLE = 6
MAX_ANSWER = 2_000
_TEMPLATE_TAGS = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Candidate:
    """`match` is what is compared with the customer's words; `text` what is suggested.
    For a reply, `ticket_id` is the solved ticket it was written on."""

    source: str  # reply | macro | article
    source_id: int
    title: str
    match: str
    text: str
    ticket_id: int | None = None
    url: str | None = None


def lookup_words(asked: set[str]) -> list[str]:
    """The most telling words first (longer Latin words; Chinese pieces as they come)."""
    return sorted(asked, key=lambda w: (-len(w) if w.isascii() else -3, w))[:SEARCH_WORDS]


@lru_cache(maxsize=20_000)
def clean(text: str) -> str:
    """A message without quoted history and signature (kept whole when nothing is left);
    kept per process by text, as the same solved threads come up for many tickets."""
    new = split_reply(text or "").new.strip()
    return new or (text or "").strip()


def _solved_tickets(session: Session, *, actor: Actor, ticket: Any, asked: set[str]) -> list[int]:
    stores = [ticket.store_id] if ticket.store_id else []
    hits: Counter[int] = Counter()
    for word in lookup_words(asked):
        spec = TicketFilter(statuses=["solved", "closed"], store_ids=stores, text=word)
        rows = page_ids(
            session, actor=actor, spec=spec, sort=SOLVED_DESC, after=None, limit=TICKETS_PER_WORD
        )
        hits.update(row[0] for row in rows if row[0] != ticket.id)
    return [ticket_id for ticket_id, _count in hits.most_common(MAX_TICKETS)]


def conversation_pairs(thread: list[Any]) -> list[tuple[str, Any]]:
    """(what the customer wrote, the agent's public reply that answered it): notes and
    system messages are never part of a pair."""
    pairs: list[tuple[str, Any]] = []
    asked: list[str] = []
    for message in thread:
        if message.kind != "reply":
            continue
        if message.author_type == "customer":
            asked.append(clean(message.body_text))
        elif message.author_type == "agent" and asked:
            pairs.append(("\n".join(asked), message))
            asked = []
    return pairs


def solved_answers(
    session: Session, *, actor: Actor, ticket: Any, asked: set[str]
) -> list[Candidate]:
    found: list[Candidate] = []
    for ticket_id in _solved_tickets(session, actor=actor, ticket=ticket, asked=asked):
        pairs = conversation_pairs(messages.list_messages(session, ticket_id))
        for question, reply in pairs[:PAIRS_PER_TICKET]:
            answer = clean(reply.body_text)[:MAX_ANSWER]
            if answer:
                found.append(
                    Candidate(
                        "reply",
                        reply.id,
                        question[:120],
                        question[:MAX_ANSWER],
                        answer,
                        ticket_id=ticket_id,
                    )
                )
    return found


def matching_macros(
    session: Session, *, actor: Actor, asked: set[str], language: str
) -> list[Candidate]:
    """The reply macros the agent may use (shared ones and their own), those sharing the
    most words with the customer first, then the most used."""
    try:
        usable = macros.list_macros(session, actor=actor, limit=200, by_use=True)
    except KefuError:  # a role without macros.use: no macro suggestions
        return []
    scored = []
    for position, macro in enumerate(m for m in usable if m.kind == "reply"):
        shared = sum(1 for word in asked if word in macro.search_text)
        scored.append((-shared, position, macro))
    found = []
    for _shared, _position, macro in sorted(scored)[:MAX_MACROS]:
        body = macro.bodies.get(pick_language(macro.bodies, language), "")
        plain = " ".join(_TEMPLATE_TAGS.sub(" ", body).split())
        found.append(Candidate("macro", macro.id, macro.name, f"{macro.name}. {plain}", body))
    return found


def matching_articles(
    session: Session,
    *,
    actor: Actor,
    ticket: Any,
    asked: set[str],
    language: str | None,
    base_url: str,
) -> list[Candidate]:
    """Each passage of the published public articles (this brand's and every brand's) found
    by the most of the customer's words."""
    hits: Counter[int] = Counter()
    for word in lookup_words(asked)[:ARTICLE_WORDS]:
        for hit in search_articles(
            session,
            query=word,
            language=language,
            store_id=ticket.store_id,
            public_only=True,
            limit=5,
        ):
            hits[hit.id] += 1
    found = []
    for article_id, _count in hits.most_common(MAX_ARTICLES):
        try:
            article = read_article(session, actor=actor, article_id=article_id)
        except KefuError:
            continue
        url = base_url + article_url(article)
        text = markdown_text(article.body)
        for piece in passages(article.title, article.summary, text)[:PASSAGES_PER_ARTICLE]:
            suggestion = f"{piece}\n\n{article.title}: {url}"
            found.append(
                Candidate(
                    "article",
                    article.id,
                    article.title,
                    f"{article.title}. {piece}",
                    suggestion,
                    url=url,
                )
            )
    return found
