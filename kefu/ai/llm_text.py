"""Generated summaries and reply drafts from the optional endpoint (kefu.ai.llm): the prompt
holds that one ticket's conversation and nothing else. The extractive summary
(kefu.ai.summary) stays the default and is what the agent gets, with a visible note, when
the endpoint is off, fails or times out; a draft then is simply not offered."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kefu.ai import llm
from kefu.ai.summary import Summary, Turn, summarize
from kefu.kit.actor import Actor
from kefu.kit.i18n import N_, gettext
from kefu.tickets import messages
from kefu.tickets import service as tickets

log = logging.getLogger(__name__)
MAX_PROMPT_CHARS = 8000
MAX_MESSAGE_CHARS = 2000

SUMMARY_PROMPT = (
    "You summarize a customer-service ticket for the agent who picks it up. Use only what "
    "the conversation says; never add an order fact, date, amount or policy it does not "
    "contain. Write in the customer's language, three short lines:\n"
    "Wants: what the customer wants\nDone: what was done so far\nPending: what is still open"
)
DRAFT_PROMPT = (
    "You draft the agent's next reply to the customer of this customer-service ticket. "
    "Be brief, polite and concrete, in the customer's language. Use only facts the "
    "conversation contains; where the reply needs an order fact, date, amount or policy it "
    "does not contain, write [check: what] instead of guessing. Reply with the message only."
)


@dataclass(frozen=True, slots=True)
class Generated:
    text: str | None  # the endpoint's answer, None when it gave none
    fallback: Summary | None  # the extractive summary shown instead (summaries only)
    note: str | None  # why the endpoint's answer is missing, for the agent


def _turns(session: Session, actor: Actor, ticket_id: int) -> list[Turn]:
    ticket = tickets.read_ticket(session, actor=actor, ticket_id=ticket_id)
    return [
        Turn(author="customer" if m.author_type == "customer" else "agent",
             text=(m.body_text or "").strip())
        for m in messages.list_messages(session, ticket.id)
        if m.kind == "reply" and m.author_type in ("customer", "agent") and m.body_text
    ]  # fmt: skip


def conversation(turns: list[Turn]) -> str:
    """The thread as the prompt shows it: the first message and as many of the newest as
    fit in MAX_PROMPT_CHARS (the middle of a very long thread is left out)."""
    lines = [f"{'Customer' if t.author == 'customer' else 'Agent'}: "
             f"{t.text[:MAX_MESSAGE_CHARS]}" for t in turns]  # fmt: skip
    if not lines:
        return ""
    kept, size = [], len(lines[0])
    for line in reversed(lines[1:]):
        if size + len(line) > MAX_PROMPT_CHARS:
            kept.append("[…]")
            break
        kept.append(line)
        size += len(line)
    return "\n\n".join([lines[0], *reversed(kept)])


def _ask(endpoint: llm.Endpoint, system: str, turns: list[Turn], ticket_id: int) -> str:
    prompt = [{"role": "system", "content": system},
              {"role": "user", "content": conversation(turns)}]  # fmt: skip
    return llm.complete(endpoint, prompt)


def generated_summary(session: Session, *, actor: Actor, ticket_id: int, key: str) -> Generated:
    """The endpoint's summary of the ticket, or the extractive one with the reason."""
    turns = _turns(session, actor, ticket_id)
    endpoint = llm.configured(session, key=key)
    if endpoint is None:
        return Generated(None, summarize(turns), gettext(N_("No language model is configured.")))
    if not turns:
        return Generated(None, Summary(), None)
    try:
        return Generated(_ask(endpoint, SUMMARY_PROMPT, turns, ticket_id), None, None)
    except llm.EndpointFailed as exc:
        log.warning("ticket %s: generated summary failed: %s", ticket_id, exc)
        note = gettext(N_("The language model gave no summary (%(reason)s) — this is the "
                          "summary taken from the thread.")) % {"reason": exc}  # fmt: skip
        return Generated(None, summarize(turns), note)


def draft_reply(session: Session, *, actor: Actor, ticket_id: int, key: str) -> Generated:
    """The endpoint's draft of the next reply, or none with the reason."""
    turns = _turns(session, actor, ticket_id)
    endpoint = llm.configured(session, key=key)
    if endpoint is None:
        return Generated(None, None, gettext(N_("No language model is configured.")))
    if not turns:
        return Generated(None, None, gettext(N_("The ticket has no message to answer yet.")))
    try:
        return Generated(_ask(endpoint, DRAFT_PROMPT, turns, ticket_id), None, None)
    except llm.EndpointFailed as exc:
        log.warning("ticket %s: reply draft failed: %s", ticket_id, exc)
        note = gettext(N_("The language model gave no draft (%(reason)s).")) % {"reason": exc}
        return Generated(None, None, note)
