"""Articles that may answer what a customer is typing into the contact form. The kb search
wants every term to match, so a whole message rarely does: the subject is tried whole, then
its and the message's words (Latin words of three letters or more, Chinese as two-character
pieces) one by one, and articles found by more of them come first."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from kefu.kb.helpcenter import public
from kefu.kb.helpcenter.sites import SiteView
from kefu.kit.search_text import normalize

MAX_TERMS = 8
MAX_SUGGESTIONS = 5
STOPWORDS = frozenset(
    {
        "the",
        "and",
        "for",
        "you",
        "your",
        "with",
        "this",
        "that",
        "have",
        "has",
        "was",
        "are",
        "not",
        "but",
        "can",
        "how",
        "what",
        "when",
        "where",
        "why",
        "who",
        "my",
        "our",
        "his",
        "her",
        "its",
        "from",
        "into",
        "about",
        "please",
        "thanks",
        "thank",
        "hello",
        "dear",
        "would",
        "could",
        "should",
        "will",
        "did",
        "does",
        "just",
    }
)
_PIECES = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[^\W\d_]{3,}", re.UNICODE)


def terms(*texts: str) -> list[str]:
    found: list[str] = []
    for text in texts:
        for piece in _PIECES.findall(normalize(text)):
            if piece.isascii() or not ("\u3400" <= piece[0] <= "\u9fff"):
                if piece not in STOPWORDS:
                    found.append(piece)
            else:
                found.extend(piece[i : i + 2] for i in range(0, max(len(piece) - 1, 1), 2))
    return list(dict.fromkeys(t for t in found if len(t) >= 2))[:MAX_TERMS]


def suggestions(
    session: Session, *, site: SiteView, language: str, subject: str, message: str
) -> list[Any]:
    scores: dict[int, list[Any]] = {}
    queries = [subject] if subject.strip() else []
    queries += terms(subject, message)
    for rank, query in enumerate(dict.fromkeys(queries)):
        for hit in public.search(
            session, site=site, language=language, query=query, limit=MAX_SUGGESTIONS
        ):
            entry = scores.setdefault(hit.id, [0, hit])
            entry[0] += 3 if rank == 0 and query == subject else 1
        if rank == 0 and len(scores) >= MAX_SUGGESTIONS:
            break
    ranked = sorted(scores.values(), key=lambda e: (-e[0], e[1].title))
    return [hit for _score, hit in ranked[:MAX_SUGGESTIONS]]
