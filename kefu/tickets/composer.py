"""Tools other domains add to the ticket composer (macros, ...).

The tickets domain cannot import the domains built on it, so they register a tool here from
their hooks module: a partial shown inside the composer form, the function that builds its
context, and what to do when a message is sent with the form's values (in the message's
transaction: if it fails, the message is not sent either)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from kefu.kit.actor import Actor
from kefu.tickets.models import Ticket

SendHook = Callable[[Session, Actor, int, Mapping[str, Any]], None]


@dataclass(frozen=True)
class ComposerTool:
    key: str
    template: str
    context: Callable[[Session, Actor, Ticket], dict[str, Any] | None]
    on_send: SendHook | None = None


_TOOLS: dict[str, ComposerTool] = {}


def register_tool(tool: ComposerTool) -> None:
    _TOOLS[tool.key] = tool


def tools_for(session: Session, actor: Actor, ticket: Ticket) -> list[dict[str, Any]]:
    """Each tool's template and context; a tool returning None is left out."""
    shown = []
    for tool in _TOOLS.values():
        context = tool.context(session, actor, ticket)
        if context is not None:
            shown.append({"key": tool.key, "template": tool.template, "context": context})
    return shown


def message_sent(session: Session, actor: Actor, ticket_id: int, form: Mapping[str, Any]) -> None:
    """Run every tool's send hook after the composer stored a message."""
    for tool in _TOOLS.values():
        if tool.on_send is not None:
            tool.on_send(session, actor, ticket_id, form)
