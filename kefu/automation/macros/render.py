"""A macro filled in for one ticket: its text in the customer's language, and its changes."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from kefu.automation.macros.context import build_context, customer_language
from kefu.automation.macros.sandbox import render_template, validate_template
from kefu.automation.macros.schemas import LANGUAGES, normalize_language
from kefu.automation.macros.service import get_macro, record_macro_use
from kefu.automation.ticket_changes import TicketChange, parse_changes
from kefu.errors import InvalidInput

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
