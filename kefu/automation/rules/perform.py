"""A rule's actions done on one ticket, inside the caller's transaction: the ticket changes
as one update, then notes, replies, notices, webhooks and escalation in order."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.automation.rules import macro_link
from kefu.automation.rules.actions import ESCALATED_TAG, describe_action
from kefu.automation.rules.facts import EventInfo
from kefu.automation.rules.models import Rule, WebhookDelivery
from kefu.automation.ticket_changes import (
    CHANGE_TYPES,
    AddTags,
    Assign,
    SetPriority,
    apply_changes,
    parse_changes,
)
from kefu.customers import service as customers
from kefu.errors import InvalidInput, NotFound
from kefu.events import NewEvent, emit
from kefu.jobs import enqueue_after_commit
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.tickets import service as tickets
from kefu.tickets.details import ticket_reads
from kefu.tickets.messages import add_message, get_message, record_message
from kefu.tickets.notifications import notify
from kefu.tickets.schemas import MessageCreate
from kefu.tickets.staged import stage_event, write_staged

log = logging.getLogger(__name__)
AUTO_REPLIED = "auto-replied"


@dataclass
class Run:
    """One rule acting on one ticket: who acts (the chain-carrying actor), on which event."""

    session: Session
    rule: Rule
    ticket_id: int
    actor: Actor
    event: EventInfo | None
    summary: list[str] = field(default_factory=list)
    fired_event_id: int | None = None


def _changes(run: Run) -> list[Any]:
    changes: list[Any] = []
    for action in run.rule.actions:
        if action["type"] in CHANGE_TYPES:
            changes += parse_changes(run.session, [action])
        elif action["type"] == "escalate":
            changes += [SetPriority(priority="urgent"), AddTags(tags=[ESCALATED_TAG])]
            if action.get("team_id"):
                changes.append(Assign(team_id=action["team_id"]))
    return changes


def changes_only(actions: list[dict[str, Any]]) -> bool:
    """The rule only changes the ticket (no note, reply, notice, webhook or escalation)."""
    return all(action["type"] in CHANGE_TYPES for action in actions)


def perform(run: Run) -> list[str]:
    """Do the rule's actions; returns what was done, in words, for the run log."""
    session = run.session
    changes = _changes(run)
    if changes:
        apply_changes(session, actor=run.actor, ticket_id=run.ticket_id, changes=changes)
        run.summary += [
            describe_action(session, a)
            for a in run.rule.actions
            if a["type"] in CHANGE_TYPES or a["type"] == "escalate"
        ]
    fired = NewEvent(
        "rule.fired",
        "ticket",
        run.ticket_id,
        {
            "rule_id": run.rule.id,
            "rule_name": run.rule.name,
            "kind": run.rule.kind,
            "on_event_id": run.event.id if run.event else None,
        },
    )
    if changes_only(run.rule.actions) and stage_event(session, fired, run.actor):
        return run.summary  # kept with the batch's others: nothing else needs its id
    write_staged(session)  # what the batch kept (this rule's update too) comes first
    run.fired_event_id = emit(
        session,
        fired.type,
        subject_type=fired.subject_type,
        subject_id=fired.subject_id,
        payload=fired.payload,
        actor=run.actor,
    ).id
    for action in run.rule.actions:
        kind = action["type"]
        if kind == "add_note":
            _add_note(run, action)
        elif kind == "reply_from_macro":
            _reply(run, action)
        elif kind == "notify":
            _notify(run, action)
        elif kind == "call_webhook":
            queue_webhook(run, action["webhook_id"])
        elif kind == "escalate":
            _escalate(run, action)
    return run.summary


def _context(run: Run) -> dict[str, Any]:
    ticket = tickets.get_ticket(run.session, run.ticket_id)
    try:
        customer = customers.get_customer(run.session, ticket.requester_id)
        name = customer.name
    except NotFound:
        name = ""
    return {
        "ticket": {
            "id": ticket.id,
            "subject": ticket.subject,
            "status": ticket.status,
            "priority": ticket.priority,
        },
        "customer": {"name": name},
    }


def _add_note(run: Run, action: dict[str, Any]) -> None:
    text = macro_link.render_note(
        run.session,
        text=action["body"],
        ticket_id=run.ticket_id,
        rule={"id": run.rule.id, "name": run.rule.name},
        plain=_context(run),
    )
    add_message(
        run.session,
        actor=run.actor,
        ticket_id=run.ticket_id,
        data=MessageCreate(kind="note", body_text=text or action["body"]),
    )
    run.summary.append(describe_action(run.session, action))


def triggered_by_automated_message(run: Run) -> bool:
    """The customer message that set the rule off is an auto-reply, a bounce or a list mail
    (the email channel marks those), or was itself written by a rule."""
    payload = run.event.payload if run.event else {}
    if payload.get("automated"):
        return True
    message_id = payload.get("message_id")
    if not isinstance(message_id, int):
        return False
    try:
        details = get_message(run.session, message_id).details or {}
    except NotFound:
        return False
    return bool(details.get("automated") or details.get("auto_submitted"))


def _reply(run: Run, action: dict[str, Any]) -> None:
    if triggered_by_automated_message(run):
        run.summary.append(f"skipped {describe_action(run.session, action)}: auto-reply")
        return
    render = macro_link.render_macro_fn()
    if render is None:
        raise InvalidInput("replies from macros need the macros part of kefu")
    ticket = tickets.editable_ticket(run.session, run.ticket_id)
    rendered = render(
        run.session, macro_id=action["macro_id"], ticket_id=ticket.id, agent_id=None, language=None
    )
    record_message(
        run.session,
        ticket,
        kind="reply",
        author_type="agent",  # a public reply: the channel sends it as it sends agents'
        body_text=rendered.body_text,
        body_html=rendered.body_html,
        channel=ticket.channel,
        details={"rule_id": run.rule.id, "auto_submitted": AUTO_REPLIED},
    )
    if rendered.changes:
        apply_changes(
            run.session, actor=run.actor, ticket_id=run.ticket_id, changes=rendered.changes
        )
    macro_link.record_use(run.session, macro_id=action["macro_id"])
    run.summary.append(describe_action(run.session, action))


def _agents_of(session: Session, *, team_id: int | None, agent_id: int | None) -> list[int]:
    found: list[int] = [agent_id] if agent_id else []
    if team_id:
        members = accounts.members_by_team(session, actor=Actor.system()).get(team_id, [])
        found += [agent.id for agent in members]
    return list(dict.fromkeys(found))


def _notify_agents(run: Run, agent_ids: list[int], *, email: bool, message: str) -> list[int]:
    reached = []
    for agent_id in agent_ids:
        try:
            agent = accounts.get_agent(run.session, agent_id)
        except NotFound:
            continue
        if not agent.is_active:
            continue
        assert run.fired_event_id is not None
        notify(
            run.session,
            event_id=run.fired_event_id,
            agent_id=agent.id,
            kind="rule",
            ticket_id=run.ticket_id,
            actor_name=run.rule.name,
        )
        reached.append(agent.id)
    if email and reached:
        emit(
            run.session,
            "rule.notice_mail",
            subject_type="ticket",
            subject_id=run.ticket_id,
            payload={"agent_ids": reached, "rule_name": run.rule.name, "message": message},
            actor=run.actor,
        )
    return reached


def _notify(run: Run, action: dict[str, Any]) -> None:
    agent_ids = _agents_of(
        run.session, team_id=action.get("team_id"), agent_id=action.get("agent_id")
    )
    _notify_agents(
        run, agent_ids, email=bool(action.get("email")), message=action.get("message", "")
    )
    run.summary.append(describe_action(run.session, action))


def _escalate(run: Run, action: dict[str, Any]) -> None:
    ticket = tickets.get_ticket(run.session, run.ticket_id)
    emit(
        run.session,
        "ticket.escalated",
        subject_type="ticket",
        subject_id=run.ticket_id,
        payload={"rule_id": run.rule.id, "team_id": action.get("team_id")},
        actor=run.actor,
    )
    team_id = action.get("team_id") or ticket.team_id
    agent_ids = _agents_of(run.session, team_id=team_id, agent_id=ticket.assignee_id)
    _notify_agents(run, agent_ids, email=False, message="")


def webhook_body(run: Run) -> str:
    ticket = tickets.get_ticket(run.session, run.ticket_id)
    read = ticket_reads(run.session, [ticket])[0]
    body = {
        "rule": {"id": run.rule.id, "name": run.rule.name, "kind": run.rule.kind},
        "event": {"id": run.event.id, "type": run.event.type} if run.event else None,
        "ticket": read.model_dump(mode="json"),
        "sent_at": utcnow().isoformat(),
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True)


def queue_webhook(run: Run, webhook_id: int) -> WebhookDelivery:
    """A delivery row now; the job sends it once this transaction commits."""
    delivery = WebhookDelivery(
        webhook_id=webhook_id,
        rule_id=run.rule.id,
        ticket_id=run.ticket_id,
        body=webhook_body(run),
        status="pending",
        attempts=0,
        next_attempt_at=utcnow(),
        last_error="",
        created_at=utcnow(),
    )
    run.session.add(delivery)
    run.session.flush()
    enqueue_after_commit(run.session, "automation.deliver_webhook", delivery.id)
    run.summary.append(f"webhook #{webhook_id} queued (delivery {delivery.id})")
    return delivery
