"""Article search: every article's tokens (kefu.kit.search_text: English words, Chinese
bigrams) in one indexed table, the same on SQLite and PostgreSQL.

A query's words are prefixes ("ref" finds "refund"), a Chinese run needs all its bigrams
(退款 finds 申请退款流程), and every term must match. Hits are ranked by title matches (ten
points each) then body matches, newest first on a tie."""

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import Select, delete, func, insert, literal, or_, select, union_all
from sqlalchemy.orm import Session

from kefu.kb.categories import category_refs
from kefu.kb.models import KbArticle, KbSearchToken
from kefu.kb.views import ArticleHit
from kefu.kit.sanitize import html_to_text
from kefu.kit.search_text import MAX_TOKEN_LENGTH, index_tokens, normalize, query_terms

TITLE_WEIGHT = 10
MAX_TERMS = 8
SNIPPET_RADIUS = 80


def index_article(session: Session, article: KbArticle, text: str) -> None:
    """Replace an article's tokens: its title and `text` (the body's plain text)."""
    session.execute(delete(KbSearchToken).where(KbSearchToken.article_id == article.id))
    in_title = Counter(index_tokens(article.title))
    in_body = Counter(index_tokens(article.summary, text, " ".join(article.tags)))
    rows = [
        {
            "token": token,
            "article_id": article.id,
            "title_hits": in_title.get(token, 0),
            "body_hits": in_body.get(token, 0),
        }
        for token in dict.fromkeys([*in_title, *in_body])
        if len(token) <= MAX_TOKEN_LENGTH
    ]
    if rows:
        session.execute(insert(KbSearchToken), rows)


def search_tokens(query: str) -> list[tuple[str, bool]]:
    """(token, is_prefix) pairs that must all match: each word a prefix, each CJK bigram
    exact, a lone CJK character a prefix."""
    wanted: list[tuple[str, bool]] = []
    for term in query_terms(query.replace('"', " ")):
        if term.is_prefix or (len(term.tokens) == 1 and not _is_cjk(term.tokens[0])):
            wanted.append((term.tokens[0], True))
        else:
            wanted.extend((token, False) for token in term.tokens)
    return list(dict.fromkeys(wanted))[:MAX_TERMS]


def _is_cjk(token: str) -> bool:
    # Chinese, Japanese and Korean characters are all wide; their runs became bigrams
    return unicodedata.east_asian_width(token[0]) in ("W", "F")


def _after(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _term_rows(index: int, token: str, is_prefix: bool) -> Select:
    if is_prefix:
        match = (KbSearchToken.token >= token) & (KbSearchToken.token < _after(token))
    else:
        match = KbSearchToken.token == token
    return select(
        KbSearchToken.article_id.label("article_id"),
        literal(index).label("term"),
        (KbSearchToken.title_hits * TITLE_WEIGHT + KbSearchToken.body_hits).label("points"),
    ).where(match)


def search_articles(
    session: Session,
    *,
    query: str,
    language: str | None,
    store_id: int | None,
    public_only: bool,
    limit: int = 10,
    states: Sequence[str] = ("published",),
) -> list[ArticleHit]:
    """Articles matching every term of `query`, best first. `public_only` keeps public
    published ones (the help center); otherwise internal ones are found too. A `store_id`
    keeps that brand's articles and the all-brand ones; None searches every brand."""
    wanted = search_tokens(query)
    if not wanted:
        return []
    matches = union_all(*(_term_rows(i, t, p) for i, (t, p) in enumerate(wanted))).subquery()
    scored = (
        select(matches.c.article_id, func.sum(matches.c.points).label("score"))
        .group_by(matches.c.article_id)
        .having(func.count(func.distinct(matches.c.term)) == len(wanted))
        .subquery()
    )
    statement = (
        select(KbArticle, scored.c.score)
        .join(scored, scored.c.article_id == KbArticle.id)
        .where(KbArticle.state.in_(list(states)))
        .order_by(scored.c.score.desc(), KbArticle.updated_at.desc(), KbArticle.id.desc())
        .limit(max(1, min(limit, 100)))
    )
    if public_only:
        statement = statement.where(
            KbArticle.visibility == "public", KbArticle.state == "published"
        )
    if language:
        statement = statement.where(KbArticle.language == language)
    if store_id is not None:
        statement = statement.where(
            or_(KbArticle.store_id == store_id, KbArticle.store_id.is_(None))
        )
    rows = session.execute(statement).all()
    refs = category_refs(session, [a.category_id for a, _ in rows], language or "en")
    words = [token for token, _ in wanted]
    return [
        ArticleHit(
            id=article.id,
            slug=article.slug,
            title=article.title,
            summary=article.summary,
            snippet_html=snippet_html(article.summary + "\n" + _plain(article), words),
            language=article.language,
            store_id=article.store_id,
            visibility=article.visibility,
            state=article.state,
            category=refs.get(article.category_id) if article.category_id else None,
            score=int(score),
            updated_at=article.updated_at,
        )
        for article, score in rows
    ]


def _plain(article: KbArticle) -> str:
    return html_to_text(article.body_html)


def snippet_html(text: str, words: list[str]) -> str:
    """Escaped text around the first matching word, every match wrapped in <mark>."""
    flat = " ".join(text.split())
    lowered = normalize(flat)
    if len(lowered) != len(flat):  # NFKC changed lengths: search in the normalized text
        flat = lowered
    first = min((i for w in words if (i := lowered.find(w)) >= 0), default=0)
    start = max(0, first - SNIPPET_RADIUS)
    end = min(len(flat), first + SNIPPET_RADIUS * 2)
    piece = flat[start:end]
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    out: list[str] = ["…" if start else ""]
    position = 0
    for found in pattern.finditer(normalize(piece)):
        out.append(html.escape(piece[position : found.start()]))
        out.append("<mark>" + html.escape(piece[found.start() : found.end()]) + "</mark>")
        position = found.end()
    out.append(html.escape(piece[position:]))
    out.append("…" if end < len(flat) else "")
    return "".join(out)
