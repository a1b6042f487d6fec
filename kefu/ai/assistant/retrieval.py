"""Finding the published article that answers a question: the help center's search finds
candidates (the question whole, then its words one by one), the sentence embedding ranks
their passages, and the answer is given only when both agree enough.

Confidence = the cosine of the question and the article's best passage (its title in front)
+ 0.05 × the share of the question's words the article contains (a tie-breaker). Measured on
kefu's test questions, answers an article holds score 0.37–0.80, questions no article covers
(sharing a word with one) 0.10–0.24: under THRESHOLD the assistant says it does not know and
never stitches an answer from articles that only share a word."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from kefu.ai import embedding
from kefu.errors import NotFound
from kefu.kb.helpcenter import public, suggest
from kefu.kb.helpcenter.sites import SiteView
from kefu.kit.sanitize import html_to_text
from kefu.kit.search_text import normalize

THRESHOLD = 0.40
MAX_CANDIDATES = 6
MAX_PASSAGE = 400
MAX_WORDS = 12
_PIECES = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[^\W\d_]{3,}", re.UNICODE)
_SENTENCES = re.compile(r"(?<=[.!?。！？])\s*")


@dataclass(frozen=True, slots=True)
class ArticleAnswer:
    article_id: int
    slug: str
    title: str
    passage: str
    confidence: float


def passages(title: str, summary: str, body_text: str) -> list[str]:
    """The article cut into what can be quoted: paragraphs, long ones into sentence runs."""
    found: list[str] = []
    for paragraph in (p.strip() for p in body_text.split("\n")):
        if not paragraph or paragraph == title:
            continue
        if len(paragraph) <= MAX_PASSAGE:
            found.append(paragraph)
            continue
        run = ""
        for sentence in _SENTENCES.split(paragraph):
            if run and len(run) + len(sentence) > MAX_PASSAGE:
                found.append(run.strip())
                run = ""
            run += sentence + ("" if sentence.endswith(tuple("。！？")) else " ")
        if run.strip():
            found.append(run.strip()[:MAX_PASSAGE])
    if summary.strip():
        found.insert(0, summary.strip())
    return found or [title]


def search_words(question: str) -> list[str]:
    """The words to look articles up by: Latin words of 3+ letters without stop words, a
    plural's "s" dropped (the search matches prefixes: "order" finds "orders", not the
    reverse), and every two-character piece of a Chinese run (overlapping: 可以开发票 has 发票)."""
    words: list[str] = []
    for piece in _PIECES.findall(normalize(question)):
        if "\u3400" <= piece[0] <= "\u9fff":
            words.extend(piece[i : i + 2] for i in range(max(len(piece) - 1, 1)))
        elif piece not in suggest.STOPWORDS:
            words.append(piece[:-1] if len(piece) > 4 and piece.endswith("s") else piece)
    return list(dict.fromkeys(w for w in words if len(w) >= 2))[:MAX_WORDS]


def _candidates(
    session: Session, *, site: SiteView, language: str, question: str
) -> dict[int, tuple[Any, int, int]]:
    """Article id → (hit, words of the question it contains, how many words were asked)."""
    words = search_words(question)
    found: dict[int, tuple[Any, int, int]] = {}
    for query in dict.fromkeys([question[:200], *words]):
        for hit in public.search(session, site=site, language=language, query=query, limit=5):
            hit_words = len(words) if query not in words else 1
            old = found.get(hit.id)
            found[hit.id] = (hit, (old[1] if old else 0) + hit_words, len(words))
    ranked = sorted(found.items(), key=lambda item: -item[1][1])
    return dict(ranked[:MAX_CANDIDATES])


def best_answer(
    session: Session, *, site: SiteView, language: str, question: str
) -> ArticleAnswer | None:
    """The best passage of a published public article of the site for `question`, with its
    confidence; None when no article shares a word with it."""
    candidates = _candidates(session, site=site, language=language, question=question)
    if not candidates:
        return None
    texts: list[str] = [question]
    owners: list[tuple[Any, float, str]] = []
    for hit, matched, asked in candidates.values():
        try:
            found = public.article(session, site=site, language=language, slug=hit.slug)
        except NotFound:
            continue
        coverage = min(matched / asked, 1.0) if asked else 1.0
        pieces = passages(found.title, found.summary, html_to_text(found.body_html))
        for piece in pieces:
            texts.append(f"{found.title}. {piece}")
            owners.append((found, coverage, piece))
    if not owners:
        return None
    vectors = embedding.embed(texts)
    similarity = vectors[1:] @ vectors[0]
    scores = np.clip(similarity, 0.0, 1.0) + 0.05 * np.array([o[1] for o in owners])
    best = int(np.argmax(scores))
    article, _coverage, piece = owners[best]
    return ArticleAnswer(
        article_id=article.id,
        slug=article.slug,
        title=article.title,
        passage=piece,
        confidence=round(float(scores[best]), 3),
    )
