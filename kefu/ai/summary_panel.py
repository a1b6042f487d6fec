"""The summary at the top of a long ticket, or of one the assistant handed over: what the
customer wants, what was done, what is pending (kefu.ai.summary, extractive)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from kefu.ai import switches
from kefu.ai.summary import LONG_THREAD_MESSAGES, Summary, Turn, summarize
from kefu.kit.actor import Actor
from kefu.tickets import messages
from kefu.tickets.panels import PanelTicket


def _handed_over(first: Any) -> Summary | None:
    stored = (first.details or {}).get("assistant", {}).get("summary")
    if not isinstance(stored, dict):
        return None
    return Summary(
        wants=list(stored.get("wants") or []),
        done=list(stored.get("done") or []),
        pending=list(stored.get("pending") or []),
    )


def summary_panel(session: Session, actor: Actor, ticket: PanelTicket) -> dict[str, Any] | None:
    if not switches.is_on(session, "summaries"):
        return None
    thread = [m for m in messages.list_messages(session, ticket.id) if m.kind == "reply"]
    if not thread:
        return None
    from_assistant = _handed_over(thread[0])
    if len(thread) < LONG_THREAD_MESSAGES:
        if from_assistant is None or from_assistant.is_empty:
            return None
        return {"summary": from_assistant, "source": "assistant"}
    turns = [
        Turn(author="customer" if m.author_type == "customer" else "agent", text=m.body_text or "")
        for m in thread
        if m.author_type in ("customer", "agent")
    ]
    found = summarize(turns)
    if from_assistant is not None:
        found.wants = from_assistant.wants or found.wants
    return None if found.is_empty else {"summary": found, "source": "thread"}
