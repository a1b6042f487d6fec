"""Macros in the ticket composer: the picker's search, the filled-in text, and the send hook
that makes the macro's changes and counts its use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from kefu.automation.macros import service
from kefu.automation.macros.render import macro_sent, preview_macro
from kefu.automation.ticket_changes import (
    AddTags,
    Assign,
    RemoveTags,
    SetField,
    SetPriority,
    SetStatus,
    SetType,
    TicketChange,
)
from kefu.errors import KefuError
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.permissions import can
from kefu.tickets.composer import ComposerTool
from kefu.tickets.panels import PanelTicket
from kefu.tickets.schemas import PRIORITY_LABELS, STATUS_LABELS
from kefu.web.deps import DbSession, PageActor
from kefu.web.templating import render

router = APIRouter()
PICKER_LIMIT = 12


def describe(changes: list[TicketChange]) -> list[str]:
    """What a macro will change, in the agent's words: "Status: Pending", "Add tags: vip"."""
    said = []
    for change in changes:
        match change:
            case SetStatus():
                said.append(_("Status: %(status)s", status=_(STATUS_LABELS[change.status])))
            case SetPriority():
                label = _(PRIORITY_LABELS[change.priority])
                said.append(_("Priority: %(priority)s", priority=label))
            case AddTags():
                said.append(_("Add tags: %(tags)s", tags=", ".join(change.tags)))
            case RemoveTags():
                said.append(_("Remove tags: %(tags)s", tags=", ".join(change.tags)))
            case SetField():
                said.append(_("Field %(key)s: %(value)s", key=change.key, value=change.value))
            case SetType():
                said.append(_("Type: %(type)s", type=change.ticket_type or "—"))
            case Assign():
                said.append(_("Assign"))
    return said


def picker_context(session: Session, actor: Actor, ticket: PanelTicket) -> dict[str, Any] | None:
    if not can(actor, "macros.use"):
        return None
    return {"ticket_id": ticket.id}


def on_send(session: Session, actor: Actor, ticket_id: int, form: Mapping[str, Any]) -> None:
    """The composer sent a message written from a macro (its id in the form's `macro_id`)."""
    raw = form.get("macro_id")
    if isinstance(raw, str) and raw.strip().isdigit():
        macro_sent(session, actor=actor, ticket_id=ticket_id, macro_id=int(raw))


TOOL = ComposerTool(
    key="macros", template="macros/_picker.html", context=picker_context, on_send=on_send
)


@router.get("/tickets/{ticket_id}/macros", response_class=HTMLResponse)
def search(
    request: Request, session: DbSession, actor: PageActor, ticket_id: int, q: str = ""
) -> Response:
    """The picker's list: the best-used macros matching the words typed."""
    found = service.list_macros(
        session, actor=actor, query=q[:200], limit=PICKER_LIMIT, by_use=True
    )
    context = {"macros": found, "ticket_id": ticket_id, "q": q}
    return render(request, "macros/_picker_results.html", context)


@router.get("/tickets/{ticket_id}/macros/{macro_id}/fill")
def fill(
    session: DbSession, actor: PageActor, ticket_id: int, macro_id: int, language: str = ""
) -> Response:
    """The macro's text for the composer, filled in for this ticket (nothing is changed yet)."""
    try:
        macro = service.read_macro(session, actor=actor, macro_id=macro_id)
        rendered = preview_macro(
            session,
            actor=actor,
            macro_id=macro_id,
            ticket_id=ticket_id,
            language=language or None,
        )
    except KefuError as exc:
        return JSONResponse({"error": exc.message}, status_code=exc.status)
    return JSONResponse(
        {
            "macro_id": macro.id,
            "name": macro.name,
            "kind": rendered.kind,
            "language": rendered.language,
            "text": rendered.body_text,
            "missing": rendered.missing,
            "changes": describe(rendered.changes),
        }
    )
