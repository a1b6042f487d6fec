"""The CSAT panel beside a ticket: the customer's rating, comment and reason."""

from typing import Any

from sqlalchemy.orm import Session

from kefu.feedback.csat import ticket_ratings
from kefu.feedback.settings import get_settings, reason_label
from kefu.kit.actor import Actor
from kefu.tickets.panels import PanelTicket


def csat_panel(session: Session, actor: Actor, ticket: PanelTicket) -> dict[str, Any] | None:
    ratings = ticket_ratings(session, ticket.id)
    if not ratings:
        return None
    settings = get_settings(session)
    language = getattr(actor, "language", None) or "en"
    return {
        "ratings": [
            {
                "rating": r.rating,
                "score": r.score,
                "comment": r.comment,
                "reason": reason_label(settings, r.reason, language) if r.reason else "",
                "at": r.updated_at,
                "changed": bool(r.changes),
            }
            for r in ratings
        ]
    }
