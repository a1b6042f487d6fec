"""What the ticket pages show, assembled once: labels, choices and the page contexts."""

from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request

from kefu.accounts import service as accounts
from kefu.errors import refusal_message
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.permissions import can
from kefu.tickets.composer import tools_for
from kefu.tickets.details import TicketThread, load_thread
from kefu.tickets.panels import message_cards_for, panels_for
from kefu.tickets.schemas import (
    CHANNEL_LABELS,
    PRIORITY_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    Status,
)

# The statuses an agent sets by hand ("new" is where a ticket starts, "closed" is automatic).
SETTABLE_STATUSES = (Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED)


def status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))  # type: ignore[call-overload]


def labels() -> dict[str, Any]:
    """Translated labels for the templates (in the request's language)."""
    return {
        "status_labels": {k.value: _(v) for k, v in STATUS_LABELS.items()},
        "priority_labels": {k.value: _(v) for k, v in PRIORITY_LABELS.items()},
        "type_labels": {k.value: _(v) for k, v in TYPE_LABELS.items()},
        "channel_labels": {k.value: _(v) for k, v in CHANNEL_LABELS.items()},
        "settable_statuses": [s.value for s in SETTABLE_STATUSES],
        "noise_labels": {
            "auto_reply": _("Automatic reply: it reopens nothing and is never answered"),
            "bounce": _("Bounce: a mail server could not deliver an email"),
            "list": _("Mailing list or newsletter mail"),
        },
    }


def message_error(exc: Exception) -> str:
    """A refusal as one sentence for a flash or an inline message."""
    return refusal_message(exc)


def rights(actor: Actor) -> dict[str, bool]:
    return {
        "can_reply": can(actor, "tickets.reply"),
        "can_note": can(actor, "tickets.note"),
        "can_update": can(actor, "tickets.update"),
        "can_delete": can(actor, "tickets.delete"),
        "can_edit_customer": can(actor, "customers.update"),
    }


def _people(session: Session, actor: Actor) -> dict[str, Any]:
    agents = accounts.list_agents(session, actor=actor, include_inactive=False)
    return {
        "all_agents": agents,
        "teams": accounts.list_teams(session, actor=actor),
        "mention_agents": [{"id": a.id, "name": a.name} for a in agents if a.id != actor.agent_id],
    }


def side_panel_context(
    request: Request, session: Session, actor: Actor, ticket_id: int, **extra: Any
) -> dict[str, Any]:
    thread = load_thread(session, actor=actor, ticket_id=ticket_id)
    return {
        "thread": thread,
        "ticket": thread.ticket,
        "read": thread.read,
        **_people(session, actor),
        **labels(),
        **rights(actor),
        "is_editable": _is_editable(thread),
        **extra,
    }


def _is_editable(thread: TicketThread) -> bool:
    ticket = thread.ticket
    return (
        ticket.status != Status.CLOSED
        and ticket.merged_into_id is None
        and ticket.deleted_at is None
    )


def ticket_context(
    request: Request,
    session: Session,
    actor: Actor,
    ticket_id: int,
    *,
    view: str = "",
    draft: dict[str, str] | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    context = side_panel_context(request, session, actor, ticket_id)
    thread: TicketThread = context["thread"]
    draft = draft or {}
    default_kind = "reply" if context["can_reply"] else "note"
    context.update(
        view=view,
        draft={"kind": draft.get("kind") or default_kind, "body": draft.get("body", "")},
        composer_error=error,
        author_names={
            **{f"a{k}": v.name for k, v in thread.agents.items()},
            **{f"c{k}": (v.name or _("Customer")) for k, v in thread.customers.items()},
        },
        neighbors=_neighbors(session, actor, view, ticket_id),
        panels=panels_for(session, actor, thread.ticket),
        message_cards=message_cards_for(
            session, actor, thread.ticket, [m.id for m in thread.messages]
        ),
        composer_tools=tools_for(session, actor, thread.ticket),
        presence_enabled=False,
    )
    context.update(_presence(request, ticket_id))
    return context


def _neighbors(session: Session, actor: Actor, view: str, ticket_id: int) -> dict[str, Any]:
    """Previous and next ticket of the view the agent came from."""
    if not view:
        return {}
    from kefu.tickets.inbox import neighbors_in_view

    return neighbors_in_view(session, actor=actor, view=view, ticket_id=ticket_id)


def _presence(request: Request, ticket_id: int) -> dict[str, Any]:
    """Collision detection: who else views or types on this ticket (kept live by the stream)."""
    from kefu.tickets.live_pages import presence_context

    return {"presence_enabled": True, **presence_context(request, ticket_id)}
