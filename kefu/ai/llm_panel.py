"""The ticket page's language-model panel (only when an admin switched the endpoint on): a
generated summary and a reply draft on request, never on page load (a local model may take
many seconds)."""

from typing import Any

from sqlalchemy.orm import Session

from kefu.ai import switches
from kefu.kit.actor import Actor
from kefu.tickets.panels import PanelTicket


def llm_panel(session: Session, actor: Actor, ticket: PanelTicket) -> dict[str, Any] | None:
    on = switches.current(session)
    if not on.endpoint or not on.endpoint_url:
        return None
    return {"ticket_id": ticket.id, "model": on.endpoint_model}
