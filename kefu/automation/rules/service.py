"""Triggers and automations: checked whole before anything is saved, ordered, switched on
and off, and tested against a ticket without changing it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.automation.rules.actions import check_actions, describe_action
from kefu.automation.rules.conditions import check_conditions
from kefu.automation.rules.evaluate import Verdict, evaluate
from kefu.automation.rules.facts import EventInfo, TicketFacts
from kefu.automation.rules.models import Rule, RuleRun
from kefu.errors import InvalidInput, NotFound
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.kit.i18n import N_
from kefu.permissions import require
from kefu.tickets import service as tickets

RuleKind = Literal["trigger", "automation"]
ORDER_EVENTS = (
    "order.created",
    "order.updated",
    "order.cancelled",
    "order.refunded",
    "order.address_changed",
    "order.item_resent",
)
TRIGGER_EVENTS: dict[str, str] = {
    "ticket.created": N_("Ticket created"),
    "ticket.updated": N_("Ticket updated"),
    "ticket.status_changed": N_("Status changed"),
    "message.added": N_("Customer message received"),
    "message.analysed": N_("Customer message read by AI (intent, sentiment, urgency)"),
    "sla.warning": N_("SLA warning"),
    "sla.breached": N_("SLA breached"),
    "order.*": N_("Any order event"),
    "order.created": N_("Order created"),
    "order.updated": N_("Order updated"),
    "order.cancelled": N_("Order cancelled"),
    "order.refunded": N_("Order refunded"),
    "csat.received": N_("CSAT received"),
    "call.ended": N_("Call ended"),
    "call.missed": N_("Call missed"),
    "call.voicemail": N_("Voicemail left"),
    "call.logged": N_("Call logged by an agent"),
}
# What kefu.channels.phone emits once a call is on a ticket ("call.missed" is a call.ended
# whose outcome is missed; call.started and call.answered come before the call has one).
CALL_EVENTS = ("call.ended", "call.voicemail", "call.logged")
TIME_FIELDS = ("hours_since.",)


class RuleIn(BaseModel):
    """A trigger or automation as the editor and the API send it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: RuleKind
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    is_active: bool = False
    events: list[str] = Field(default_factory=list, max_length=len(TRIGGER_EVENTS))
    conditions: dict[str, Any] = Field(default_factory=dict)
    actions: list[dict[str, Any]] = Field(default_factory=list)

    @field_validator("events")
    @classmethod
    def _known_events(cls, values: list[str]) -> list[str]:
        for value in values:
            if value not in TRIGGER_EVENTS:
                raise ValueError(f"unknown event: {value}")
        return list(dict.fromkeys(values))


@dataclass(frozen=True, slots=True)
class CheckedRule:
    kind: str
    name: str
    description: str
    is_active: bool
    events: list[str]
    conditions: dict[str, list[dict[str, Any]]]
    actions: list[dict[str, Any]]


def check_rule(session: Session, data: RuleIn) -> CheckedRule:
    """The whole definition checked, or InvalidInput with the first reason: nothing of a
    bad rule is ever saved."""
    if data.kind == "trigger" and not data.events:
        raise InvalidInput("a trigger needs at least one event to listen to")
    if data.kind == "automation" and data.events:
        raise InvalidInput("an automation runs every hour; it listens to no events")
    conditions = check_conditions(session, data.conditions, kind=data.kind)
    if data.kind == "automation" and not any(
        c["field"].startswith(TIME_FIELDS) for c in conditions["all"]
    ):
        raise InvalidInput(
            "an automation needs a time condition under “all” (hours since created, "
            "updated, pending, solved or the customer's last message)"
        )
    actions = check_actions(session, data.actions)
    return CheckedRule(
        data.kind,
        data.name,
        data.description,
        data.is_active,
        data.events,
        conditions,
        actions,
    )


def list_rules(session: Session, *, kind: str) -> list[Rule]:
    statement = select(Rule).where(Rule.kind == kind).order_by(Rule.position, Rule.id)
    return list(session.scalars(statement))


def active_rules(session: Session, *, kind: str) -> list[Rule]:
    statement = select(Rule).where(Rule.kind == kind, Rule.is_active.is_(True))
    return list(session.scalars(statement.order_by(Rule.position, Rule.id)))


def get_rule(session: Session, rule_id: int) -> Rule:
    rule = session.get(Rule, rule_id)
    if rule is None:
        raise NotFound(f"rule {rule_id} not found")
    return rule


def get_rule_or_none(session: Session, rule_id: int) -> Rule | None:
    return session.get(Rule, rule_id)


def create_rule(session: Session, *, actor: Actor, data: RuleIn) -> Rule:
    require(actor, "rules.manage")
    checked = check_rule(session, data)
    last = session.scalar(select(func.max(Rule.position)).where(Rule.kind == data.kind))
    rule = Rule(
        kind=checked.kind,
        name=checked.name,
        description=checked.description,
        is_active=checked.is_active,
        position=(last or 0) + 1,
        events=checked.events,
        conditions=checked.conditions,
        actions=checked.actions,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    session.add(rule)
    session.flush()
    return rule


def update_rule(session: Session, *, actor: Actor, rule_id: int, data: RuleIn) -> Rule:
    require(actor, "rules.manage")
    rule = get_rule(session, rule_id)
    if data.kind != rule.kind:
        raise InvalidInput("a trigger stays a trigger and an automation an automation")
    checked = check_rule(session, data)
    rule.name = checked.name
    rule.description = checked.description
    rule.is_active = checked.is_active
    rule.events = checked.events
    rule.conditions = checked.conditions
    rule.actions = checked.actions
    session.flush()
    return rule


def set_active(session: Session, *, actor: Actor, rule_id: int, is_active: bool) -> Rule:
    require(actor, "rules.manage")
    rule = get_rule(session, rule_id)
    rule.is_active = is_active
    session.flush()
    return rule


def delete_rule(session: Session, *, actor: Actor, rule_id: int) -> None:
    require(actor, "rules.manage")
    session.delete(get_rule(session, rule_id))
    session.flush()


def move_rule(session: Session, *, actor: Actor, rule_id: int, offset: int) -> list[Rule]:
    """Move a rule up (-1) or down (+1) among its kind; positions are renumbered 1..n."""
    require(actor, "rules.manage")
    rule = get_rule(session, rule_id)
    ordered = list_rules(session, kind=rule.kind)
    index = ordered.index(rule)
    target = max(0, min(len(ordered) - 1, index + offset))
    ordered.insert(target, ordered.pop(index))
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
    session.flush()
    return ordered


@dataclass(frozen=True, slots=True)
class TrialResult:
    ticket_id: int
    verdict: Verdict
    actions: list[str]


def try_rule(
    session: Session, *, actor: Actor, data: RuleIn, ticket_id: int, event_type: str | None = None
) -> TrialResult:
    """Would the rule (as typed, saved or not) fire on the ticket now, why, and what would it
    do. Reads only: nothing is changed, sent or logged."""
    require(actor, "rules.manage")
    checked = check_rule(session, data)
    tickets.read_ticket(session, actor=actor, ticket_id=ticket_id)
    event = EventInfo(None, event_type, {}) if event_type else None
    facts = TicketFacts(session, ticket_id, utcnow(), event)
    verdict = evaluate(checked.conditions, facts)
    return TrialResult(
        ticket_id, verdict, [describe_action(session, action) for action in checked.actions]
    )


def as_input(rule: Rule) -> RuleIn:
    return RuleIn(
        kind=rule.kind,  # type: ignore[arg-type]
        name=rule.name,
        description=rule.description,
        is_active=rule.is_active,
        events=rule.events,
        conditions=rule.conditions,
        actions=rule.actions,
    )


def recent_runs(session: Session, *, rule_id: int, limit: int = 20) -> list[RuleRun]:
    statement = select(RuleRun).where(RuleRun.rule_id == rule_id).order_by(RuleRun.id.desc())
    return list(session.scalars(statement.limit(limit)))
