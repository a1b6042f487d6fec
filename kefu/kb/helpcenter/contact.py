"""The contact form: suggestions while the customer types, the ticket it opens through
ingest, and per visit whether a suggested article was opened and whether the form was sent.

Deflection: a visit that was shown suggestions, opened one of them and never sent the form
(docs/helpcenter.md)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kefu.ingest import service as ingest
from kefu.ingest.schemas import InboundMessage, IngestResult, Sender
from kefu.kb.helpcenter.models import HelpCenterVisit
from kefu.kb.helpcenter.schemas import ContactIn
from kefu.kit.clock import utcnow

TOKEN_BYTES = 18


def new_visit_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def is_token(token: str | None) -> bool:
    """A visit token as new_visit_token() makes them (URL-safe, 16–40 characters)."""
    if not token or not 16 <= len(token) <= 40:
        return False
    return token.replace("-", "").replace("_", "").isalnum() and token.isascii()


def _visit(session: Session, *, store_id: int, token: str) -> HelpCenterVisit | None:
    """The visit of this token, created on first use; None for a token that is malformed or
    belongs to another brand."""
    if not is_token(token):
        return None
    found = session.scalar(select(HelpCenterVisit).where(HelpCenterVisit.token == token))
    if found is None:
        try:
            with session.begin_nested():
                found = HelpCenterVisit(store_id=store_id, token=token)
                session.add(found)
                session.flush()
        except IntegrityError:
            found = session.scalar(select(HelpCenterVisit).where(HelpCenterVisit.token == token))
    if found is None or found.store_id != store_id:
        return None
    return found


def suggestions_shown(session: Session, *, store_id: int, token: str, count: int) -> None:
    if count <= 0:
        return
    visit = _visit(session, store_id=store_id, token=token)
    if visit is not None:
        visit.suggestions_shown += count


def suggestion_opened(session: Session, *, store_id: int, token: str, article_id: int) -> None:
    """A suggested article was opened from the form (only a visit that was shown some)."""
    visit = _visit(session, store_id=store_id, token=token)
    if visit is None or not visit.suggestions_shown or visit.suggestion_opened_at is not None:
        return
    visit.suggestion_opened_at = utcnow()
    visit.opened_article_id = article_id


def submit(
    session: Session, *, store_id: int, token: str, data: ContactIn, language: str
) -> IngestResult:
    """Open (or, for the same visit sent twice, find) the ticket. Idempotent on the visit
    token: ingest knows the message by (channel "web", source id)."""
    body = data.message
    if data.order_number:
        body += f"\n\nOrder number: {data.order_number}"
    message = InboundMessage(
        channel="web",
        source_id=f"helpcenter:{token}",
        sender=Sender(email=data.email, name=data.name or None),
        subject=data.subject,
        body_text=body,
        store_id=store_id,
        details={
            "helpcenter": {"language": language},
            **({"order_number": data.order_number} if data.order_number else {}),
        },
    )
    result = ingest.ingest(session, message=message)
    visit = _visit(session, store_id=store_id, token=token)
    if visit is not None and visit.submitted_at is None:
        visit.submitted_at = utcnow()
        visit.ticket_id = result.ticket_id
    return result


@dataclass(frozen=True, slots=True)
class Deflection:
    """Contact-form visits in a period: shown suggestions, opened one, sent the form, and
    deflected (opened one and did not send)."""

    with_suggestions: int
    opened: int
    submitted: int
    deflected: int

    @property
    def rate(self) -> float | None:
        """deflected / visits shown suggestions; None when there were none."""
        return self.deflected / self.with_suggestions if self.with_suggestions else None


def deflection(session: Session, *, store_id: int, since: datetime, until: datetime) -> Deflection:
    def count(*conditions: object) -> int:
        statement = select(func.count(HelpCenterVisit.id)).where(
            HelpCenterVisit.store_id == store_id,
            HelpCenterVisit.created_at >= since,
            HelpCenterVisit.created_at < until,
            *conditions,  # type: ignore[arg-type]
        )
        return int(session.scalar(statement) or 0)

    shown = HelpCenterVisit.suggestions_shown > 0
    opened = HelpCenterVisit.suggestion_opened_at.is_not(None)
    return Deflection(
        with_suggestions=count(shown),
        opened=count(shown, opened),
        submitted=count(shown, HelpCenterVisit.submitted_at.is_not(None)),
        deflected=count(shown, opened, HelpCenterVisit.submitted_at.is_(None)),
    )
