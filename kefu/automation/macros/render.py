"""A macro filled in for one ticket: its text in the customer's language, and its changes."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from kefu.automation.macros.context import build_context, customer_language
from kefu.automation.macros.sandbox import render_template, validate_template
from kefu.automation.macros.schemas import LANGUAGES, normalize_language
from kefu.automation.macros.service import get_macro, read_macro, record_macro_use
from kefu.automation.ticket_changes import TicketChange, apply_changes, parse_changes
from kefu.errors import InvalidInput
from kefu.kit.actor import Actor
from kefu.tickets import service as tickets

__all__ = ["RenderedMacro", "record_macro_use", "render_macro", "validate_template"]


@dataclass(frozen=True)
class RenderedMacro:
    """`missing` names the values the ticket lacked ("order.tracking_number"); they show in
    the text as "[order.tracking_number]" for the agent to fill in."""

    macro_id: int
    body_text: str
    body_html: str | None
    changes: list[TicketChange]
    kind: str = "reply"
    language: str = "en"
    missing: list[str] = field(default_factory=list)


def pick_language(bodies: dict[str, str], wanted: str | None) -> str:
    """The wanted language when the macro has it, else the other one it has."""
    language = normalize_language(wanted) or "en"
    if bodies.get(language, "").strip():
        return language
    return next((other for other in LANGUAGES if bodies.get(other, "").strip()), language)


def _as_html(rendered: str) -> str:
    """Escaped values (autoescape) with the template's line breaks kept as <br>."""
    return rendered.replace("\n", "<br>\n")


def render_macro(
    session: Session,
    *,
    macro_id: int,
    ticket_id: int,
    agent_id: int | None,
    language: str | None,
) -> RenderedMacro:
    """Fill the macro's template for the ticket, in `language` or else the customer's;
    InvalidInput when the template fails or the macro is switched off."""
    macro = get_macro(session, macro_id)
    if not macro.is_active:
        raise InvalidInput(f"macro {macro.name!r} is switched off")
    chosen = pick_language(macro.bodies, language or customer_language(session, ticket_id))
    text = macro.bodies.get(chosen, "")
    context = build_context(session, ticket_id=ticket_id, agent_id=agent_id, language=chosen)
    body_text, missing = render_template(text, context)
    body_html, _ = render_template(text, context, html=True)
    return RenderedMacro(
        macro_id=macro.id,
        body_text=body_text,
        body_html=_as_html(body_html),
        changes=parse_changes(session, macro.actions),
        kind=macro.kind,
        language=chosen,
        missing=missing,
    )


def preview_macro(
    session: Session,
    *,
    actor: Actor,
    macro_id: int,
    ticket_id: int,
    language: str | None = None,
    apply_actions: bool = False,
) -> RenderedMacro:
    """The macro as the actor would send it on the ticket; with `apply_actions` its ticket
    changes are made now and one use is counted (the API's apply)."""
    tickets.read_ticket(session, actor=actor, ticket_id=ticket_id)
    read_macro(session, actor=actor, macro_id=macro_id)
    rendered = render_macro(
        session,
        macro_id=macro_id,
        ticket_id=ticket_id,
        agent_id=actor.agent_id,
        language=language,
    )
    if apply_actions:
        apply_changes(session, actor=actor, ticket_id=ticket_id, changes=rendered.changes)
        record_macro_use(session, macro_id=macro_id)
    return rendered


def macro_sent(session: Session, *, actor: Actor, ticket_id: int, macro_id: int) -> None:
    """A reply or note written from a macro was sent: make its changes, count one use."""
    macro = read_macro(session, actor=actor, macro_id=macro_id)
    changes = parse_changes(session, macro.actions)
    apply_changes(session, actor=actor, ticket_id=ticket_id, changes=changes)
    record_macro_use(session, macro_id=macro_id)
