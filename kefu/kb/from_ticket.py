"""An article drafted from a solved ticket: its subject and the last public agent reply, read
through the tickets service."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from kefu.errors import Conflict
from kefu.kit.actor import Actor
from kefu.permissions import can
from kefu.tickets import messages as ticket_messages
from kefu.tickets import service as tickets


@dataclass(frozen=True, slots=True)
class AnswerDraft:
    ticket_id: int
    title: str
    body: str


def can_draft_from(actor: Actor, status: str) -> bool:
    return str(status) == "solved" and (can(actor, "kb.write") or can(actor, "kb.manage"))


def answer_draft(session: Session, *, actor: Actor, ticket_id: int) -> AnswerDraft:
    """The title and text of a new article from a solved ticket's last public agent reply."""
    ticket = tickets.read_ticket(session, actor=actor, ticket_id=ticket_id)
    if str(ticket.status) != "solved":
        raise Conflict("only a solved ticket's answer can become an article")
    replies = [
        m
        for m in ticket_messages.list_messages(session, ticket.id)
        if m.kind == "reply" and m.author_type == "agent" and m.body_text.strip()
    ]
    if not replies:
        raise Conflict("this ticket has no public agent reply")
    return AnswerDraft(ticket_id=ticket.id, title=ticket.subject or "", body=replies[-1].body_text)
