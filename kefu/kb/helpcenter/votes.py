"""The "Was this helpful?" vote: one answer per visitor and article (the visitor cookie's id,
unique in the database), and an optional comment that reaches the article's owner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kefu import events
from kefu.errors import InvalidInput, NotFound
from kefu.kb.helpcenter.models import HelpCenterVote
from kefu.kit.actor import Actor

MAX_COMMENT = 2000
FEEDBACK_EVENT = "helpcenter.feedback_received"


def vote(
    session: Session, *, store_id: int, article_id: int, visitor: str, is_helpful: bool
) -> tuple[HelpCenterVote, bool]:
    """(the visitor's vote, whether it is new). A second vote by the same visitor changes
    nothing: the first answer counts."""
    if not visitor:
        raise InvalidInput("a vote needs the visitor cookie")
    existing = vote_of(session, article_id=article_id, visitor=visitor)
    if existing is not None:
        return existing, False
    try:
        with session.begin_nested():
            row = HelpCenterVote(
                store_id=store_id, article_id=article_id, visitor=visitor, is_helpful=is_helpful
            )
            session.add(row)
            session.flush()
    except IntegrityError:  # the same visitor's other request won the race
        found = vote_of(session, article_id=article_id, visitor=visitor)
        assert found is not None
        return found, False
    return row, True


def vote_of(session: Session, *, article_id: int, visitor: str) -> HelpCenterVote | None:
    """The visitor's vote on the article, if any."""
    return session.scalar(
        select(HelpCenterVote).where(
            HelpCenterVote.article_id == article_id, HelpCenterVote.visitor == visitor
        )
    )


def add_comment(
    session: Session, *, article_id: int, article_title: str, visitor: str, comment: str
) -> HelpCenterVote:
    """Attach the visitor's comment to their vote (once) and tell the article's owner, after
    commit, through the `helpcenter.feedback_received` event."""
    comment = comment.strip()[:MAX_COMMENT]
    if not comment:
        raise InvalidInput("write a comment first")
    found = vote_of(session, article_id=article_id, visitor=visitor)
    if found is None:
        raise NotFound("answer “Was this helpful?” first")
    if found.comment:
        return found
    found.comment = comment
    session.flush()
    events.emit(
        session,
        FEEDBACK_EVENT,
        subject_type="kb_article",
        subject_id=article_id,
        payload={
            "vote_id": found.id,
            "store_id": found.store_id,
            "is_helpful": found.is_helpful,
            "comment": comment,
            "title": article_title[:300],
        },
        actor=Actor.system(),
    )
    return found


@dataclass(frozen=True, slots=True)
class Helpfulness:
    article_id: int
    yes: int
    no: int
    comments: int

    @property
    def rate(self) -> float | None:
        """yes / (yes + no); None before anyone answered."""
        total = self.yes + self.no
        return self.yes / total if total else None


def helpfulness(
    session: Session, *, store_id: int, since: datetime, until: datetime
) -> list[Helpfulness]:
    yes = func.sum(case((HelpCenterVote.is_helpful.is_(True), 1), else_=0))
    no = func.sum(case((HelpCenterVote.is_helpful.is_(False), 1), else_=0))
    comments = func.sum(case((HelpCenterVote.comment != "", 1), else_=0))
    rows = session.execute(
        select(HelpCenterVote.article_id, yes, no, comments)
        .where(
            HelpCenterVote.store_id == store_id,
            HelpCenterVote.created_at >= since,
            HelpCenterVote.created_at < until,
        )
        .group_by(HelpCenterVote.article_id)
    )
    found = [Helpfulness(a, int(y or 0), int(n or 0), int(c or 0)) for a, y, n, c in rows]
    return sorted(found, key=lambda h: (h.rate if h.rate is not None else 2, -(h.yes + h.no)))


def comments(session: Session, *, store_id: int | None, limit: int = 50) -> list[HelpCenterVote]:
    """The newest votes that came with a comment (`store_id` None: every brand's)."""
    statement = select(HelpCenterVote).where(HelpCenterVote.comment != "")
    if store_id is not None:
        statement = statement.where(HelpCenterVote.store_id == store_id)
    return list(session.scalars(statement.order_by(HelpCenterVote.id.desc()).limit(limit)))
