"""A suggestion's text for this ticket, filled by the macros' template system
(kefu.automation.macros): a macro is rendered as the macro picker renders it; an answer from
a solved conversation first has that conversation's own order and customer values turned
back into placeholders ({{ order.number }}, {{ order.tracking_number }}…), so it says this
customer's values, never the other customer's. A value this ticket lacks stays in the text
as "[order.tracking_number]" and is named in `missing`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from kefu.automation.macros.context import build_context
from kefu.automation.macros.render import render_macro
from kefu.automation.macros.sandbox import plain, render_template

# the values a past answer may hold that belong to that conversation (longest first)
VARIABLES = (
    ("order", "tracking_url"),
    ("order", "tracking_number"),
    ("order", "number"),
    ("customer", "email"),
    ("customer", "name"),
    ("customer", "first_name"),
)
MIN_VALUE = 3  # shorter values ("1") are too likely to be something else


@dataclass(frozen=True, slots=True)
class Filled:
    text: str
    missing: list[str] = field(default_factory=list)


def _literal(text: str) -> str:
    return "{% raw %}" + text.replace("endraw", "end\u200braw") + "{% endraw %}" if text else ""


def as_template(text: str, values: dict[str, dict[str, object]]) -> str:
    """The text with the conversation's own values as placeholders, the rest kept verbatim."""
    found: list[tuple[str, str]] = []
    for owner, name in VARIABLES:
        value = values.get(owner, {}).get(name)
        if isinstance(value, str | int) and len(str(value).strip()) >= MIN_VALUE:
            found.append((str(value).strip(), f"{{{{ {owner}.{name} }}}}"))
    if not found:
        return _literal(text)
    # boundaries are Latin letters and digits only: Chinese has no spaces ("订单2002已发货")
    pattern = re.compile(
        "|".join(rf"(?<![0-9A-Za-z/]){re.escape(v)}(?![0-9A-Za-z])" for v, _ in found),
        re.IGNORECASE,
    )
    placeholders = {v.lower(): p for v, p in found}
    parts, start = [], 0
    for match in pattern.finditer(text):
        parts.append(_literal(text[start : match.start()]))
        parts.append(placeholders[match.group(0).lower()])
        start = match.end()
    parts.append(_literal(text[start:]))
    return "".join(parts)


def fill_answer(
    session: Session,
    *,
    text: str,
    from_ticket_id: int,
    context: dict[str, Any],
    language: str,
) -> Filled:
    """A solved conversation's answer, with this ticket's customer and latest order
    (`context`: this ticket's, from `build_context`)."""
    old = build_context(session, ticket_id=from_ticket_id, agent_id=None, language=language)
    template = as_template(text, {key: plain(value) for key, value in old.items()})
    rendered, missing = render_template(template, context)
    return Filled(rendered, missing)


def fill_macro(
    session: Session, *, macro_id: int, ticket_id: int, agent_id: int | None, language: str
) -> Filled:
    rendered = render_macro(
        session, macro_id=macro_id, ticket_id=ticket_id, agent_id=agent_id, language=language
    )
    return Filled(rendered.body_text, list(rendered.missing))
