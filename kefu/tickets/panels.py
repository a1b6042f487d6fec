"""Side panels other domains add to the ticket page (the customer's orders, ...).

The tickets domain cannot import the domains built on it, so they register a panel here
from their hooks module: a template and a function that builds its context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from kefu.kit.actor import Actor
from kefu.tickets.models import Ticket

# What a panel's context function receives (other domains may not import tickets' models).
PanelTicket = Ticket


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable[[Session, Actor, Ticket], dict[str, Any] | None]
    position: int = 100  # lower comes first (the SLA clocks above the orders)


_PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    _PANELS[panel.key] = panel


def panels_for(session: Session, actor: Actor, ticket: Ticket) -> list[dict[str, Any]]:
    """Each registered panel's template and context; a panel returning None is left out."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: p.position):
        context = panel.context(session, actor, ticket)
        if context is not None:
            shown.append({"key": panel.key, "template": panel.template, "context": context})
    return shown


@dataclass(frozen=True)
class MessageCard:
    """A domain's own rendering of some messages in the conversation (a phone call's card):
    `context(session, actor, ticket, message_ids)` returns a context per message id it
    renders; the others are shown as usual."""

    key: str
    template: str
    context: Callable[[Session, Actor, Ticket, list[int]], dict[int, dict[str, Any]]]


_CARDS: dict[str, MessageCard] = {}


def register_message_card(card: MessageCard) -> None:
    _CARDS[card.key] = card


def message_cards_for(
    session: Session, actor: Actor, ticket: Ticket, message_ids: list[int]
) -> dict[int, dict[str, Any]]:
    """Message id → {"template", "context"} for the messages a registered card renders."""
    cards: dict[int, dict[str, Any]] = {}
    for card in _CARDS.values():
        for message_id, context in card.context(session, actor, ticket, message_ids).items():
            cards.setdefault(message_id, {"template": card.template, "context": context})
    return cards
